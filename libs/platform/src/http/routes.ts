/**
 * The shapes of the routes that change things, written once: a change of an existing resource (POST, 200,
 * If-Match required, the new version as ETag) and the creation of one (POST, 201, Location and ETag,
 * Idempotency-Key honoured), each documented with the resource it answers, its headers and the errors it can
 * answer. A handler then takes only what it needs: `@Param('id') id`, its body and `@Change() change` (who, which
 * correlation id, which expected version).
 */
import {
  applyDecorators,
  createParamDecorator,
  HttpCode,
  Injectable,
  Post,
  SetMetadata,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
  type Type,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { map, type Observable } from 'rxjs';
import type { Actor, Role } from '@tracker/contracts';
import { Roles } from '../auth/decorators';
import { parseIfMatch } from '../errors/if-match';
import { IdempotencyInterceptor } from '../idempotency/idempotency.interceptor';
import { ensureCorrelationId } from '../logging/correlation';
import { ApiProblem, ApiProblems, ApiStored, ApiUuidParam, RESPONSE_HEADERS } from './openapi';

/** The ETag of a resource at `version`: `"3"` (what If-Match sends back). */
export const etagOf = (version: number): string => `"${version}"`;

const LOCATION = 'platform:location';

/** Sets ETag from the returned resource's `version` and, on a creation, Location from the route's function. */
@Injectable()
export class ResourceHeadersInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const res = context.switchToHttp().getResponse<Response>();
    const location = this.reflector.get<((body: never) => string) | undefined>(LOCATION, context.getHandler());
    return next.handle().pipe(
      map((body: unknown) => {
        const version = (body as { version?: unknown } | null)?.version;
        if (typeof version === 'number') res.setHeader('ETag', etagOf(version));
        if (location) res.setHeader('Location', location(body as never));
        return body;
      }),
    );
  }
}

/** Who changes what, from the request: the actor, the correlation id and the If-Match version. */
export interface ChangeContext {
  actor: Actor;
  correlationId: string;
  /** The If-Match version; read lazily so that a bad body's 400 still comes before a missing If-Match's 428. */
  readonly expectedVersion: number;
}

export const Change = createParamDecorator((_: unknown, ctx: ExecutionContext): ChangeContext => {
  const req = ctx.switchToHttp().getRequest<Request & { actor: Actor }>();
  const correlationId = ensureCorrelationId(req, ctx.switchToHttp().getResponse<Response>());
  return {
    actor: req.actor,
    correlationId,
    get expectedVersion() {
      return parseIfMatch(req.headers['if-match'], { required: true });
    },
  };
});

const IF_MATCH = {
  name: 'If-Match',
  required: true,
  description: 'the version from the ETag, e.g. "3"',
  schema: { type: 'string', pattern: '^(W/)?"[0-9]{1,15}"$|^[0-9]{1,15}$', example: '"3"' },
};
const IDEMPOTENCY_KEY = {
  name: 'Idempotency-Key',
  required: false,
  description: 'a retry with the same key and body gets the first response again',
  schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,200}$', example: 'register-tr-uz-2026-01' },
};

/** The path parameters of a change route (`:id`): ids of resources, UUIDs. */
const uuidParams = (path: string) => [...path.matchAll(/:(\w+)/g)].map(([, name]) => ApiUuidParam(name));

/**
 * POST `path`, 200 with `resource` and the ETag of the new version, If-Match required; `monitor` unless other
 * roles are named.
 */
export function ChangeRoute<T>(path: string, summary: string, resource: Type<T>, ...roles: Role[]) {
  return applyDecorators(
    Post(path),
    HttpCode(200),
    Roles(...(roles.length > 0 ? roles : (['monitor'] as Role[]))),
    ApiHeader(IF_MATCH),
    ApiOperation({ summary }),
    ...uuidParams(path),
    ApiOkResponse({ type: resource, description: 'the resource after the change', headers: RESPONSE_HEADERS.etag }),
    ApiStored(),
    ApiProblems(404, 413, 415, 422, 428),
    ApiProblem(409, 'The resource changed since the version in If-Match (`currentVersion` is the version it is at now: read it again), or the change is not allowed in its state.'),
    UseInterceptors(ResourceHeadersInterceptor),
  );
}

/**
 * POST `path` ('' for the controller's own path), 201 with `resource`, Location (from the created resource) and
 * ETag; retried safely with Idempotency-Key.
 */
export function CreateRoute<T>(path: string, summary: string, resource: Type<T>, location: (created: T) => string, ...roles: Role[]) {
  return applyDecorators(
    path === '' ? Post() : Post(path),
    HttpCode(201),
    Roles(...(roles.length > 0 ? roles : (['monitor'] as Role[]))),
    ApiHeader(IDEMPOTENCY_KEY),
    ApiOperation({ summary }),
    ApiCreatedResponse({
      type: resource,
      description: 'created (or, retried with its Idempotency-Key, the first answer again)',
      headers: { ...RESPONSE_HEADERS.location, ...RESPONSE_HEADERS.etag, ...RESPONSE_HEADERS.replayed },
    }),
    ApiStored(),
    ApiProblems(413, 415),
    ApiProblem(409, 'A request with this Idempotency-Key is still being processed: retry in a moment.'),
    ApiProblem(422, 'This Idempotency-Key was used for a different request: use a new key for a new request.'),
    SetMetadata(LOCATION, location),
    // Outermost first: the kept response includes the headers the inner interceptor sets.
    UseInterceptors(IdempotencyInterceptor, ResourceHeadersInterceptor),
  );
}
