import { backoffDelay, retryRetriable } from './backoff';

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

describe('retryRetriable', () => {
  const retriable = Object.assign(new Error('This server does not host this topic-partition'), { retriable: true });
  const fatal = Object.assign(new Error('Topic authorization failed'), { retriable: false });

  /** A clock that moves only when the code under test sleeps. */
  function fakeTime() {
    let t = 0;
    const slept: number[] = [];
    return { slept, now: () => t, sleep: async (ms: number) => void (slept.push(ms), (t += ms)) };
  }

  it('retries while the error is retriable, then returns the result', async () => {
    const time = fakeTime();
    const work = jest.fn().mockRejectedValueOnce(retriable).mockRejectedValueOnce(retriable).mockResolvedValue('subscribed');
    await expect(retryRetriable(work, time)).resolves.toBe('subscribed');
    expect(work).toHaveBeenCalledTimes(3);
    expect(time.slept).toHaveLength(2);
  });

  it('gives up at once on an error that is not retriable', async () => {
    const time = fakeTime();
    const work = jest.fn().mockRejectedValue(fatal);
    await expect(retryRetriable(work, time)).rejects.toBe(fatal);
    expect(work).toHaveBeenCalledTimes(1);
  });

  it('gives up with the last error when the time is up', async () => {
    const time = fakeTime();
    const work = jest.fn().mockRejectedValue(retriable);
    await expect(retryRetriable(work, { ...time, timeoutMs: 5000 })).rejects.toBe(retriable);
    expect(time.now()).toBeLessThanOrEqual(5000);
    expect(work.mock.calls.length).toBeGreaterThan(3);
  });
});
