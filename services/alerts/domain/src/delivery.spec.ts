import { DEFAULT_RETRY_SCHEDULE, isDelivered, nextAttemptAt, retryDelayMs } from './delivery';

describe('webhook retry schedule', () => {
  it.each([
    // attempt, random, delay
    [1, 0, 15_000],
    [1, 1, 30_000],
    [2, 0.5, 45_000],
    [3, 1, 120_000],
    [10, 1, 3 * 3_600_000],
    [50, 0, 1.5 * 3_600_000],
  ])('after failed attempt %i with random %d: waits %i ms (exponential, equal jitter, capped)', (attempt, random, delay) => {
    expect(retryDelayMs(attempt, DEFAULT_RETRY_SCHEDULE, () => random)).toBe(delay);
  });

  it('keeps trying through a day-long outage, then gives up after two days', () => {
    const since = new Date('2026-03-01T00:00:00Z');
    let now = since;
    let attempts = 1;
    for (;;) {
      const next = nextAttemptAt(attempts, since, now, DEFAULT_RETRY_SCHEDULE, () => 1);
      if (!next) break;
      now = next;
      attempts++;
    }
    const triedFor = now.getTime() - since.getTime();
    expect(triedFor).toBeGreaterThan(86_400_000);
    expect(triedFor).toBeLessThanOrEqual(DEFAULT_RETRY_SCHEDULE.giveUpAfterMs);
    expect(attempts).toBeGreaterThan(15);
    expect(attempts).toBeLessThan(40);
  });

  it.each([
    [200, true],
    [204, true],
    [299, true],
    [301, false],
    [404, false],
    [500, false],
    [null, false],
  ])('status %s is delivered: %s', (status, delivered) => {
    expect(isDelivered(status)).toBe(delivered);
  });
});
