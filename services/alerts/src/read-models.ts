/**
 * How each read model of the alerts service is built from events, for a replay (POST /admin/replays,
 * `npm run replay`): all three from the Kafka topics, re-consumed from their beginning under a new consumer
 * group. Only the read models: no alert is raised or resolved and no delivery is queued (those are effects of
 * the live handlers), so a replay never notifies anyone twice. Deliveries and subscriptions are records of
 * their own, not read models, and are left as they are.
 */
import { Topics, type MilestoneEventEnvelope } from '@tracker/contracts';
import type { Projection } from '@tracker/service-runtime';
import { AlertDocuments } from './alerts/alerts.service';
import { AgreementInfoStore } from './read-model/agreement-info';
import { DeadlineStore } from './read-model/deadlines';

export const alertsProjections: Projection[] = [
  {
    source: 'topics',
    name: 'agreement-info',
    collections: ['agreement_info'],
    topics: [Topics.agreements, Topics.milestones],
    async apply(into, event) {
      const info = new AgreementInfoStore(into);
      if (event.type.startsWith('agreement.')) await info.apply(event);
      else if (event.type.startsWith('milestone.')) await info.touch(event.type, event.agreementId, event.occurredAt);
    },
  },
  {
    source: 'topics',
    name: 'milestone-deadlines',
    collections: ['milestone_deadlines'],
    topics: [Topics.milestones],
    async apply(into, event) {
      if (event.type.startsWith('milestone.')) await new DeadlineStore(into).apply(event as MilestoneEventEnvelope);
    },
  },
  {
    source: 'topics',
    name: 'alerts',
    collections: ['alerts'],
    topics: [Topics.alerts],
    async apply(into, event) {
      if (event.type.startsWith('alert.')) await new AlertDocuments(into).project(event);
    },
  },
];
