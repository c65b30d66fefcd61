import { Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { Connection } from 'mongoose';
import { Topics } from '@tracker/contracts';
import { kafkaReadiness, mongoReadiness, PlatformModule, READ_MODEL_PROJECTIONS, ServiceRuntimeModule, type Clock } from '@tracker/platform';
import { KAFKA, MONGO_CONNECTION, AuditController, ReplayController } from '@tracker/service-runtime';
import { AlertsController } from './alerts/alerts.controller';
import { AlertsService } from './alerts/alerts.service';
import { DeadlineScheduler } from './alerts/deadline-scheduler';
import { AlertsConfig } from './config';
import { DeliveriesController } from './deliveries/deliveries.controller';
import { DeliveriesService } from './deliveries/deliveries.service';
import { LiveAlerts } from './live/live-alerts';
import { OwnEventsHandler } from './own-events.handler';
import { alertsProjections } from './read-models';
import { AgreementEventsHandler, AgreementInfoStore } from './read-model/agreement-info';
import { DeadlineStore, MilestoneEventsHandler } from './read-model/deadlines';
import { SubscriptionsController } from './subscriptions/subscriptions.controller';
import { SubscriptionsService } from './subscriptions/subscriptions.service';

/**
 * The alerts service (issue 7): consumes agreements.events and milestones.events into its read models, raises
 * alerts from events (slips, resolutions) and from the deadline scheduler (approaching, missed), publishes
 * alert.* to alerts.events, serves the inbox and subscriptions, and delivers to webhooks.
 */
@Module({})
export class AppModule implements OnModuleInit {
  constructor(
    private readonly alerts: AlertsService,
    private readonly deadlines: DeadlineStore,
    private readonly subscriptions: SubscriptionsService,
    private readonly deliveries: DeliveriesService,
    private readonly agreements: AgreementInfoStore,
  ) {}

  /** `clock` replaces the system clock (tests move time with a TestClock). */
  static forRoot(config: AlertsConfig, options: { clock?: Clock } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          serviceName: 'alerts',
          title: 'Alerts API',
          description:
            'Stakeholders hear when deadlines approach, slip or are missed: the alert inbox and subscriptions. ' +
            'Errors are RFC 9457 problem details.',
          version: '0.2.0',
          config,
          ...(options.clock && { clock: options.clock }),
          readiness: {
            inject: [MONGO_CONNECTION, KAFKA],
            useFactory: (db: Connection, kafka: Kafka) => [mongoReadiness(db), kafkaReadiness(kafka.admin())],
          },
        }),
        ServiceRuntimeModule.forRoot({
          serviceName: 'alerts',
          topic: Topics.alerts,
          settings: config,
          consumers: [
            { name: 'agreement-info', topics: [Topics.agreements], handler: AgreementEventsHandler },
            { name: 'milestone-deadlines', topics: [Topics.milestones], handler: MilestoneEventsHandler },
            { name: 'alert-views', topics: [Topics.alerts], handler: OwnEventsHandler },
          ],
        }),
      ],
      controllers: [AlertsController, SubscriptionsController, DeliveriesController, AuditController, ReplayController],
      providers: [
        AlertsService,
        DeadlineStore,
        DeadlineScheduler,
        AgreementInfoStore,
        AgreementEventsHandler,
        MilestoneEventsHandler,
        OwnEventsHandler,
        SubscriptionsService,
        DeliveriesService,
        LiveAlerts,
        { provide: READ_MODEL_PROJECTIONS, useValue: alertsProjections },
      ],
    };
  }

  async onModuleInit(): Promise<void> {
    await Promise.all([this.alerts.init(), this.deadlines.init(), this.subscriptions.init(), this.deliveries.init(), this.agreements.init()]);
  }
}
