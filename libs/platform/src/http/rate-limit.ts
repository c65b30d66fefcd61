import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerModuleOptions, type ThrottlerStorage } from '@nestjs/throttler';
import { bearerToken, type ApiKeyStore } from '../auth/api-keys';

const WINDOW_MS = 60_000;
const THROTTLER = 'default';

/** Who a request is, for its budget: a known key by name, anything else by address. */
function trackerOf(keys: ApiKeyStore, req: Record<string, unknown>): string {
  const token = bearerToken((req['headers'] as Record<string, string | undefined>)?.authorization);
  const record = token ? keys.find(token) : undefined;
  return record ? `key:${record.name}` : `ip:${String(req['ip'] ?? 'unknown')}`;
}

const storageKey = (tracker: string) => `${THROTTLER}:${tracker}`;

/**
 * One budget per caller per minute, across all routes: a known API key is tracked by its name (so the budget
 * follows the key, not the address), anything else (no key, wrong key) by IP, which also slows key guessing.
 * The counters live in memory: the limit applies per instance.
 */
export function throttlerOptions(keys: ApiKeyStore, perMinute: number): ThrottlerModuleOptions {
  return {
    throttlers: [{ name: THROTTLER, ttl: WINDOW_MS, limit: perMinute }],
    getTracker: (req: Record<string, unknown>) => trackerOf(keys, req),
    generateKey: (_context, tracker) => storageKey(tracker),
  };
}

/**
 * Counts a request refused before routing (a body that is not JSON, too large, undecodable, not UTF-8, bad
 * text) against the caller's budget, which the guard never sees: without it such requests would be free. Returns
 * the seconds to wait when the budget is spent (the answer is then 429), else null.
 */
export function refusedRequestCounter(storage: ThrottlerStorage, keys: ApiKeyStore, perMinute: number) {
  return async (req: object): Promise<number | null> => {
    const hit = await storage.increment(storageKey(trackerOf(keys, req as Record<string, unknown>)), WINDOW_MS, perMinute, WINDOW_MS, THROTTLER);
    return hit.isBlocked ? Math.max(1, Math.ceil(hit.timeToBlockExpire)) : null;
  };
}

/** The throttler, for HTTP only (Kafka or other contexts have no request to track). */
@Injectable()
export class HttpThrottlerGuard extends ThrottlerGuard {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    return context.getType() !== 'http' || super.canActivate(context);
  }
}
