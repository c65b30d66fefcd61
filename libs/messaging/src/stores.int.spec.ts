/** The database-side building blocks of delivery: the lease, the processed-events store and applyOnce. */
import mongoose, { type Connection } from 'mongoose';
import { applyOnce } from '@tracker/mongo';
import { Lease } from './lease';
import { ProcessedStore } from './processed-store';
import { mongoUrl, TestClock, uniqueName } from '@tracker/testing';

describe('delivery stores (integration)', () => {
  let conn: Connection;

  beforeAll(async () => {
    // A pool of ten: the races below run on several connections at once (what the key lock must make safe).
    conn = await mongoose.createConnection(mongoUrl(), { dbName: uniqueName('msg_stores'), maxPoolSize: 10 }).asPromise();
    expect((conn.getClient().options as { maxPoolSize?: number }).maxPoolSize).toBe(10);
  });

  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  describe('Lease', () => {
    it('has one owner at a time, renews, expires, and is released', async () => {
      const clock = new TestClock();
      const lease = (owner: string) => new Lease(conn, { name: 'outbox:t1', owner, ttlMs: 1000, now: clock.now });
      const a = lease('a');
      const b = lease('b');
      expect(await a.acquire()).toBe(true);
      expect(await b.acquire()).toBe(false);
      clock.advance(900);
      expect(await a.acquire()).toBe(true); // renewed until +1900
      clock.advance(900);
      expect(await b.acquire()).toBe(false);
      expect(a.held).toBe(true);
      expect(await b.holder()).toMatchObject({ owner: 'a' });
      clock.advance(1001); // a stopped renewing: expired
      expect(a.held).toBe(false);
      expect(await b.holder()).toBeNull();
      expect(await b.acquire()).toBe(true);
      expect(await a.acquire()).toBe(false);
      await a.release(); // not the owner: no effect
      expect(await a.acquire()).toBe(false);
      await b.release();
      expect(await a.acquire()).toBe(true);
    });

    it('20 instances racing for a fresh lease: exactly one gets it', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => new Lease(conn, { name: 'outbox:race', owner: `o${i}`, ttlMs: 60_000 }).acquire()),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });
    it('10 instances racing to take over an expired lease: exactly one gets it', async () => {
      const clock = new TestClock();
      await new Lease(conn, { name: 'outbox:takeover', owner: 'dead', ttlMs: 1000, now: clock.now }).acquire();
      clock.advance(5000);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => new Lease(conn, { name: 'outbox:takeover', owner: `o${i}`, ttlMs: 1000, now: clock.now }).acquire()),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });

  describe('ProcessedStore', () => {
    it('records idempotently and answers which events a group processed', async () => {
      const store = new ProcessedStore(conn, { collection: uniqueName('processed') });
      await store.init();
      const rec = (eventId: string) => ({ eventId, topic: 't', partition: 0, offset: '1' });
      await store.record('g1', [rec('e1'), rec('e2')]);
      await store.record('g1', [rec('e2'), rec('e3'), rec('e1')]); // duplicates ignored, e3 stored
      expect(await store.processedAmong('g1', ['e1', 'e2', 'e3', 'e4'])).toEqual(new Set(['e1', 'e2', 'e3']));
      expect(await store.processedAmong('g2', ['e1'])).toEqual(new Set());
      expect(await store.has('g1', 'e3')).toBe(true);
      expect(await store.has('g2', 'e3')).toBe(false);
      expect(await store.sweep(new Date(Date.now() + 1000))).toBe(3);
      expect(await store.has('g1', 'e1')).toBe(false);
    });
  });

  describe('applyOnce', () => {
    it('applies each version once, ignores replays and older versions, creates missing documents', async () => {
      const c = conn.collection(uniqueName('projection'));
      const apply = (v: number) => applyOnce(c, 'p1', { value: v }, { $inc: { count: 1 }, $set: { last: `v${v}` } });
      expect(await apply(1)).toBe(true);
      expect(await apply(1)).toBe(false);
      expect(await apply(2)).toBe(true);
      expect(await apply(1)).toBe(false);
      expect(await apply(2)).toBe(false);
      expect(await c.findOne({ _id: 'p1' as never })).toEqual({ _id: 'p1', count: 2, last: 'v2', lastVersion: 2 });
    });

    it('lets exactly one of 20 concurrent applications of the same version through', async () => {
      // In one process, whatever the pool size: applyOnce runs under the document's key lock (FerretDB v1 does
      // not isolate concurrent updates of one document between connections).
      const c = conn.collection(uniqueName('projection'));
      await applyOnce(c, 'p1', { value: 1 }, { $inc: { count: 1 } });
      const results = await Promise.all(Array.from({ length: 20 }, () => applyOnce(c, 'p1', { value: 2 }, { $inc: { count: 1 } })));
      expect(results.filter(Boolean)).toHaveLength(1);
      const fresh = await Promise.all(Array.from({ length: 20 }, () => applyOnce(c, 'p2', { value: 1 }, { $inc: { count: 1 } })));
      expect(fresh.filter(Boolean)).toHaveLength(1);
      expect(await c.find({}).sort({ _id: 1 }).toArray()).toEqual([
        { _id: 'p1', count: 2, lastVersion: 2 },
        { _id: 'p2', count: 1, lastVersion: 1 },
      ]);
    });

    it('guards a document fed by several streams with one guard per stream', async () => {
      const c = conn.collection(uniqueName('projection'));
      const apply = (streamId: string, v: number) =>
        applyOnce(c, 'agr-1', { field: `applied.${streamId}`, value: v }, { $inc: { milestones: 1 } });
      expect(await apply('milestone-a', 1)).toBe(true);
      expect(await apply('milestone-b', 1)).toBe(true);
      expect(await apply('milestone-a', 1)).toBe(false);
      expect(await apply('milestone-a', 2)).toBe(true);
      expect(await c.findOne({ _id: 'agr-1' as never })).toEqual({
        _id: 'agr-1',
        milestones: 3,
        applied: { 'milestone-a': 2, 'milestone-b': 1 },
      });
    });
  });
});
