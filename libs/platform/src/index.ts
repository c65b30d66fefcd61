/**
 * @tracker/platform — the HTTP side every service shares: config, clock, API-key auth, problem details,
 * validation, logging with correlation ids, health, metrics registry, Idempotency-Key, the change and create
 * route shapes, housekeeping sweeps, HTTP bootstrap. No event store, no Kafka: those are @tracker/service-runtime's
 * (a lint rule keeps it so). The only public entry.
 *
 * In routes: `@ChangeRoute('milestones/:id/start', 'Start work', Milestone)` with `@Change() change: ChangeContext`,
 * `@CreateRoute('milestones', 'Plan a milestone', Milestone, (m) => `/milestones/${m.id}`)` (Milestone: the
 * documented response class),
 * `@ApiKeyRequired()` on a controller and `@ApiProblems(404)` on a route for the OpenAPI;
 * `@Roles('monitor')`, `@Public()`, `@CurrentActor() actor: Actor`, `@CorrelationId() id: string`; throw
 * `NotFoundProblem` / `ConflictProblem` / `UnprocessableProblem` / `Problem`. A `ConcurrencyError` (event store)
 * becomes 409 with `currentVersion` by itself (recognised by its shape).
 * Injectables: `@Inject(CLOCK) clock: Clock`, the config class itself, `MetricsService`, `Housekeeping`.
 */

// Config
export { BaseServiceConfig } from './config/base-service-config';
export { loadConfig, loadConfigOrExit, ConfigError, type ConfigIssue } from './config/load-config';

// Clock
export { CLOCK, PLATFORM_LOGGER, PLATFORM_OPTIONS } from './tokens';
export { SystemClock, type Clock } from './clock/clock';

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
export { MeController, MeResponse } from './auth/me.controller';

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
export { textProblem } from './validation/text-hygiene';

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
export { Drain } from './health/drain';
export { MetricsService } from './metrics/metrics.service';
export { Housekeeping, type Sweep } from './housekeeping';

// Outbound requests (webhooks): where the services may call, OWASP's SSRF guidance.
export { OutboundPolicy, OutboundRefused, postOutbound, refusedAddress, type OutboundResult } from './outbound/outbound-policy';

// HTTP app
export { PlatformModule, type PlatformOptions, type ReadinessFactory, type FactoryOf } from './http/platform.module';
export { Change, ChangeRoute, CreateRoute, ResourceHeadersInterceptor, etagOf, type ChangeContext } from './http/routes';
// OpenAPI: the problem document, the 202 of a stored change, error statuses, id parameters, response headers.
export {
  ApiKeyRequired,
  ApiNowOrThen,
  ApiProblem,
  ApiProblems,
  ApiPublic,
  ApiStored,
  ApiUuidParam,
  ChangeStored,
  FieldErrorDetails,
  PLATFORM_SCHEMAS,
  ProblemDetails,
  RESPONSE_HEADERS,
  StoredChange,
  type ProblemStatus,
} from './http/openapi';
export { configureApp, createHttpApp, bootstrapService } from './http/bootstrap';
// CSV downloads: RFC 4180, streamed, cells guarded against formulas.
export { ApiCsvResponse, csvCell, csvColumnsDescription, sendCsv, type CsvColumn, type CsvValue } from './http/csv';

// Shared DTO pieces and idempotent POSTs
export * from './dto';
export * from './idempotency';
