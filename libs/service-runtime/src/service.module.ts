/**
 * One Nest module for every service, built from its declaration: the platform (HTTP, auth, health, metrics,
 * Idempotency-Key records in the service's database), the connections, the event store, the read models, the
 * runtime (relay and consumers), the aggregates' command runner, replay and audit routes, and the service's own
 * controllers and providers.
 */
import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import mongoose from 'mongoose';
import { EventUpcasters } from '@tracker/contracts';
import { EventStore } from '@tracker/event-store';
import { createKafka } from '@tracker/messaging';
import { CLOCK, kafkaReadiness, mongoReadiness, PlatformModule, type Clock } from '@tracker/platform';
import { Aggregates } from './aggregates';
import { AuditController } from './audit.controller';
import type { EventSourcedServiceConfig } from './config';
import { AsyncApiController } from './asyncapi.controller';
import { DlqController } from './dlq.controller';
import { ReadModels } from './read-models';
import { ReplayController } from './replay.controller';
import { ReplayRunner } from './replay';
import { RUNTIME_SETTINGS, ServiceRuntime, type RuntimeSettings } from './runtime';
import { resolveService, type DefinedService, type ServiceDefinition, type ServiceModuleOptions } from './service-definition';
import { EVENT_STORE, KAFKA, MONGO_CONNECTION, SERVICE } from './tokens';

/** The connections, store and runtime of one service, for the whole app (its providers inject them). */
@Global()
@Module({})
class RuntimeModule {
  static forRoot(definition: ServiceDefinition<never>, config: EventSourcedServiceConfig, options: ServiceModuleOptions): DynamicModule {
    const settings: RuntimeSettings = {
      topicPrefix: config.KAFKA_TOPIC_PREFIX ?? '',
      partitions: config.KAFKA_TOPIC_PARTITIONS,
      ...(config.KAFKA_TOPIC_RETENTION_MS !== undefined && { retentionMs: config.KAFKA_TOPIC_RETENTION_MS }),
      ...(options.startMessaging === false && { startMessaging: false }),
    };
    const providers: Provider[] = [
      { provide: SERVICE, useValue: resolveService(definition as ServiceDefinition, config) },
      { provide: RUNTIME_SETTINGS, useValue: settings },
      {
        provide: MONGO_CONNECTION,
        useFactory: async () =>
          mongoose.createConnection(config.MONGO_URL, { dbName: config.MONGO_DB, autoIndex: false, serverSelectionTimeoutMS: 10000 }).asPromise(),
      },
      {
        provide: EVENT_STORE,
        inject: [MONGO_CONNECTION, CLOCK],
        // recordedAt follows the business clock too, so a demo at an offset or a test's clock stays consistent.
        // Older versions of every service's events read as the newest (contracts' upcasters): its own, and the
        // others' its consumers read through the same registry.
        useFactory: (connection: mongoose.Connection, clock: Clock) => new EventStore(connection, { now: () => clock.now(), upcasters: EventUpcasters }),
      },
      { provide: KAFKA, useFactory: () => createKafka({ brokers: config.KAFKA_BROKERS, clientId: definition.name }) },
      {
        provide: ReadModels,
        inject: [MONGO_CONNECTION],
        useFactory: async (connection: mongoose.Connection) => {
          const readModels = new ReadModels(connection, { refreshMs: config.READ_MODEL_REFRESH_MS });
          await readModels.start();
          return readModels;
        },
      },
      Aggregates,
      ServiceRuntime,
      ReplayRunner,
    ];
    return {
      module: RuntimeModule,
      providers,
      exports: [SERVICE, RUNTIME_SETTINGS, MONGO_CONNECTION, EVENT_STORE, KAFKA, ReadModels, Aggregates, ServiceRuntime, ReplayRunner],
    };
  }
}

@Module({})
export class ServiceModule {
  static forRoot<C extends EventSourcedServiceConfig>(definition: ServiceDefinition<C>, config: C, options: ServiceModuleOptions = {}): DynamicModule {
    const reactorHandlers = (definition.reactors ?? []).map((r) => r.handler);
    return {
      module: ServiceModule,
      imports: [
        PlatformModule.forRoot({
          serviceName: definition.name,
          ...definition.api,
          config,
          ...(options.clock && { clock: options.clock }),
          ...(options.logDestination && { logDestination: options.logDestination }),
          readiness: {
            inject: [MONGO_CONNECTION, KAFKA, ServiceRuntime],
            // Writes go on while Kafka is away (the outbox holds them): a broker outage is `degraded`, not unready;
            // so is a consumer paused on a dependency (its read model lags, nothing is lost).
            useFactory: (db: mongoose.Connection, kafka: Kafka, runtime: ServiceRuntime) => [
              mongoReadiness(db),
              kafkaReadiness(kafka.admin(), { required: false }),
              runtime.consumersReadiness(),
            ],
          },
          database: { inject: [MONGO_CONNECTION], useFactory: (db: mongoose.Connection) => db },
        }),
        RuntimeModule.forRoot(definition as ServiceDefinition<never>, config, options),
      ],
      controllers: [...definition.controllers, AuditController, ReplayController, DlqController, AsyncApiController],
      providers: [...(definition.providers ?? []), ...new Set(reactorHandlers)],
    };
  }
}

/** Declares a service; `forRoot(config)` is the module that runs it (main.ts: `bootstrapService(X.forRoot(config))`). */
export function defineService<C extends EventSourcedServiceConfig>(definition: ServiceDefinition<C>): DefinedService<C> {
  return { ...definition, forRoot: (config, options) => ServiceModule.forRoot(definition, config, options) };
}
