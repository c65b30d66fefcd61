/**
 * How each read model of the agreements service is built from events, for a replay (POST /admin/replays,
 * `npm run replay`): the agreement list from this service's own store, the milestone summaries from
 * `milestones.events`, the audit journal from all three topics. The code is the live code, pointed at the collections being rebuilt.
 */
import { Topics, type EventEnvelope, type MilestoneEventEnvelope } from '@tracker/contracts';
import type { Projection, StoreProjection } from '@tracker/service-runtime';
import { agreementDecider, type AgreementState } from '@tracker/agreements-domain';
import { AgreementReadModel, type ExistingAgreement } from './agreements/agreement-read-model';
import { agreementJournalProjection } from './history/agreement-journal';

export function agreementsProjections(stalledAfterDays: number): Projection[] {
  const agreementViews: StoreProjection<AgreementState> = {
    source: 'store',
    name: 'agreement-views',
    collections: ['agreement_views'],
    accepts: (event) => event.type.startsWith('agreement.'),
    initial: () => agreementDecider.initialState(),
    evolve: (state, event) => agreementDecider.evolve(state, event as never),
    documents: ({ state, version, first, last }) =>
      state.exists
        ? [{ collection: 'agreement_views', document: AgreementReadModel.document(state, version, { recordedAt: last.recordedAt, registeredAt: first.recordedAt }) }]
        : [],
    async write(into, { state, version, first, last }) {
      if (!state.exists) return;
      await new AgreementReadModel(into, stalledAfterDays).save(state as ExistingAgreement, version, {
        recordedAt: last.recordedAt,
        registeredAt: first.recordedAt,
      });
    },
  };
  return [
    agreementViews,
    {
      source: 'topics',
      name: 'milestone-summaries',
      collections: ['milestone_summaries'],
      topics: [Topics.milestones],
      async apply(into, event: EventEnvelope) {
        // Only the summary: deriving the agreement's status appends events, which a replay must never do.
        if (event.type.startsWith('milestone.')) await new AgreementReadModel(into, stalledAfterDays).projectMilestoneEvent(event as MilestoneEventEnvelope);
      },
    },
    agreementJournalProjection,
  ];
}
