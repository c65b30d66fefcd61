import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerModuleOptions } from '@nestjs/throttler';
import { bearerToken, type ApiKeyStore } from '../auth/api-keys';

/**
 * One budget per caller per minute, across all routes: a known API key is tracked by its name (so the budget
 * follows the key, not the address), anything else (no key, wrong key) by IP, which also slows key guessing.
 * The counters live in memory: the limit applies per instance.
 */
export function throttlerOptions(keys: ApiKeyStore, perMinute: number): ThrottlerModuleOptions {
  return {
    throttlers: [{ name: 'default', ttl: 60_000, limit: perMinute }],
    getTracker: (req: Record<string, unknown>) => {
      const token = bearerToken((req['headers'] as Record<string, string | undefined>)?.authorization);
      const record = token ? keys.find(token) : undefined;
      return record ? `key:${record.name}` : `ip:${String(req['ip'] ?? 'unknown')}`;
    },
    generateKey: (_context, tracker, throttlerName) => `${throttlerName}:${tracker}`,
  };
}

/** The throttler, for HTTP only (Kafka or other contexts have no request to track). */
@Injectable()
export class HttpThrottlerGuard extends ThrottlerGuard {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    return context.getType() !== 'http' || super.canActivate(context);
  }
}
