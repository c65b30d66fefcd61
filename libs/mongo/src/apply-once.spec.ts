/** The decisions of the version-guarded writes, and their read-decide-write loop on a stand-in collection. */
import {
  applyOnce,
  applyOnceDecision,
  documentFromUpdate,
  guardedUpsert,
  guardedUpsertDecision,
} from './apply-once';
import { withKeyLock, lockedKeys } from './key-lock';

describe('applyOnceDecision', () => {
  it.each([
    ['no document', null, 'v', 3, { kind: 'create' }],
    ['a document without the guard', { _id: 'a' }, 'v', 3, { kind: 'update', read: undefined }],
    ['a lower guard', { _id: 'a', v: 2 }, 'v', 3, { kind: 'update', read: 2 }],
    ['an equal guard (a redelivery)', { _id: 'a', v: 3 }, 'v', 3, { kind: 'skip' }],
    ['a higher guard (an older event)', { _id: 'a', v: 7 }, 'v', 3, { kind: 'skip' }],
    ['a dotted guard not there yet', { _id: 'a', applied: { s1: 4 } }, 'applied.s2', 1, { kind: 'update', read: undefined }],
    ['a dotted guard lower', { _id: 'a', applied: { s1: 4 } }, 'applied.s1', 5, { kind: 'update', read: 4 }],
    ['a dotted guard equal', { _id: 'a', applied: { s1: 4 } }, 'applied.s1', 4, { kind: 'skip' }],
    ['a null guard ($lt never matched it)', { _id: 'a', v: null }, 'v', 3, { kind: 'skip' }],
    ['a guard that is not a number', { _id: 'a', v: '9' }, 'v', 3, { kind: 'skip' }],
  ])('%s', (_, doc, field, value, expected) => {
    expect(applyOnceDecision(doc, field, value)).toEqual(expected);
  });
});

describe('guardedUpsertDecision', () => {
  it.each([
    ['no document', null, 1, { kind: 'create' }],
    ['an older version', { version: 1 }, 2, { kind: 'update', read: 1 }],
    ['the same version', { version: 2 }, 2, { kind: 'skip' }],
    ['a newer version', { version: 5 }, 2, { kind: 'skip' }],
    ['no version at all ($lt never matched it)', {}, 2, { kind: 'skip' }],
  ])('%s', (_, doc, version, expected) => {
    expect(guardedUpsertDecision(doc, version)).toEqual(expected);
  });
});

describe('documentFromUpdate', () => {
  it.each([
    ['$set, nested paths included', { $set: { a: 1, 'b.c': 'x' } }, { _id: 'k', a: 1, b: { c: 'x' } }],
    ['$setOnInsert', { $setOnInsert: { at: 't' } }, { _id: 'k', at: 't' }],
    ['$inc, $max, $min start from their value', { $inc: { n: 2 }, $max: { hi: 'z' }, $min: { lo: 'a' } }, { _id: 'k', n: 2, hi: 'z', lo: 'a' }],
    ['$mul gives 0', { $mul: { n: 5 } }, { _id: 'k', n: 0 }],
    ['$push one value or $each', { $push: { one: 1, many: { $each: [1, 2] } } }, { _id: 'k', one: [1], many: [1, 2] }],
    ['$addToSet keeps one of each', { $addToSet: { s: { $each: [1, 1, 2] } } }, { _id: 'k', s: [1, 2] }],
    ['operators without effect on a missing field', { $unset: { a: '' }, $pull: { b: 1 }, $pop: { c: 1 } }, { _id: 'k' }],
  ])('%s', (_, update, expected) => {
    expect(documentFromUpdate('k', update)).toEqual(expected);
  });

  it('refuses what it cannot tell', () => {
    expect(() => documentFromUpdate('k', { $bit: { a: { and: 1 } } })).toThrow(/not supported/);
    expect(() => documentFromUpdate('k', { $push: { a: { $each: [1], $slice: 1 } } })).toThrow(/modifiers/);
    expect(() => documentFromUpdate('k', { a: 1 })).toThrow(/not an update operator/);
  });
});

/**
 * A collection in memory that understands what the guarded writes send: `{_id}` lookups, inserts refused on a
 * taken `_id`, and updates whose filter is `_id` plus equality / `$exists: false` conditions (a MongoDB-style
 * compare-and-set). `beforeWrite` runs once before the next write: a writer of another process getting there first.
 */
class FakeCollection {
  readonly collectionName = 'fake';
  readonly dbName = `db${Math.random()}`;
  readonly docs = new Map<unknown, Record<string, unknown>>();
  readonly filters: unknown[] = [];
  beforeWrite?: () => void;

  private race(): void {
    const hook = this.beforeWrite;
    this.beforeWrite = undefined;
    hook?.();
  }

  async findOne(filter: { _id: unknown }) {
    const doc = this.docs.get(filter._id);
    return doc ? structuredClone(doc) : null;
  }

  async insertOne(doc: Record<string, unknown>) {
    this.race();
    if (this.docs.has(doc._id)) throw Object.assign(new Error('E11000'), { code: 11000 });
    this.docs.set(doc._id, structuredClone(doc));
  }

  async updateOne(filter: Record<string, unknown>, update: Record<string, Record<string, unknown>>) {
    this.race();
    this.filters.push(filter);
    const doc = this.docs.get(filter._id);
    const matches =
      doc !== undefined &&
      Object.entries(filter).every(([k, v]) =>
        k === '_id' ? true : v && typeof v === 'object' && '$exists' in v ? !(k in doc) : doc[k] === v,
      );
    if (!matches) return { matchedCount: 0, modifiedCount: 0 };
    for (const [k, v] of Object.entries(update.$set ?? {})) doc[k] = v;
    for (const [k, v] of Object.entries(update.$inc ?? {})) doc[k] = ((doc[k] as number) ?? 0) + (v as number);
    for (const [k, v] of Object.entries(update.$max ?? {})) doc[k] = doc[k] === undefined || (v as string) > (doc[k] as string) ? v : doc[k];
    return { matchedCount: 1, modifiedCount: 1 };
  }
}

describe('the read-decide-write loop (MongoDB: compare-and-set on what was read)', () => {
  const collection = (c: FakeCollection) => c as never;

  it('creates, then updates with the guard read as the condition, and skips a redelivery', async () => {
    const c = new FakeCollection();
    expect(await applyOnce(collection(c), 'p', { value: 1 }, { $inc: { n: 1 }, $setOnInsert: { first: 1 } })).toBe(true);
    expect(await applyOnce(collection(c), 'p', { value: 2 }, { $inc: { n: 1 }, $setOnInsert: { first: 2 } })).toBe(true);
    expect(await applyOnce(collection(c), 'p', { value: 2 }, { $inc: { n: 1 } })).toBe(false);
    expect(c.docs.get('p')).toEqual({ _id: 'p', n: 2, first: 1, lastVersion: 2 });
    expect(c.filters).toEqual([{ _id: 'p', lastVersion: 1 }]);
  });

  it('a lost compare-and-set reads again: a newer write elsewhere wins, an older one is applied after', async () => {
    const c = new FakeCollection();
    c.docs.set('p', { _id: 'p', lastVersion: 1, n: 1 });
    // Another process applies version 5 between our read and our write: our version 3 must not be applied over it.
    c.beforeWrite = () => c.docs.set('p', { _id: 'p', lastVersion: 5, n: 2 });
    expect(await applyOnce(collection(c), 'p', { value: 3 }, { $inc: { n: 1 } })).toBe(false);
    expect(c.docs.get('p')).toEqual({ _id: 'p', lastVersion: 5, n: 2 });
    // Another process applies version 2 in between: ours (3) still applies, once, on top of it.
    c.docs.set('p', { _id: 'p', lastVersion: 1, n: 1 });
    c.beforeWrite = () => c.docs.set('p', { _id: 'p', lastVersion: 2, n: 2 });
    expect(await applyOnce(collection(c), 'p', { value: 3 }, { $inc: { n: 1 } })).toBe(true);
    expect(c.docs.get('p')).toEqual({ _id: 'p', lastVersion: 3, n: 3 });
  });

  it('an insert that meets a document created meanwhile reads again and decides on it', async () => {
    const c = new FakeCollection();
    c.beforeWrite = () => c.docs.set('v', { _id: 'v', version: 4, title: 'theirs', plannedAt: 'a' });
    expect(await guardedUpsert(collection(c), { _id: 'v', version: 2, title: 'mine', plannedAt: 'b' }, { insertOnly: ['plannedAt'] })).toBe(false);
    c.beforeWrite = () => c.docs.set('w', { _id: 'w', version: 1, title: 'theirs', plannedAt: 'a' });
    expect(await guardedUpsert(collection(c), { _id: 'w', version: 2, title: 'mine', plannedAt: 'b' }, { insertOnly: ['plannedAt'] })).toBe(true);
    expect(c.docs.get('v')).toEqual({ _id: 'v', version: 4, title: 'theirs', plannedAt: 'a' });
    expect(c.docs.get('w')).toEqual({ _id: 'w', version: 2, title: 'mine', plannedAt: 'a' });
  });

  it('with upsert: false a missing document stays missing', async () => {
    const c = new FakeCollection();
    expect(await applyOnce(collection(c), 'x', { value: 1 }, { $set: { a: 1 } }, { upsert: false })).toBe(false);
    expect(c.docs.size).toBe(0);
  });
});

describe('withKeyLock', () => {
  it('runs work under one key one at a time, in arrival order, other keys alongside, and is re-entrant', async () => {
    const log: string[] = [];
    const step = (name: string, ms: number) => withKeyLock(`k:${name[0]}`, async () => {
      log.push(`${name}+`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`${name}-`);
    });
    await Promise.all([step('a1', 20), step('a2', 1), step('b1', 5), withKeyLock('k:a', () => withKeyLock('k:a', async () => log.push('nested')))]);
    expect(log.filter((l) => l.startsWith('a') || l === 'nested')).toEqual(['a1+', 'a1-', 'a2+', 'a2-', 'nested']);
    expect(log.indexOf('b1+')).toBeLessThan(log.indexOf('a1-'));
    expect(lockedKeys()).toBe(0);
  });

  it('a failing piece of work releases the key', async () => {
    await expect(withKeyLock('k:f', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(withKeyLock('k:f', async () => 'next')).resolves.toBe('next');
  });
});
