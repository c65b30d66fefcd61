/**
 * How each read model of the milestones service is built from events, for a replay (POST /admin/replays,
 * `npm run replay`): the milestone list from this service's own store, the agreement directory from
 * `agreements.events`. The code is the live code, pointed at the collections being rebuilt.
 */
import { Topics } from '@tracker/contracts';
import type { Projection, StoreProjection } from '@tracker/platform';
import { milestoneDecider, type MilestoneState } from '@tracker/milestones-domain';
import { AgreementDirectory } from './agreement-directory/agreement-directory';
import { MilestoneViews, type ExistingMilestone } from './milestones/milestone-views';

const milestoneViews: StoreProjection<MilestoneState> = {
  source: 'store',
  name: 'milestone-views',
  collections: ['milestone_views'],
  accepts: (event) => event.type.startsWith('milestone.'),
  initial: () => milestoneDecider.initialState(),
  evolve: (state, event) => milestoneDecider.evolve(state, event as never),
  documents: ({ state, version, first, last }) =>
    state.exists
      ? [{ collection: 'milestone_views', document: MilestoneViews.document(state, version, { plannedAt: first.recordedAt, updatedAt: last.recordedAt }) }]
      : [],
  async write(into, { state, version, first, last }) {
    if (state.exists) await new MilestoneViews(into).save(state as ExistingMilestone, version, { plannedAt: first.recordedAt, updatedAt: last.recordedAt });
  },
};

export const milestonesProjections: Projection[] = [
  milestoneViews,
  {
    source: 'topics',
    name: 'agreement-directory',
    collections: ['agreement_directory'],
    topics: [Topics.agreements],
    async apply(into, event) {
      if (event.type.startsWith('agreement.')) await new AgreementDirectory(into).apply(event);
    },
  },
];
