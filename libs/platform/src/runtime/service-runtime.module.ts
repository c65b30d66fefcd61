import { Global, Module, type DynamicModule } from '@nestjs/common';
import mongoose from 'mongoose';
import { EventStore } from '@tracker/event-store';
import { createKafka } from '@tracker/messaging';
import type { Clock } from '../clock/clock';
import { IdempotencyStore } from '../idempotency';
import { ReadModels } from '../read-models/read-models';
import { ReplayRunner } from '../read-models/replay';
import { CLOCK } from '../tokens';
import { EventSourcedRuntime, type ServiceRuntimeOptions } from './event-sourced-runtime';
import { EVENT_STORE, KAFKA, MONGO_CONNECTION, SERVICE_RUNTIME_OPTIONS } from './tokens';

export interface RuntimeConnectionSettings {
  MONGO_URL: string;
  MONGO_DB: string;
  KAFKA_BROKERS: string;
  KAFKA_TOPIC_PREFIX?: string;
  KAFKA_TOPIC_PARTITIONS?: number;
  KAFKA_TOPIC_RETENTION_MS?: number;
  READ_MODEL_REFRESH_MS?: number;
}

/**
 * Provides MONGO_CONNECTION, EVENT_STORE, KAFKA, IdempotencyStore, ReadModels (the read models' collections),
 * ReplayRunner and the EventSourcedRuntime (relay and consumers) to a service. Needs PlatformModule (CLOCK) in the same application.
 */
@Global()
@Module({})
export class ServiceRuntimeModule {
  static forRoot(options: ServiceRuntimeOptions & { settings: RuntimeConnectionSettings }): DynamicModule {
    const { settings, ...rest } = options;
    const runtimeOptions: ServiceRuntimeOptions = {
      topicPrefix: settings.KAFKA_TOPIC_PREFIX ?? '',
      ...(settings.KAFKA_TOPIC_PARTITIONS !== undefined && { partitions: settings.KAFKA_TOPIC_PARTITIONS }),
      ...(settings.KAFKA_TOPIC_RETENTION_MS !== undefined && { retentionMs: settings.KAFKA_TOPIC_RETENTION_MS }),
      ...rest,
    };
    return {
      module: ServiceRuntimeModule,
      providers: [
        { provide: SERVICE_RUNTIME_OPTIONS, useValue: runtimeOptions },
        {
          provide: MONGO_CONNECTION,
          useFactory: async () =>
            mongoose
              .createConnection(settings.MONGO_URL, { dbName: settings.MONGO_DB, autoIndex: false, serverSelectionTimeoutMS: 10000 })
              .asPromise(),
        },
        {
          provide: EVENT_STORE,
          inject: [MONGO_CONNECTION, CLOCK],
          // recordedAt follows the business clock too, so a demo at an offset or a test's clock stays consistent.
          useFactory: (connection: mongoose.Connection, clock: Clock) => new EventStore(connection, { now: () => clock.now() }),
        },
        {
          provide: KAFKA,
          useFactory: () => createKafka({ brokers: settings.KAFKA_BROKERS, clientId: runtimeOptions.serviceName }),
        },
        {
          provide: IdempotencyStore,
          inject: [MONGO_CONNECTION],
          useFactory: async (connection: mongoose.Connection) => {
            const store = new IdempotencyStore(connection);
            await store.init();
            return store;
          },
        },
        {
          provide: ReadModels,
          inject: [MONGO_CONNECTION],
          useFactory: async (connection: mongoose.Connection) => {
            const readModels = new ReadModels(connection, { refreshMs: settings.READ_MODEL_REFRESH_MS ?? 5000 });
            await readModels.start();
            return readModels;
          },
        },
        EventSourcedRuntime,
        ReplayRunner,
      ],
      exports: [MONGO_CONNECTION, EVENT_STORE, KAFKA, IdempotencyStore, EventSourcedRuntime, SERVICE_RUNTIME_OPTIONS, ReadModels, ReplayRunner],
    };
  }
}
