/**
 * The alerts service, declared: the Alert aggregate, what it knows of agreements and milestone deadlines (from
 * the other services' topics), the alert documents (from its own), the alerts that follow from milestone
 * events and the webhook deliveries that follow from alerts, plus subscriptions, the deadline scheduler and
 * the live stream.
 */
import { Topics } from '@tracker/contracts';
import { OutboundPolicy } from '@tracker/platform';
import { defineService } from '@tracker/service-runtime';
import { AlertsController } from './alerts/alerts.controller';
import { alertAggregate, alertViews, AlertsService } from './alerts/alerts.service';
import { DeadlineScheduler } from './alerts/deadline-scheduler';
import { AlertPayloads } from './alerts/payload';
import { AlertsConfig } from './config';
import { DigestsController } from './digest/digests.controller';
import { DigestScheduler, DigestsService } from './digest/digests.service';
import { DeliveriesController } from './deliveries/deliveries.controller';
import { DeliveriesService, QueueDeliveriesReactor } from './deliveries/deliveries.service';
import { LiveAlerts } from './live/live-alerts';
import { AgreementLifecycle } from './lifecycle/agreement-lifecycle';
import { AgreementLifecycleReactor } from './lifecycle/lifecycle.reactor';
import { LiveStreamController, LiveStreams } from './live/live-stream';
import { SubscriptionMatcher } from './live/subscription-matcher';
import { agreementInfo, AgreementInfoStore } from './read-model/agreement-info';
import { DeadlineStore, milestoneDeadlines, MilestoneAlertsReactor } from './read-model/deadlines';
import { DeadlineScansController } from './alerts/deadline-scans.controller';
import { ForecastsController } from './alerts/forecasts.controller';
import { SilencesController } from './silences/silences.controller';
import { SilencesService } from './silences/silences.service';
import { SubscriptionsController } from './subscriptions/subscriptions.controller';
import { SubscriptionsService } from './subscriptions/subscriptions.service';

export const AlertsApp = defineService<AlertsConfig>({
  name: 'alerts',
  topic: Topics.alerts,
  api: {
    title: 'Alerts API',
    description:
      'Stakeholders hear when deadlines approach, slip or are missed: the alert inbox and subscriptions. ' +
      'Errors are RFC 9457 problem details.',
    version: '0.2.0',
  },
  aggregates: [alertAggregate],
  projections: [agreementInfo, milestoneDeadlines, alertViews],
  reactors: [
    { after: 'milestone-deadlines', handler: MilestoneAlertsReactor },
    // Suspension, resumption, termination and expiry settle the agreement's alerts; progress ends a stall.
    { after: 'agreement-info', handler: AgreementLifecycleReactor },
    { after: 'alert-views', handler: QueueDeliveriesReactor },
  ],
  // LiveStreamController first: its GET /subscriptions/{id}/stream takes the route over from SubscriptionsController's.
  controllers: [LiveStreamController, AlertsController, SubscriptionsController, DeliveriesController, DeadlineScansController, ForecastsController, SilencesController, DigestsController],
  providers: [
    AlertsService,
    DeadlineStore,
    DeadlineScheduler,
    AgreementInfoStore,
    AgreementLifecycle,
    SubscriptionsService,
    DeliveriesService,
    LiveAlerts,
    SilencesService,
    AlertPayloads,
    LiveStreams,
    SubscriptionMatcher,
    DigestsService,
    DigestScheduler,
    // Where webhooks may go (OWASP SSRF guidance; OUTBOUND_ALLOW opens loopback for a local receiver).
    { provide: OutboundPolicy, useFactory: (config: AlertsConfig) => new OutboundPolicy(config.OUTBOUND_ALLOW), inject: [AlertsConfig] },
  ],
});
