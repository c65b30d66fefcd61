/**
 * Correlation ids tie a request, the events it causes and every log line about them together. HTTP: taken from
 * `X-Correlation-Id` when well-formed, else a new UUID v7; echoed in the response. Kafka consumers: run the
 * handler inside `correlationContext.run(envelope.correlationId, fn)` and every log line carries it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { v7 as uuidv7 } from 'uuid';
import { requestEffects } from '../idempotency/keyed-request';

export const CORRELATION_HEADER = 'X-Correlation-Id';
// Accepting any client string would let it inject into logs; ids from other systems are usually UUIDs or similar.
const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

interface CorrelationStore {
  correlationId: string;
  /** True in HTTP requests, where pino-http's request logger already carries the id (no duplicate field). */
  boundToRequestLogger: boolean;
}

const storage = new AsyncLocalStorage<CorrelationStore>();

export const correlationContext = {
  /** Runs `fn` with `correlationId` as the current correlation id (also accepts `run(fn, id)`). */
  run<T>(correlationIdOrFn: string | (() => T), fnOrId: (() => T) | string): T {
    const [id, fn] =
      typeof correlationIdOrFn === 'function'
        ? [fnOrId as string, correlationIdOrFn]
        : [correlationIdOrFn, fnOrId as () => T];
    return storage.run({ correlationId: id, boundToRequestLogger: false }, fn);
  },
  /** The current correlation id, if inside `run` or an HTTP request. */
  current(): string | undefined {
    return storage.getStore()?.correlationId;
  },
  /** @internal for the HTTP middleware */
  runForRequest<T>(correlationId: string, fn: () => T): T {
    return storage.run({ correlationId, boundToRequestLogger: true }, fn);
  },
  /** @internal for the pino mixin: the id to add to a log line when no request logger carries it. */
  unboundId(): string | undefined {
    const store = storage.getStore();
    return store && !store.boundToRequestLogger ? store.correlationId : undefined;
  },
};

export type RequestWithCorrelation = Request & { correlationId?: string };

/** Gives the request its correlation id (once) and echoes it in the response. */
export function ensureCorrelationId(req: RequestWithCorrelation, res?: Response): string {
  if (!req.correlationId) {
    const given = req.headers['x-correlation-id'];
    req.correlationId = typeof given === 'string' && ACCEPTABLE.test(given) ? given : uuidv7();
  }
  if (res && !res.headersSent && !res.getHeader(CORRELATION_HEADER))
    res.setHeader(CORRELATION_HEADER, req.correlationId);
  return req.correlationId;
}

/** First express middleware: every response, even a 413 from the body parser, has a correlation id. */
export function correlationIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  ensureCorrelationId(req, res);
  next();
}

/**
 * Nest middleware (after body parsing, which would lose async context): enters the correlation context for the
 * rest of the request, so `correlationContext.current()` works in handlers and services.
 */
export function correlationContextMiddleware(req: Request, res: Response, next: NextFunction): void {
  // …and tracks what the request stores (keyed-request.ts), for answers that say what happened.
  correlationContext.runForRequest(ensureCorrelationId(req, res), () => requestEffects.run(next));
}

/** The request's correlation id, to put into the events a command appends. */
export const CorrelationId = createParamDecorator((_: unknown, ctx: ExecutionContext): string =>
  ensureCorrelationId(
    ctx.switchToHttp().getRequest<RequestWithCorrelation>(),
    ctx.switchToHttp().getResponse<Response>(),
  ),
);
