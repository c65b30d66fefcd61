import { setTimeout as wait } from 'node:timers/promises';

/** Retry policy of the consumer: `max` retries after the first attempt, exponential delays with jitter. */
export interface RetryPolicy {
  max: number;
  initialMs: number;
  maxMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { max: 5, initialMs: 200, maxMs: 5000 };

/** Back-off of a consumer paused on an unavailable dependency: soon at first, then every few seconds, for ever. */
export const defaultPauseBackoff: Pick<RetryPolicy, 'initialMs' | 'maxMs'> = { initialMs: 200, maxMs: 3000 };

/**
 * Delay before retry number `attempt` (1 = the first retry): the exponential step initialMs·2^(attempt-1), capped
 * at maxMs, with "equal jitter" (half fixed, half random) so that many consumers failing together spread out but
 * never retry with zero delay.
 */
export function backoffDelay(attempt: number, policy: Pick<RetryPolicy, 'initialMs' | 'maxMs'>, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(attempt));
  const step = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(n - 1, 52));
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * Runs `work`, again after a backoff delay while it fails with an error kafkajs marks retriable, for up to
 * `timeoutMs` in all. For calls kafkajs does not retry itself, such as `consumer.subscribe`: a broker that just
 * started, or just created a topic, can answer "This server does not host this topic-partition" for a moment.
 */
export async function retryRetriable<T>(
  work: () => Promise<T>,
  options: { timeoutMs?: number; policy?: Pick<RetryPolicy, 'initialMs' | 'maxMs'>; sleep?: (ms: number) => Promise<void>; now?: () => number } = {},
): Promise<T> {
  const { timeoutMs = 30_000, policy = { initialMs: 200, maxMs: 2000 } } = options;
  const sleep = options.sleep ?? ((ms: number) => wait(ms));
  const now = options.now ?? Date.now;
  const deadline = now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      const delay = backoffDelay(attempt, policy);
      if ((err as { retriable?: boolean }).retriable !== true || now() + delay > deadline) throw err;
      await sleep(delay);
    }
  }
}
