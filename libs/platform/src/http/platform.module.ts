import {
  Global,
  Module,
  RequestMethod,
  type DynamicModule,
  type InjectionToken,
  type MiddlewareConsumer,
  type NestModule,
  type Provider,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import type { Connection } from 'mongoose';
import type { DestinationStream } from 'pino';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { ApiKeyStore } from '../auth/api-keys';
import { MeController } from '../auth/me.controller';
import { SystemClock, type Clock } from '../clock/clock';
import { BaseServiceConfig } from '../config/base-service-config';
import { ConfigError } from '../config/load-config';
import { ProblemFilter } from '../errors/problem.filter';
import { HealthController, READINESS_CHECKS } from '../health/health.controller';
import { Drain } from '../health/drain';
import { Housekeeping } from '../housekeeping';
import { IdempotencyStore } from '../idempotency/idempotency-store';
import { ProcessInstances } from '../idempotency/instances';
import type { ReadinessCheck } from '../health/readiness';
import { correlationContextMiddleware } from '../logging/correlation';
import { createPinoLogger, pinoHttpOptions } from '../logging/logger';
import { MetricsController } from '../metrics/metrics.controller';
import { MetricsService } from '../metrics/metrics.service';
import { MongoOperatorGuard } from '../validation/operator-guard';
import { createValidationPipe } from '../validation/validation';
import { CLOCK, PLATFORM_LOGGER, PLATFORM_OPTIONS } from '../tokens';
import { HttpThrottlerGuard, throttlerOptions } from './rate-limit';

/** Something built from the service's own providers (its connection, its Kafka client). */
export interface FactoryOf<T> {
  inject?: InjectionToken[];
  useFactory: (...deps: never[]) => T | Promise<T>;
}

/** Readiness checks built from the service's own providers. */
export type ReadinessFactory = FactoryOf<ReadinessCheck[]>;

export interface PlatformOptions<C extends BaseServiceConfig = BaseServiceConfig> {
  /** `agreements`: log field, metric label, realm. */
  serviceName: string;
  /** The validated config (loadConfig); also provided for injection under its class and BaseServiceConfig. */
  config: C;
  /** OpenAPI title, description and version. */
  title?: string;
  description?: string;
  version?: string;
  /** What /health/ready checks: a list, or a factory injecting the service's providers. Default: none. */
  readiness?: ReadinessCheck[] | ReadinessFactory;
  /** The business clock; default SystemClock shifted by CLOCK_OFFSET_MS. Tests pass a TestClock. */
  clock?: Clock;
  /** Where logs go (default stdout). Tests capture them. */
  logDestination?: DestinationStream;
  /** The database of Idempotency-Key records (POSTs with `CreateRoute`): the service's connection. */
  database?: FactoryOf<Connection>;
  /** How long a retried POST with the same Idempotency-Key returns the first answer. Default 24 h. */
  idempotencyKeyTtlMs?: number;
  /** How often Housekeeping sweeps (no TTL indexes on FerretDB); 0 = never. Default 1 h. */
  sweepIntervalMs?: number;
}

/**
 * Registers, for the whole app: API-key auth (global guard), rate limiting, the Mongo-operator guard, the
 * validation pipe, the problem-details filter, pino logging with correlation ids, the clock, config,
 * /health/live, /health/ready and /metrics. Pair with `configureApp` (or `createHttpApp`) for the HTTP-level
 * settings (helmet, body limit, CORS, Swagger, shutdown hooks).
 */
@Global()
@Module({})
export class PlatformModule implements NestModule {
  static forRoot<C extends BaseServiceConfig>(options: PlatformOptions<C>): DynamicModule {
    const { config } = options;
    let keys: ApiKeyStore;
    try {
      keys = ApiKeyStore.fromConfig(config);
    } catch (err) {
      throw new ConfigError(config.constructor.name, [
        { variable: 'API_KEYS', value: undefined, messages: [(err as Error).message] },
      ]);
    }
    const logger = createPinoLogger({
      serviceName: options.serviceName,
      level: config.LOG_LEVEL,
      destination: options.logDestination,
    });
    const readiness: Provider =
      Array.isArray(options.readiness) || !options.readiness
        ? { provide: READINESS_CHECKS, useValue: options.readiness ?? [] }
        : {
            provide: READINESS_CHECKS,
            inject: options.readiness.inject ?? [],
            useFactory: options.readiness.useFactory,
          };
    const housekeeping = new Housekeeping(options.sweepIntervalMs ?? 3_600_000);
    const idempotency: Provider[] = options.database
      ? [
          {
            provide: ProcessInstances,
            inject: options.database.inject ?? [],
            useFactory: async (...deps: never[]) => {
              const instances = new ProcessInstances(await options.database!.useFactory(...deps));
              await instances.start();
              housekeeping.register('processInstances', (now) => instances.sweep(86_400_000, now));
              return instances;
            },
          },
          {
            provide: IdempotencyStore,
            inject: [...(options.database.inject ?? []), ProcessInstances],
            useFactory: async (...deps: never[]) => {
              const instances = deps.at(-1) as unknown as ProcessInstances;
              const connection = await options.database!.useFactory(...deps.slice(0, -1));
              const store = new IdempotencyStore(connection, undefined, undefined, instances);
              await store.init();
              const ttl = options.idempotencyKeyTtlMs ?? 86_400_000;
              housekeeping.register('idempotencyKeys', (now) => store.sweep(ttl, now));
              return store;
            },
          },
        ]
      : [];
    const configProviders: Provider[] = [{ provide: BaseServiceConfig, useValue: config }];
    if (config.constructor !== BaseServiceConfig)
      configProviders.push({ provide: config.constructor, useValue: config });

    return {
      module: PlatformModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: pinoHttpOptions(logger),
          forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
        }),
        ThrottlerModule.forRoot(throttlerOptions(keys, config.RATE_LIMIT_PER_MINUTE)),
        TerminusModule.forRoot({ errorLogStyle: 'json' }),
      ],
      controllers: [HealthController, MetricsController, MeController],
      providers: [
        { provide: PLATFORM_OPTIONS, useValue: options },
        { provide: PLATFORM_LOGGER, useValue: logger },
        { provide: ApiKeyStore, useValue: keys },
        { provide: CLOCK, useValue: options.clock ?? new SystemClock(config.CLOCK_OFFSET_MS) },
        { provide: MetricsService, useFactory: () => new MetricsService(options.serviceName) },
        readiness,
        Drain,
        { provide: Housekeeping, useValue: housekeeping },
        ...idempotency,
        ...configProviders,
        // Guards run in this order: rate limit (also for bad keys), then auth, then the operator check.
        { provide: APP_GUARD, useClass: HttpThrottlerGuard },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_GUARD, useClass: MongoOperatorGuard },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
      exports: [
        PLATFORM_OPTIONS,
        PLATFORM_LOGGER,
        ApiKeyStore,
        CLOCK,
        MetricsService,
        Housekeeping,
        Drain,
        ...idempotency.map((p) => (p as { provide: InjectionToken }).provide),
        ...configProviders.map((p) => (p as { provide: InjectionToken }).provide),
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(correlationContextMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
