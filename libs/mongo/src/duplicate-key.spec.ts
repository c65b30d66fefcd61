import { isDuplicateKey, onlyDuplicateKeys, unlessDuplicate } from './duplicate-key';

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
