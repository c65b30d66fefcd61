import { isDuplicateKey, onlyDuplicateKeys, unlessDuplicate, upsertRetryingOnce } from './duplicate-key';

describe('duplicate-key errors', () => {
  const single = Object.assign(new Error('E11000 duplicate key'), { code: 11000 });
  const bulk = (...codes: number[]) => Object.assign(new Error('bulk write'), { writeErrors: codes.map((code) => ({ code })) });
  const nested = { writeErrors: { err: { code: 11000 } } };

  it.each([
    ['a single write refused by a unique index', single, true, true],
    ['a bulk write whose refusals are all duplicates', bulk(11000, 11000), true, true],
    ['a bulk write with one duplicate among other errors', bulk(11000, 121), true, false],
    ['a bulk write error given as one object with a nested code', nested, true, true],
    ['another server error', Object.assign(new Error('validation'), { code: 121 }), false, false],
    ['a network error without a code', new Error('ECONNRESET'), false, false],
    ['not an error at all', null, false, false],
  ])('%s', (_, err, duplicate, onlyDuplicates) => {
    expect(isDuplicateKey(err)).toBe(duplicate);
    expect(onlyDuplicateKeys(err)).toBe(onlyDuplicates);
  });

  it('unlessDuplicate: true when written, false when refused as a duplicate, rethrows anything else', async () => {
    await expect(unlessDuplicate(async () => 'ok')).resolves.toBe(true);
    await expect(unlessDuplicate(async () => Promise.reject(single))).resolves.toBe(false);
    const other = new Error('down');
    await expect(unlessDuplicate(async () => Promise.reject(other))).rejects.toBe(other);
  });
});

describe('upsertRetryingOnce', () => {
  const duplicate = Object.assign(new Error('E11000 duplicate key'), { code: 11000 });
  /** An upsert that fails with the given errors first, then answers `n` (its attempt number). */
  const failing = (...errors: Error[]) => {
    let attempt = 0;
    const upsert = jest.fn(async () => {
      attempt++;
      if (errors.length) throw errors.shift();
      return attempt;
    });
    return upsert;
  };

  it.each([
    ['succeeds at once: one attempt', [], 1],
    ['lost the insert to a concurrent upsert: updates on the second attempt', [duplicate], 2],
  ])('%s', async (_, errors, attempts) => {
    const upsert = failing(...(errors as Error[]));
    await expect(upsertRetryingOnce(upsert)).resolves.toBe(attempts);
    expect(upsert).toHaveBeenCalledTimes(attempts);
  });

  it('passes on any other error, and a second duplicate, without more attempts', async () => {
    const other = failing(new Error('connection reset'));
    await expect(upsertRetryingOnce(other)).rejects.toThrow('connection reset');
    expect(other).toHaveBeenCalledTimes(1);
    const twice = failing(duplicate, duplicate);
    await expect(upsertRetryingOnce(twice)).rejects.toThrow('duplicate key');
    expect(twice).toHaveBeenCalledTimes(2);
  });
});
