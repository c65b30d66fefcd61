/**
 * The Milestone aggregate as this service runs it, and its view `milestone_views`: one document per milestone,
 * its folded state at `version`, written after each command, healed from `milestones.events`, rebuilt by a
 * replay from the store.
 */
import { milestoneStreamId } from '@tracker/contracts';
import { agreementOfStream, defineAggregate, streamView } from '@tracker/service-runtime';
import { milestoneDecider, type MilestoneState } from '@tracker/milestones-domain';

export type ExistingMilestone = MilestoneState & { exists: true };

export interface MilestoneViewDoc {
  _id: string;
  version: number;
  state: ExistingMilestone;
  plannedAt: string;
  updatedAt: string;
}

export const milestoneAggregate = defineAggregate({
  name: 'milestone',
  decider: milestoneDecider,
  streamId: milestoneStreamId,
  idOf: (event) => (event.data as { milestoneId: string }).milestoneId,
  owns: (event) => event.type.startsWith('milestone.'),
  agreementId: agreementOfStream,
});

export const milestoneViews = streamView<MilestoneState, MilestoneViewDoc>({
  name: 'milestone-views',
  aggregate: milestoneAggregate,
  collection: {
    name: 'milestone_views',
    indexes: [{ key: { 'state.agreementId': 1, _id: 1 } }, { key: { 'state.dueDate': 1, _id: 1 } }, { key: { 'state.status': 1, _id: 1 } }],
  },
  document: ({ state, version, first, last }) =>
    state.exists ? { _id: state.milestoneId, version, state, plannedAt: first.recordedAt, updatedAt: last.recordedAt } : null,
  // An existing document keeps the time the milestone was planned.
  insertOnly: ['plannedAt'],
});
