import { Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { Connection } from 'mongoose';
import { Topics } from '@tracker/contracts';
import { kafkaReadiness, mongoReadiness, PlatformModule, READ_MODEL_PROJECTIONS, ServiceRuntimeModule, type Clock } from '@tracker/platform';
import { KAFKA, MONGO_CONNECTION, AuditController, ReplayController } from '@tracker/service-runtime';
import { AgreementsController } from './agreements/agreements.controller';
import { AgreementsService } from './agreements/agreements.service';
import { AgreementsConfig } from './config';
import { AgreementHistoryController } from './history/agreement-history.controller';
import { AgreementHistoryService } from './history/agreement-history.service';
import { AgreementJournalHandler } from './history/agreement-journal.handler';
import { MilestoneProgressHandler } from './milestone-progress/milestone-progress.handler';
import { OwnEventsHandler } from './own-events.handler';
import { agreementsProjections } from './read-models';

@Module({})
export class AppModule implements OnModuleInit {
  constructor(private readonly agreements: AgreementsService) {}

  /** `clock` replaces the system clock (tests move time with a TestClock). */
  static forRoot(config: AgreementsConfig, options: { clock?: Clock } = {}): DynamicModule {
    const clock = options.clock;
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          serviceName: 'agreements',
          title: 'Agreements API',
          description:
            'Register agreements (MoUs, framework agreements, treaties…) and follow them from signing to outcome. ' +
            'Errors are RFC 9457 problem details with a correlationId.',
          version: '1.0.0',
          config,
          ...(clock && { clock }),
          readiness: {
            inject: [MONGO_CONNECTION, KAFKA],
            useFactory: (db: Connection, kafka: Kafka) => [mongoReadiness(db), kafkaReadiness(kafka.admin())],
          },
        }),
        ServiceRuntimeModule.forRoot({
          serviceName: 'agreements',
          topic: Topics.agreements,
          settings: config,
          consumers: [
            { name: 'milestone-progress', topics: [Topics.milestones], handler: MilestoneProgressHandler },
            { name: 'agreement-views', topics: [Topics.agreements], handler: OwnEventsHandler },
            {
              name: 'agreement-journal',
              topics: [Topics.agreements, Topics.milestones, Topics.alerts],
              handler: AgreementJournalHandler,
            },
          ],
        }),
      ],
      controllers: [AgreementsController, AgreementHistoryController, AuditController, ReplayController],
      providers: [
        AgreementsService,
        MilestoneProgressHandler,
        OwnEventsHandler,
        AgreementHistoryService,
        AgreementJournalHandler,
        {
          provide: READ_MODEL_PROJECTIONS,
          inject: [AgreementsConfig],
          useFactory: (c: AgreementsConfig) => agreementsProjections(c.STALLED_AFTER_DAYS),
        },
      ],
    };
  }

  async onModuleInit(): Promise<void> {
    await this.agreements.init();
  }
}
