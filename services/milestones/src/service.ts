/**
 * The milestones service, declared: the Milestone aggregate, its view, the agreements it knows of (from
 * `agreements.events`), its REST routes. Nothing else wires it (ServiceModule does, from this declaration).
 */
import { Topics } from '@tracker/contracts';
import { defineService } from '@tracker/service-runtime';
import { AgreementDirectory, agreementDirectory } from './agreement-directory/agreement-directory';
import type { MilestonesConfig } from './config';
import { milestoneAggregate, milestoneViews } from './milestones/milestone-views';
import { MilestonesController } from './milestones/milestones.controller';
import { MilestonesService } from './milestones/milestones.service';
import { OcdsController } from './ocds/ocds.controller';
import { OcdsService } from './ocds/ocds.service';

export const MilestonesApp = defineService<MilestonesConfig>({
  name: 'milestones',
  topic: Topics.milestones,
  api: {
    title: 'Milestones API',
    description:
      'Plan implementation milestones of agreements, report progress, reschedule (slips) and record outcomes. ' +
      'Two clocks: every fact has a business time (occurredAt: when it happened; send it with any change, metOn for outcomes) and a record time (recordedAt). Reads take ?validAt= and/or ?knownAt=, e.g. ?validAt=2026-06-30&knownAt=2026-10-01T00:00:00Z is the state on 30 June as recorded by 1 October. Wrong facts are corrected by POST /milestones/{id}/corrections, never rewritten. ' +
      'Errors are RFC 9457 problem details with a correlationId.',
    version: '1.0.0',
  },
  aggregates: [milestoneAggregate],
  projections: [milestoneViews, agreementDirectory],
  controllers: [MilestonesController, OcdsController],
  providers: [MilestonesService, AgreementDirectory, OcdsService],
});
