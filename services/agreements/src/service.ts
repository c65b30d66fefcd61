/**
 * The agreements service, declared: the Agreement aggregate and its view, what milestones contribute (from
 * `milestones.events`) and the status derived from them, the journal of all three topics, its REST routes.
 */
import { Topics } from '@tracker/contracts';
import { defineService } from '@tracker/service-runtime';
import { agreementAggregate, agreementViews, milestoneSummaries } from './agreements/agreement-read-model';
import { AgreementsController } from './agreements/agreements.controller';
import { AgreementsService } from './agreements/agreements.service';
import type { AgreementsConfig } from './config';
import { AgreementHistoryController } from './history/agreement-history.controller';
import { AgreementHistoryService } from './history/agreement-history.service';
import { agreementJournalProjection } from './history/agreement-journal';
import { DeriveStatusReactor } from './milestone-progress/derive-status.reactor';
import { AgreementVisibilityController, PublicAgreementsController } from './public/public.controller';
import { PublicAgreementsService } from './public/public.service';

export const AgreementsApp = defineService<AgreementsConfig>({
  name: 'agreements',
  topic: Topics.agreements,
  api: {
    title: 'Agreements API',
    description:
      'Register agreements (MoUs, framework agreements, treaties…) and follow them from signing to outcome. ' +
      'Two clocks: every fact has a business time (occurredAt: when it happened; send it with any change) and a record time (recordedAt). Reads take ?validAt= and/or ?knownAt=, e.g. an MoU signed on 29 January but typed in on 1 March is active at ?validAt=2026-02-10 and unknown at ?knownAt=2026-02-20T00:00:00Z. Wrong facts are corrected by POST /agreements/{id}/corrections, never rewritten. ' +
      'Errors are RFC 9457 problem details with a correlationId.',
    version: '1.0.0',
  },
  aggregates: [agreementAggregate],
  projections: [agreementViews, milestoneSummaries, agreementJournalProjection],
  reactors: [{ after: 'milestone-summaries', handler: DeriveStatusReactor }],
  controllers: [AgreementsController, AgreementHistoryController, AgreementVisibilityController, PublicAgreementsController],
  providers: [AgreementsService, AgreementHistoryService, PublicAgreementsService],
});
