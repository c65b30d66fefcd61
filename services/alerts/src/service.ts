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
import { AlertsConfig } from './config';
import { DeliveriesController } from './deliveries/deliveries.controller';
import { DeliveriesService, QueueDeliveriesReactor } from './deliveries/deliveries.service';
import { LiveAlerts } from './live/live-alerts';
import { agreementInfo, AgreementInfoStore } from './read-model/agreement-info';
import { DeadlineStore, milestoneDeadlines, MilestoneAlertsReactor } from './read-model/deadlines';
import { DeadlineScansController } from './alerts/deadline-scans.controller';
import { ForecastsController } from './alerts/forecasts.controller';
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
    { after: 'alert-views', handler: QueueDeliveriesReactor },
  ],
  controllers: [AlertsController, SubscriptionsController, DeliveriesController, DeadlineScansController, ForecastsController],
  providers: [
    AlertsService,
    DeadlineStore,
    DeadlineScheduler,
    AgreementInfoStore,
    SubscriptionsService,
    DeliveriesService,
    LiveAlerts,
    // Where webhooks may go (OWASP SSRF guidance; OUTBOUND_ALLOW opens loopback for a local receiver).
    { provide: OutboundPolicy, useFactory: (config: AlertsConfig) => new OutboundPolicy(config.OUTBOUND_ALLOW), inject: [AlertsConfig] },
  ],
});
