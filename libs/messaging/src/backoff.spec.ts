import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  const policy = { initialMs: 100, maxMs: 1000 };
  it.each([
    // attempt, random, expected
    [1, 0, 50],
    [1, 1, 100],
    [2, 0, 100],
    [2, 0.5, 150],
    [3, 1, 400],
    [4, 1, 800],
    [5, 1, 1000], // capped
    [5, 0, 500],
    [60, 1, 1000], // no overflow for large attempts
    [0, 1, 100], // attempts below 1 count as the first retry
  ])('attempt %d with random %d → %d ms', (attempt, random, expected) => {
    expect(backoffDelay(attempt, policy, () => random)).toBe(expected);
  });

  it('stays within [step/2, step] with the real random source', () => {
    for (let attempt = 1; attempt <= 8; attempt++) {
      const step = Math.min(1000, 100 * 2 ** (attempt - 1));
      for (let i = 0; i < 50; i++) {
        const d = backoffDelay(attempt, policy);
        expect(d).toBeGreaterThanOrEqual(step / 2);
        expect(d).toBeLessThanOrEqual(step);
      }
    }
  });
});
