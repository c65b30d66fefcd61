/** Retry policy of the consumer: `max` retries after the first attempt, exponential delays with jitter. */
export interface RetryPolicy {
  max: number;
  initialMs: number;
  maxMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { max: 5, initialMs: 200, maxMs: 5000 };

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
