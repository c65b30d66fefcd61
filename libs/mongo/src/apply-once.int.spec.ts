/** guardedUpsert on the real database: the write of a read model's document for one stream. */
import { randomBytes } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { applyOnce, applyOnceEach, guardedUpsert } from './apply-once';
import { isFerretDb } from './by-id';
import { lockedKeys } from './key-lock';

// Not @tracker/testing: it builds on platform, which builds on this library (a cycle).
const uniqueName = (prefix: string) => `${prefix}_${randomBytes(6).toString('hex')}`;

interface ViewDoc {
  _id: string;
  version: number;
  title: string;
  plannedAt: string;
  lastActivityAt: string;
}

describe('guardedUpsert', () => {
  let connection: Connection;
  beforeAll(async () => {
    connection = await mongoose.createConnection(process.env.MONGO_URL!, { dbName: uniqueName('mongo') }).asPromise();
  });
  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  it('writes newer versions only, keeps insert-only fields and lets max fields only grow', async () => {
    const views = connection.collection<ViewDoc>(uniqueName('views'));
    const doc = (version: number, title: string, plannedAt: string, lastActivityAt: string): ViewDoc => ({ _id: 'm-1', version, title, plannedAt, lastActivityAt });
    const write = (d: ViewDoc) => guardedUpsert(views, d, { insertOnly: ['plannedAt'], max: ['lastActivityAt'] });

    expect(await write(doc(1, 'planned', '2026-01-01', '2026-01-01'))).toBe(true);
    expect(await write(doc(3, 'met', '2026-03-01', '2026-02-01'))).toBe(true);
    // An older or equal version (a redelivery, a slower writer) changes nothing.
    expect(await write(doc(2, 'started', '2026-02-01', '2026-09-01'))).toBe(false);
    expect(await write(doc(3, 'met again', '2026-03-01', '2026-09-01'))).toBe(false);
    expect(await views.findOne({ _id: 'm-1' })).toEqual({ _id: 'm-1', version: 3, title: 'met', plannedAt: '2026-01-01', lastActivityAt: '2026-02-01' });
  });

  it('applyOnceEach: several guarded entries of one document in one write, each only if newer', async () => {
    const lists = connection.collection<{ _id: string; m: Record<string, { version: number; title: string }> }>(uniqueName('lists'));
    const entry = (key: string, version: number, title: string) => ({ guard: { field: `m.${key}.version`, value: version }, $set: { [`m.${key}.title`]: title } });
    // Created with both entries.
    expect(await applyOnceEach(lists, 'a-1', [entry('x', 1, 'x planned'), entry('y', 2, 'y started')])).toEqual([0, 1]);
    // x moves on, y's older version (a redelivery) and a new entry z: x and z are written, y is left alone.
    expect(await applyOnceEach(lists, 'a-1', [entry('x', 3, 'x met'), entry('y', 2, 'y again'), entry('z', 1, 'z planned')])).toEqual([0, 2]);
    // Two entries of one guard in one call: the higher wins, whatever the order.
    expect(await applyOnceEach(lists, 'a-1', [entry('z', 3, 'z met'), entry('z', 2, 'z started')])).toEqual([0]);
    // Nothing newer: no write at all.
    const writes = jest.spyOn(lists, 'updateOne');
    expect(await applyOnceEach(lists, 'a-1', [entry('x', 3, 'x late')])).toEqual([]);
    expect(writes).not.toHaveBeenCalled();
    writes.mockRestore();
    expect(await lists.findOne({ _id: 'a-1' })).toEqual({
      _id: 'a-1',
      m: { x: { version: 3, title: 'x met' }, y: { version: 2, title: 'y started' }, z: { version: 3, title: 'z met' } },
    });
  });

  it('writes a newer version of a document it wrote without reading it first, and reads before every skip', async () => {
    const views = connection.collection<ViewDoc>(uniqueName('views'));
    const doc = (version: number, title: string): ViewDoc => ({ _id: 'm-2', version, title, plannedAt: '2026-01-01', lastActivityAt: '2026-01-01' });
    const write = (d: ViewDoc) => guardedUpsert(views, d, { insertOnly: ['plannedAt'] });
    await write(doc(1, 'planned'));
    const reads = jest.spyOn(views, 'findOne');
    expect(await write(doc(2, 'started'))).toBe(true);
    expect(await write(doc(3, 'half way'))).toBe(true);
    expect(reads).not.toHaveBeenCalled();
    // A document gone behind the process's back (deleted by hand): a newer write misses it and creates it again,
    // and a repeated version is decided on what is stored, not on what the process remembers.
    await views.deleteOne({ _id: 'm-2' });
    expect(await write(doc(3, 'half way'))).toBe(true);
    expect(reads).toHaveBeenCalledTimes(1);
    await views.deleteOne({ _id: 'm-2' });
    expect(await write(doc(4, 'met'))).toBe(true);
    reads.mockRestore();
    expect(await views.findOne({ _id: 'm-2' })).toMatchObject({ version: 4, title: 'met' });
  });

  describe('through a pool of 10 connections (on FerretDB, unisolated between connections)', () => {
    let pooled: Connection;
    beforeAll(async () => {
      pooled = await mongoose.createConnection(process.env.MONGO_URL!, { dbName: connection.name, maxPoolSize: 10 }).asPromise();
      expect((pooled.getClient().options as { maxPoolSize?: number }).maxPoolSize).toBe(10);
    });
    afterAll(() => pooled.close());

    // Every version twice (a redelivery racing the first delivery), in a shuffled order, all at once.
    const shuffled = (n: number) =>
      [...Array.from({ length: n }, (_, i) => i + 1), ...Array.from({ length: n }, (_, i) => i + 1)]
        .map((v) => ({ v, r: Math.random() }))
        .sort((a, b) => a.r - b.r)
        .map(({ v }) => v);

    it('applyOnce: the newest version wins, nothing is lost or applied twice, the guard never moves back', async () => {
      const c = pooled.collection<{ _id: string; lastVersion: number; count: number; applied: number[] }>(uniqueName('counts'));
      const versions = shuffled(40);
      const results = await Promise.all(versions.map((v) => applyOnce(c, 'p1', { value: v }, { $inc: { count: 1 }, $push: { applied: v } } as never)));
      const doc = await c.findOne({ _id: 'p1' });
      const applied = versions.filter((_, i) => results[i]);
      expect(doc?.lastVersion).toBe(40);
      // Each applied event is in the document exactly once, in increasing order: none lost, none twice.
      expect(doc?.count).toBe(applied.length);
      expect(doc?.applied).toEqual([...applied].sort((a, b) => a - b));
      expect(new Set(doc?.applied).size).toBe(doc?.applied.length);
      expect(lockedKeys()).toBe(0);
      // Sequentially, every older or equal version is now refused.
      expect(await applyOnce(c, 'p1', { value: 40 }, { $inc: { count: 1 } })).toBe(false);
    });

    it('guardedUpsert: the newest document wins, insert-only fields stay the first ones', async () => {
      const views = pooled.collection<ViewDoc>(uniqueName('views'));
      const versions = shuffled(30);
      const results = await Promise.all(
        versions.map((v) => guardedUpsert(views, { _id: 'm-2', version: v, title: `v${v}`, plannedAt: `p${v}`, lastActivityAt: `2026-01-${String(v).padStart(2, '0')}` }, { insertOnly: ['plannedAt'], max: ['lastActivityAt'] })),
      );
      const doc = await views.findOne({ _id: 'm-2' });
      expect(doc).toMatchObject({ version: 30, title: 'v30', lastActivityAt: '2026-01-30' });
      // The document was created once, by the first write that got through, and kept that write's plannedAt.
      const first = versions[results.indexOf(true)];
      expect(doc?.plannedAt).toBe(`p${first}`);
      // Each version got through at most once.
      const through = versions.filter((_, i) => results[i]);
      expect(new Set(through).size).toBe(through.length);
    });

    it('knows which database it talks to (cached per client)', async () => {
      const info = await pooled.db!.admin().command({ buildInfo: 1 });
      expect(await isFerretDb(pooled.collection('any'))).toBe('ferretdbVersion' in info);
      expect(await isFerretDb(pooled.db!.collection('any'))).toBe('ferretdbVersion' in info);
    });
  });
});
