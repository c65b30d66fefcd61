/**
 * The OpenAPI side of the platform, written once: the RFC 9457 problem document every error answers with, the 202
 * a command answers when its change was stored but could not be read back, the decorators that document which
 * error statuses a route can answer, the response headers of the routes that change things, and id parameters.
 * `configureApp` registers the two schemas in every service's document (`extraModels`), so the decorators only
 * refer to them.
 */
import { applyDecorators, type Type } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiParam, ApiProperty, ApiPropertyOptional, ApiResponse, ApiSecurity, getSchemaPath, type HeadersObject } from '@nestjs/swagger';
import { CORRELATION_HEADER } from '../logging/correlation';

export class FieldErrorDetails {
  @ApiProperty({ example: 'parties[0].country', description: 'the offending input: a body path, a query parameter or a header name' })
  field: string;

  @ApiProperty({ example: 'country must be an ISO 3166-1 alpha-2 code such as TR or UZ' })
  message: string;
}

/** application/problem+json (RFC 9457), as the ProblemFilter writes it: the members below and the extensions named. */
export class ProblemDetails {
  @ApiProperty({ format: 'uri', example: 'urn:tracker:problem:validation-error', description: 'a stable identifier of the kind of problem (urn:tracker:problem:…, not meant to be fetched)' })
  type: string;

  @ApiProperty({ example: 'Validation failed' })
  title: string;

  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599, example: 400, description: 'the HTTP status, repeated' })
  status: number;

  @ApiPropertyOptional({ example: 'The request is invalid: see errors for each field.' })
  detail?: string;

  @ApiProperty({ example: '/agreements', description: 'the path of the request' })
  instance: string;

  @ApiProperty({ example: '0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c70', description: `the request's correlation id (also in ${CORRELATION_HEADER}): quote it when reporting a problem` })
  correlationId: string;

  @ApiPropertyOptional({ type: [FieldErrorDetails], description: '400 and some 422: one entry per invalid field' })
  errors?: FieldErrorDetails[];

  @ApiPropertyOptional({ type: 'integer', minimum: 0, example: 3, description: '409 of a stale If-Match: the version the resource is at now (read it again, retry with this If-Match)' })
  currentVersion?: number;

  @ApiPropertyOptional({ format: 'uuid', description: '409 of POST /admin/replays: the replay that is running' })
  runningReplayId?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: '503 of /health/ready: the result of each readiness check' })
  checks?: Record<string, unknown>;
}

export class StoredChange {
  @ApiProperty({ example: 'agreement-0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c70' })
  streamId: string;

  @ApiProperty({ type: 'integer', minimum: 1, example: 2 })
  version: number;
}

/** 202 of a command whose events were stored before a later step (writing or reading back a view) failed. */
export class ChangeStored {
  @ApiProperty({ enum: ['stored'] })
  status: 'stored';

  @ApiProperty({ example: 'The change was stored, but the updated resource could not be read back (a dependency failed after the change was stored). Nothing is lost: read the resource again in a moment.' })
  detail: string;

  @ApiProperty({ type: [StoredChange], description: 'the events stored: stream and version' })
  stored: StoredChange[];

  @ApiProperty({ example: '0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c70' })
  correlationId: string;
}

/** The schemas every service's document holds whether or not a route names them (registered by configureApp). */
export const PLATFORM_SCHEMAS = [ProblemDetails, ChangeStored];

/**
 * The error statuses the services answer. No 412: a stale If-Match is a 409 with `currentVersion` (the event store's
 * expected-version check), a missing one 428, a malformed one 400.
 */
export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 428 | 429 | 503;

const PROBLEMS: Record<ProblemStatus, { description: string; headers?: HeadersObject }> = {
  400: { description: 'The request is invalid: `errors` names each invalid field (body, query or path parameter, header), or the body is not valid JSON, UTF-8 or compressed data.' },
  401: {
    description: 'No API key, or one that is not configured (send Authorization: Bearer <key>).',
    headers: { 'WWW-Authenticate': { description: 'the Bearer challenge', schema: { type: 'string', example: 'Bearer realm="agreements"' } } },
  },
  403: { description: 'The API key does not have a role this route requires.' },
  404: { description: 'Not found.' },
  409: { description: 'Conflict.' },
  413: { description: 'The request body exceeds the size limit.' },
  415: { description: 'The body is not JSON (send Content-Type: application/json), or its Content-Encoding is not gzip, deflate or br.' },
  422: { description: 'Well-formed, but not allowed (a business rule, e.g. a date in the future).' },
  428: { description: 'If-Match is required: send the version (ETag) the change is based on, e.g. If-Match: "3".' },
  429: {
    description: 'Rate limit exceeded.',
    headers: { 'Retry-After': { description: 'seconds to wait', schema: { type: 'integer', minimum: 0 } } },
  },
  503: { description: 'Not ready: a required dependency is down (`checks` tells which).' },
};

function problemResponse(status: ProblemStatus, description?: string) {
  const { description: general, headers } = PROBLEMS[status];
  return ApiResponse({
    status,
    description: description ?? general,
    ...(headers && { headers }),
    content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDetails) } } },
  });
}

/**
 * The error statuses a route (or every route of a controller) can answer, each an application/problem+json
 * ProblemDetails. What a status means on one route in particular: {@link ApiProblem}.
 */
export function ApiProblems(...statuses: ProblemStatus[]) {
  return applyDecorators(...statuses.map((status) => problemResponse(status)));
}

/**
 * One error status with what it means on this route: added to what another decorator of the route says of it
 * (`ChangeRoute`'s 409), in place of what the controller's say (`ApiKeyRequired`'s 400).
 */
export function ApiProblem(status: ProblemStatus, description: string) {
  return problemResponse(status, description);
}

/**
 * On a controller whose routes need an API key: the bearer scheme, and the errors any such route may answer
 * (400 for unsafe query names, 401, 403 for a key without the route's role, 429). `anyKey`: no route checks a role.
 */
export function ApiKeyRequired(options: { anyKey?: boolean } = {}) {
  return applyDecorators(ApiBearerAuth(), ApiProblems(400, 401, ...(options.anyKey ? [] : [403 as const]), 429));
}

/**
 * On a controller of public routes (health, metrics): no key needed. The document asks for the bearer key by
 * default; an empty security requirement (`[{}]`) lifts that.
 */
export function ApiPublic() {
  return ApiSecurity({});
}

/** The 202 of a command whose events were stored although its answer could not be built ({@link ChangeStored}). */
export function ApiStored() {
  return ApiResponse({
    status: 202,
    description: 'The change was stored, but the resource could not be read back: nothing is lost, read it again in a moment.',
    type: ChangeStored,
  });
}

/** A path parameter that is a UUID (validated by ParseUUIDPipe): `id` unless named. */
export function ApiUuidParam(name = 'id', description?: string) {
  return ApiParam({ name, format: 'uuid', ...(description && { description }) });
}

/** Response headers of the routes that answer a resource, a creation or a retried creation. */
export const RESPONSE_HEADERS = {
  etag: { ETag: { description: 'the version of the resource, to send back as If-Match', schema: { type: 'string', example: '"3"' } } },
  location: { Location: { description: 'the path of the resource, e.g. /agreements/{id}', schema: { type: 'string' } } },
  replayed: {
    'Idempotent-Replayed': { description: 'a retry with the same Idempotency-Key: the answer of the first request', schema: { type: 'string', enum: ['true'] } },
  },
} satisfies Record<string, HeadersObject>;

/**
 * GET of a resource by id that answers it now (`now`, with its ETag) or, given ?validAt= / ?knownAt= (ADR 0008),
 * as it was then (`then`); 404 for an unknown id.
 */
export function ApiNowOrThen(now: Type, then: Type) {
  return applyDecorators(
    ApiUuidParam(),
    ApiExtraModels(now, then),
    ApiOkResponse({
      description: `the ${now.name.toLowerCase()} now (${now.name}, with its ETag), or as it was then (${then.name}) when a clock is given`,
      headers: RESPONSE_HEADERS.etag,
      schema: { oneOf: [{ $ref: getSchemaPath(now) }, { $ref: getSchemaPath(then) }] },
    }),
    ApiProblems(404),
  );
}
