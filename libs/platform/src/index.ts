/**
 * @tracker/platform — what every service uses the same way: config, clock, API-key auth, problem details,
 * validation, logging with correlation ids, health, metrics, HTTP bootstrap. The only public entry.
 *
 * A service:
 * ```ts
 * // config.ts
 * export class AgreementsConfig extends BaseServiceConfig { override PORT = 3001; override MONGO_DB = 'agreements'; }
 *
 * // app.module.ts
 * @Module({})
 * export class AppModule {
 *   static forRoot(config: AgreementsConfig): DynamicModule {
 *     return {
 *       module: AppModule,
 *       imports: [
 *         PlatformModule.forRoot({
 *           serviceName: 'agreements', title: 'Agreements API', version: '1.0.0', config,
 *           // Readiness: a list of {name, check}, or a factory injecting the service's own providers.
 *           readiness: {
 *             inject: [MONGO_CONNECTION, KAFKA],
 *             useFactory: (db: Connection, kafka: Kafka) => [mongoReadiness(db), kafkaReadiness(kafka.admin())],
 *           },
 *         }),
 *       ],
 *       controllers: [AgreementsController],
 *     };
 *   }
 * }
 *
 * // main.ts
 * const config = loadConfigOrExit(AgreementsConfig); // prints every bad variable and exits 1
 * void bootstrapService(AppModule.forRoot(config));   // helmet, limits, CORS, Swagger, listen on PORT
 * ```
 * In routes: `@Roles('monitor')`, `@Public()`, `@CurrentActor() actor: Actor`, `@CorrelationId() id: string`,
 * `parseIfMatch(ifMatch, { required: true })`, throw `NotFoundProblem` / `ConflictProblem` / `UnprocessableProblem`
 * / `Problem`. A `ConcurrencyError` (event store) becomes 409 with `currentVersion` by itself.
 * Injectables: `@Inject(CLOCK) clock: Clock`, the config class itself, `MetricsService`.
 * Kafka consumers: `correlationContext.run(envelope.correlationId, () => handle(envelope))` so logs carry the id.
 * Tests: `DEV_KEYS.monitor` etc. are accepted outside production when API_KEYS is unset; `TestClock`.
 */

// Config
export { BaseServiceConfig } from './config/base-service-config';
export { loadConfig, loadConfigOrExit, ConfigError, type ConfigIssue } from './config/load-config';

// Clock
export { CLOCK, PLATFORM_LOGGER, PLATFORM_OPTIONS } from './tokens';
export { SystemClock, TestClock, type Clock, type Duration } from './clock/clock';

// Auth
export { Public, Roles, CurrentActor, requireRole, IS_PUBLIC, REQUIRED_ROLES } from './auth/decorators';
export {
  DEV_KEYS,
  ROLES,
  ApiKeyStore,
  hashApiKey,
  parseApiKeys,
  bearerToken,
  type ApiKeyRecord,
} from './auth/api-keys';
export { ApiKeyGuard, actingRole } from './auth/api-key.guard';

// Errors
export {
  Problem,
  ValidationProblem,
  NotFoundProblem,
  ConflictProblem,
  UnprocessableProblem,
  ForbiddenProblem,
  UnauthorizedProblem,
  PreconditionRequiredProblem,
  problemType,
  type ProblemBody,
  type FieldError,
} from './errors/problem';
export { parseIfMatch } from './errors/if-match';
export { ProblemFilter, toProblem } from './errors/problem.filter';

// Validation
export { createValidationPipe, flattenValidationErrors } from './validation/validation';
export { MongoOperatorGuard, findUnsafeBodyFields, findUnsafeQueryFields } from './validation/operator-guard';

// Logging
export {
  correlationContext,
  CorrelationId,
  CORRELATION_HEADER,
  ensureCorrelationId,
} from './logging/correlation';
export { createPinoLogger, REDACTED_PATHS } from './logging/logger';

// Health and metrics
export { mongoReadiness, kafkaReadiness, withTimeout, type ReadinessCheck } from './health/readiness';
export { MetricsService, type PartitionLagSample } from './metrics/metrics.service';

// HTTP app
export { PlatformModule, type PlatformOptions, type ReadinessFactory } from './http/platform.module';
export { configureApp, createHttpApp, bootstrapService } from './http/bootstrap';

// Shared DTO pieces, idempotent POSTs and the event-sourced runtime (Mongo, event store, outbox relay, consumers)
export * from './dto';
export * from './idempotency';
export * from './runtime';
export * from './read-models';
