/**
 * Makes a POST safe to retry (`Idempotency-Key` header): the first request with a key runs and its response
 * (status, body, Location and ETag) is kept; a retry with the same key and body gets that response again with
 * `Idempotent-Replayed: true`; the same key with another body is refused with 422, one still running with 409.
 * A retry of a request whose process died (or that failed after storing its change) runs the route again in
 * recovery: the command finds what the first attempt stored and answers with it (keyed-request.ts), so one key
 * never has two effects. Without the header the route simply runs. Keys are scoped to the caller (the API key).
 */
import { HttpStatus, Injectable, Logger, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { from, lastValueFrom, of, type Observable } from 'rxjs';
import type { Actor } from '@tracker/contracts';
import { Problem } from '../errors/problem';
import { IdempotencyStore, type StoredResponse } from './idempotency-store';
import { requestEffects, type KeyedRequest } from './keyed-request';

const KEY = /^[A-Za-z0-9._:-]{1,200}$/;
/** The response headers a replay repeats. */
const KEPT_HEADERS = ['location', 'etag'] as const;

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Idempotency');
  constructor(
    private readonly store: IdempotencyStore,
    private readonly reflector: Reflector,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = context.switchToHttp().getRequest<Request & { actor?: Actor }>();
    const res = context.switchToHttp().getResponse<Response>();
    const key = req.header('idempotency-key');
    if (key === undefined) return next.handle();
    if (!KEY.test(key)) {
      throw new Problem(400, 'Invalid Idempotency-Key', 'Idempotency-Key must be 1-200 characters of letters, digits, . _ : -', {
        errors: [{ field: 'Idempotency-Key', message: 'must be 1-200 characters of letters, digits, . _ : -' }],
      });
    }
    const scope = req.actor!.id;
    const outcome = await this.store.begin(scope, key, IdempotencyStore.requestHash(req.method, req.baseUrl + req.path, req.body));
    if (outcome.kind === 'replay') {
      for (const [name, value] of Object.entries(outcome.response.headers)) res.setHeader(name, value);
      res.setHeader('Idempotent-Replayed', 'true');
      res.status(outcome.response.status);
      return of(outcome.response.body);
    }
    if (outcome.kind === 'mismatch') {
      throw new Problem(422, 'Idempotency-Key reused', 'this Idempotency-Key was used for a different request: use a new key for a new request');
    }
    if (outcome.kind === 'in-progress') {
      throw new Problem(409, 'Request in progress', 'a request with this Idempotency-Key is still being processed: retry in a moment');
    }
    // The route's status is applied when Nest sends the body, after interceptors: read it from the route.
    const status = this.reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler()) ?? HttpStatus.CREATED;
    const keyed: KeyedRequest = {
      scope,
      key,
      resourceId: outcome.resourceId,
      recovering: outcome.kind === 'recover' ? outcome.intents : [],
      derived: new Set(),
      replayed: false,
      recordIntent: (intent) => this.store.recordIntent(scope, key, intent),
    };
    return from(
      requestEffects.withKey(keyed, async () => {
        let body: unknown;
        try {
          body = await lastValueFrom(next.handle());
        } catch (err) {
          // Failed before storing anything: a retry runs it again. After: the key stays, and a retry recovers
          // what was stored instead of storing it twice.
          if (requestEffects.storedSoFar().length === 0) await this.store.release(scope, key);
          else this.store.abandon(scope, key);
          throw err;
        }
        if (keyed.replayed) res.setHeader('Idempotent-Replayed', 'true');
        const headers: StoredResponse['headers'] = {};
        for (const name of KEPT_HEADERS) {
          const value = res.getHeader(name);
          if (value !== undefined) headers[name] = String(value);
        }
        try {
          await this.store.complete(scope, key, { status, body, headers });
        } catch (err) {
          // The change is stored and the answer is right; the key stays pending and a retry recovers it.
          this.logger.warn(`Idempotency-Key ${key}: answer not recorded (${(err as Error).message}); a retry recovers it from the store`);
        }
        return body;
      }),
    );
  }
}
