/**
 * The shapes of the routes that change things, written once: a change of an existing resource (POST, 200,
 * If-Match required, the new version as ETag) and the creation of one (POST, 201, Location and ETag,
 * Idempotency-Key honoured). A handler then takes only what it needs: `@Param('id') id`, its body and
 * `@Change() change` (who, which correlation id, which expected version).
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
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiHeader, ApiOperation } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { map, type Observable } from 'rxjs';
import type { Actor, Role } from '@tracker/contracts';
import { Roles } from '../auth/decorators';
import { parseIfMatch } from '../errors/if-match';
import { IdempotencyInterceptor } from '../idempotency/idempotency.interceptor';
import { ensureCorrelationId } from '../logging/correlation';

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

const IF_MATCH = { name: 'If-Match', required: true, description: 'the version from the ETag, e.g. "3"' };

/** POST `path`, 200, If-Match required, ETag of the new version; `monitor` unless other roles are named. */
export function ChangeRoute(path: string, summary: string, ...roles: Role[]) {
  return applyDecorators(
    Post(path),
    HttpCode(200),
    Roles(...(roles.length > 0 ? roles : (['monitor'] as Role[]))),
    ApiHeader(IF_MATCH),
    ApiOperation({ summary }),
    UseInterceptors(ResourceHeadersInterceptor),
  );
}

/**
 * POST `path` ('' for the controller's own path), 201 with Location (from the created resource) and ETag;
 * retried safely with Idempotency-Key.
 */
export function CreateRoute<T>(path: string, summary: string, location: (created: T) => string, ...roles: Role[]) {
  return applyDecorators(
    path === '' ? Post() : Post(path),
    HttpCode(201),
    Roles(...(roles.length > 0 ? roles : (['monitor'] as Role[]))),
    ApiHeader({ name: 'Idempotency-Key', required: false, description: 'a retry with the same key and body gets the first response again' }),
    ApiOperation({ summary }),
    SetMetadata(LOCATION, location),
    // Outermost first: the kept response includes the headers the inner interceptor sets.
    UseInterceptors(IdempotencyInterceptor, ResourceHeadersInterceptor),
  );
}
