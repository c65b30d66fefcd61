import { Module, type DynamicModule } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { Connection } from 'mongoose';
import { Topics } from '@tracker/contracts';
import {
  KAFKA,
  kafkaReadiness,
  MONGO_CONNECTION,
  mongoReadiness,
  PlatformModule,
  ServiceRuntimeModule,
  type Clock,
} from '@tracker/platform';
import { AlertsConfig } from './config';

/**
 * The alerts service. So far it stands up with its store, its topic and the shared platform (health, metrics,
 * docs, auth); deadline scanning, subscriptions and deliveries are the next slices (issue 7).
 */
@Module({})
export class AppModule {
  static forRoot(config: AlertsConfig, options: { clock?: Clock } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          serviceName: 'alerts',
          title: 'Alerts API',
          description: 'Stakeholders hear when deadlines approach, slip or are missed. Errors are RFC 9457 problem details.',
          version: '0.1.0',
          config,
          ...(options.clock && { clock: options.clock }),
          readiness: {
            inject: [MONGO_CONNECTION, KAFKA],
            useFactory: (db: Connection, kafka: Kafka) => [mongoReadiness(db), kafkaReadiness(kafka.admin())],
          },
        }),
        ServiceRuntimeModule.forRoot({ serviceName: 'alerts', topic: Topics.alerts, settings: config }),
      ],
    };
  }
}
