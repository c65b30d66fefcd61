import { Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { Connection } from 'mongoose';
import { Topics } from '@tracker/contracts';
import {
  KAFKA,
  kafkaReadiness,
  MONGO_CONNECTION,
  mongoReadiness,
  AuditController,
  PlatformModule,
  READ_MODEL_PROJECTIONS,
  ReplayController,
  ServiceRuntimeModule,
  type Clock,
} from '@tracker/platform';
import { AgreementDirectory } from './agreement-directory/agreement-directory';
import { AgreementEventsHandler } from './agreement-directory/agreement-events.handler';
import { MilestonesConfig } from './config';
import { MilestonesController } from './milestones/milestones.controller';
import { MilestonesService } from './milestones/milestones.service';
import { OwnEventsHandler } from './own-events.handler';
import { milestonesProjections } from './read-models';

@Module({})
export class AppModule implements OnModuleInit {
  constructor(
    private readonly milestones: MilestonesService,
    private readonly directory: AgreementDirectory,
  ) {}

  /** `clock` replaces the system clock (tests move time with a TestClock). */
  static forRoot(config: MilestonesConfig, options: { clock?: Clock } = {}): DynamicModule {
    const clock = options.clock;
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          serviceName: 'milestones',
          title: 'Milestones API',
          description:
            'Plan implementation milestones of agreements, report progress, reschedule (slips) and record outcomes. ' +
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
          serviceName: 'milestones',
          topic: Topics.milestones,
          settings: config,
          consumers: [
            { name: 'agreement-directory', topics: [Topics.agreements], handler: AgreementEventsHandler },
            { name: 'milestone-views', topics: [Topics.milestones], handler: OwnEventsHandler },
          ],
        }),
      ],
      controllers: [MilestonesController, AuditController, ReplayController],
      providers: [
        MilestonesService,
        AgreementDirectory,
        AgreementEventsHandler,
        OwnEventsHandler,
        { provide: READ_MODEL_PROJECTIONS, useValue: milestonesProjections },
      ],
    };
  }

  async onModuleInit(): Promise<void> {
    await Promise.all([this.milestones.init(), this.directory.init()]);
  }
}
