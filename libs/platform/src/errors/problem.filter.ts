import { STATUS_CODES } from 'node:http';
import { Catch, HttpException, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { requestEffects } from '../idempotency/keyed-request';
import { ensureCorrelationId } from '../logging/correlation';
import { PLATFORM_LOGGER, PLATFORM_OPTIONS } from '../tokens';
import { Problem, problemType, type ProblemBody } from './problem';

/** Errors of other libraries, recognised by shape so that platform does not depend on them. */
function duckTyped(err: unknown): Problem | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as {
    name?: unknown;
    message?: unknown;
    actualVersion?: unknown;
    errno?: unknown;
    code?: unknown;
    type?: unknown;
    status?: unknown;
    expose?: unknown;
  };
  if (e.name === 'ConcurrencyError' && typeof e.actualVersion === 'number') {
    return new Problem(
      409,
      'Conflict',
      `The resource was changed by someone else: it is now at version ${e.actualVersion}. Read it again and retry with If-Match: "${e.actualVersion}".`,
      { currentVersion: e.actualVersion },
    );
  }
  // DomainError of the pure deciders (@tracker/contracts): its code decides the status.
  if (e.name === 'DomainError' && typeof (e as { code?: unknown }).code === 'string') {
    const { code, field } = e as { code: string; field?: string };
    const status =
      (
        {
          'invalid-transition': 409,
          conflict: 409,
          unprocessable: 422,
          'not-found': 404,
          invalid: 400,
        } as Record<string, number>
      )[code] ?? 409;
    const detail = String(e.message);
    return new Problem(
      status,
      STATUS_CODES[status] ?? 'Conflict',
      detail,
      field ? { errors: [{ field, message: detail }] } : {},
    );
  }
  if (e.name === 'StreamNotFoundError') return new Problem(404, 'Not Found', 'The resource was not found.');
  // A body its Content-Encoding says is gzip, deflate or br but is not: zlib's and brotli's stream errors reach
  // us from body-parser as they are (no status), and are the client's doing.
  if (typeof e.errno === 'number' && typeof e.code === 'string' && /^(Z_|ERR__ERROR|ERR_BROTLI)/.test(e.code)) {
    return new Problem(
      400,
      'Undecodable body',
      'The request body could not be decompressed as its Content-Encoding says. Send it uncompressed, or valid gzip, deflate or br.',
      {},
      problemType(400, 'undecodable-body'),
    );
  }
  // body-parser (raw-body) errors: they carry `type` and an exposable 4xx status.
  if (typeof e.type === 'string' && typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    switch (e.type) {
      case 'entity.too.large':
        return new Problem(413, 'Payload Too Large', 'The request body exceeds the size limit.');
      case 'entity.parse.failed':
        return new Problem(
          400,
          'Malformed JSON',
          'The request body is not valid JSON.',
          {},
          problemType(400, 'malformed-json'),
        );
      default:
        return new Problem(
          e.status,
          STATUS_CODES[e.status] ?? 'Bad Request',
          e.expose && typeof e.message === 'string' ? e.message : undefined,
        );
    }
  }
  return undefined;
}

export interface ProblemResponse {
  status: number;
  body: ProblemBody;
  /** The error to log server-side (5xx only). */
  logged?: unknown;
}

/** Any thrown value → the problem to send. Unknown errors become a 500 whose body reveals nothing. */
export function toProblem(err: unknown, req: Request): ProblemResponse {
  const correlationId = ensureCorrelationId(req);
  const instance = (req.originalUrl ?? req.url ?? '').split('?')[0];
  let problem: Problem | undefined;
  if (err instanceof Problem) problem = err;
  else if (err instanceof HttpException) problem = fromHttpException(err);
  else problem = duckTyped(err);

  if (!problem) {
    return {
      status: 500,
      body: {
        type: problemType(500),
        title: 'Internal Server Error',
        status: 500,
        detail: `An unexpected error occurred. Quote correlation id ${correlationId} when reporting it.`,
        instance,
        correlationId,
      },
      logged: err,
    };
  }
  const status = problem.getStatus();
  return {
    status,
    body: { ...problem.toBody(), instance, correlationId },
    ...(status >= 500 && { logged: err }),
  };
}

function fromHttpException(err: HttpException): Problem {
  const status = err.getStatus();
  const title = STATUS_CODES[status] ?? 'Error';
  if (status === 429) {
    return new Problem(
      429,
      'Too Many Requests',
      'Rate limit exceeded: retry after the number of seconds in Retry-After.',
    );
  }
  const response = err.getResponse();
  const message =
    typeof response === 'object' && response !== null
      ? (response as { message?: unknown }).message
      : response;
  const detail = Array.isArray(message)
    ? message.join('; ')
    : typeof message === 'string'
      ? message
      : err.message;
  return new Problem(status, title, status >= 500 ? undefined : detail);
}

export function sendProblem(res: Response, { status, body }: ProblemResponse, serviceName: string): void {
  // The auth guard may already have set a more precise challenge (error="invalid_token").
  if (status === 401 && !res.getHeader('WWW-Authenticate'))
    res.setHeader('WWW-Authenticate', `Bearer realm="${serviceName}"`);
  res.status(status);
  res.setHeader('Content-Type', 'application/problem+json; charset=utf-8');
  res.end(JSON.stringify(body));
}

function logProblem(logger: Logger, problem: ProblemResponse): void {
  if (problem.logged === undefined) return;
  logger.error(
    { err: problem.logged, correlationId: problem.body.correlationId },
    `request failed: ${problem.body.instance}`,
  );
}

/** The global exception filter: every error of an HTTP request leaves as application/problem+json. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(
    @Inject(PLATFORM_LOGGER) private readonly logger: Logger,
    @Inject(PLATFORM_OPTIONS) private readonly options: { serviceName: string },
  ) {}

  catch(err: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw err;
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    const problem = toProblem(err, req);
    logProblem(this.logger, problem);
    if (res.headersSent) {
      res.end();
      return;
    }
    const stored = requestEffects.storedSoFar();
    if (problem.status >= 500 && stored.length > 0) {
      sendStored(res, stored, problem.body.correlationId);
      return;
    }
    sendProblem(res, problem, this.options.serviceName);
  }
}

/**
 * The command's events were stored, then a later step failed (writing or reading back a view, recording the
 * answer): the command succeeded, so the answer is 202 saying so, not a 500. The views are healed from the store.
 */
function sendStored(res: Response, stored: ReadonlyArray<{ streamId: string; version: number }>, correlationId: string | undefined): void {
  res.status(202);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(
    JSON.stringify({
      status: 'stored',
      detail:
        'The change was stored, but the updated resource could not be read back (a dependency failed after the change was stored). ' +
        'Nothing is lost: read the resource again in a moment. Do not send the request again without its Idempotency-Key.',
      stored,
      correlationId,
    }),
  );
}

/**
 * Express error middleware for what fails before Nest routing (body parser: 413, malformed JSON, 415, bad text).
 * `countRefused` charges such a request to the caller's rate limit (the guard never sees it): once the budget is
 * spent the answer is 429 with Retry-After, so refused requests cannot be sent for free.
 */
export function expressProblemHandler(logger: Logger, serviceName: string, countRefused?: (req: Request) => Promise<number | null>) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(err);
    void (async () => {
      const waitSeconds = await countRefused?.(req).catch(() => null);
      if (waitSeconds) {
        res.setHeader('Retry-After', String(waitSeconds));
        sendProblem(res, toProblem(new Problem(429, 'Too Many Requests', 'Rate limit exceeded: retry after the number of seconds in Retry-After.'), req), serviceName);
        return;
      }
      const problem = toProblem(err, req);
      logProblem(logger, problem);
      sendProblem(res, problem, serviceName);
    })();
  };
}
