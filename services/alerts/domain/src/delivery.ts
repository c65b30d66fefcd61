/**
 * When a failed webhook delivery is tried again: exponential backoff with "equal jitter" (half fixed, half
 * random), capped, until the delivery is older than `giveUpAfterMs` (default two days, so a receiver down for a
 * whole day still gets everything). Pure: the caller passes the clock's now and the random source.
 */
export interface RetrySchedule {
  initialMs: number;
  maxMs: number;
  giveUpAfterMs: number;
}

export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = { initialMs: 30_000, maxMs: 3 * 3_600_000, giveUpAfterMs: 2 * 86_400_000 };

/** Delay after failed attempt number `attempt` (1 = the first attempt failed). */
export function retryDelayMs(attempt: number, schedule: RetrySchedule = DEFAULT_RETRY_SCHEDULE, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(attempt));
  const step = Math.min(schedule.maxMs, schedule.initialMs * 2 ** Math.min(n - 1, 52));
  return Math.round(step / 2 + random() * (step / 2));
}

/** After failed attempt `attempt`: the time to try again, or null to give up (undeliverable, kept for re-drive). */
export function nextAttemptAt(
  attempt: number,
  since: Date,
  now: Date,
  schedule: RetrySchedule = DEFAULT_RETRY_SCHEDULE,
  random: () => number = Math.random,
): Date | null {
  const at = new Date(now.getTime() + retryDelayMs(attempt, schedule, random));
  return at.getTime() - since.getTime() > schedule.giveUpAfterMs ? null : at;
}

/** A 2xx answer is delivered; anything else (or no answer) is retried. */
export function isDelivered(status: number | null): boolean {
  return status !== null && status >= 200 && status < 300;
}
