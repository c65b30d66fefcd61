import type { Request, Response } from 'express';
import type { Actor } from '@tracker/contracts';
import { IdempotencyStore, type StoredResponse } from './idempotency-store';
import { Problem } from '../errors';

const KEY = /^[A-Za-z0-9._:-]{1,200}$/;

/**
 * Runs `work` once per (caller, Idempotency-Key): a retry with the same key and body gets the first response
 * again (with `Idempotent-Replayed: true`); the same key with another body is refused with 422. Without the
 * header, `work` simply runs.
 */
export async function withIdempotency(
  store: IdempotencyStore,
  req: Request,
  res: Response,
  actor: Actor,
  work: () => Promise<StoredResponse>,
): Promise<void> {
  const send = (r: StoredResponse, replayed: boolean) => {
    for (const [k, v] of Object.entries(r.headers)) res.setHeader(k, v);
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(r.status).json(r.body);
  };
  const key = req.header('idempotency-key');
  if (key === undefined) return send(await work(), false);
  if (!KEY.test(key)) {
    throw new Problem(400, 'Invalid Idempotency-Key', 'Idempotency-Key must be 1-200 characters of letters, digits, . _ : -', {
      errors: [{ field: 'Idempotency-Key', message: 'must be 1-200 characters of letters, digits, . _ : -' }],
    });
  }
  const requestHash = IdempotencyStore.requestHash(req.method, req.baseUrl + req.path, req.body);
  const outcome = await store.begin(actor.id, key, requestHash);
  if (outcome.kind === 'replay') return send(outcome.response, true);
  if (outcome.kind === 'mismatch') {
    throw new Problem(422, 'Idempotency-Key reused', 'this Idempotency-Key was used for a different request: use a new key for a new request');
  }
  if (outcome.kind === 'in-progress') {
    throw new Problem(409, 'Request in progress', 'a request with this Idempotency-Key is still being processed: retry in a moment');
  }
  let response: StoredResponse;
  try {
    response = await work();
  } catch (err) {
    await store.release(actor.id, key);
    throw err;
  }
  await store.complete(actor.id, key, response);
  send(response, false);
}
