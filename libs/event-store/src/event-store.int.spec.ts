import mongoose, { type Connection } from 'mongoose';
import type { EventEnvelope, NewEvent } from '@tracker/contracts';
import { EventAudit } from './audit';
import { ConcurrencyError, InvalidEventError } from './errors';
import { knownBy } from './bitemporal';
import { EventStore } from './event-store';
import { computeEventHash } from './hash';
import { eventKey, fromStored, logKey } from './stored-event';
import { mongoUrl, TestClock, uniqueName } from '@tracker/testing';
import { Upcasters } from './upcasters';
import { toStored } from './stored-event';

/** An event's document as if it had been given another position (a stalled insert of another process). */
const toStoredAt = (e: EventEnvelope, position: number) => toStored({ ...e, position });

const ctx = (agreementId = 'agr-1') => ({
  agreementId,
  actor: { id: 'key-1', role: 'monitor' as const },
  correlationId: 'corr-1',
  causationId: null,
});
const ev = (n: number, type = 'test.happened'): NewEvent => ({ type, schemaVersion: 1, data: { n } });

describe('EventStore (integration)', () => {
  let conn: Connection;
  let store: EventStore;
  const clock = new TestClock();

  beforeAll(async () => {
    conn = await mongoose.createConnection(mongoUrl(), { dbName: uniqueName('es') }).asPromise();
    store = new EventStore(conn, { now: clock.now });
    await store.init();
  });

  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  describe('append', () => {
    it('stores events with versions, positions and a hash chain, insert-only', async () => {
      const stored = await store.append('append-1', [ev(1), ev(2), ev(3)], { expectedVersion: 'none', ...ctx() });
      expect(stored.map((e) => e.streamVersion)).toEqual([1, 2, 3]);
      expect(stored[1].position).toBe(stored[0].position + 1);
      expect(stored[2].position).toBe(stored[1].position + 1);
      expect(stored[0].prevHash).toBeNull();
      expect(stored[1].prevHash).toBe(stored[0].hash);
      expect(stored[2].prevHash).toBe(stored[1].hash);
      expect(stored[0].eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(stored[0].recordedAt).toBe(clock.now().toISOString());
      expect(stored[0].occurredAt).toBe(stored[0].recordedAt);

      const raw = await store.collection.find({ streamId: 'append-1' }).sort({ streamVersion: 1 }).toArray();
      expect(raw).toHaveLength(3);
      for (const doc of raw) {
        expect(doc).not.toHaveProperty('__v');
        expect(doc.recordedAt).toBeInstanceOf(Date);
        // The hash is recomputable from the stored document exactly.
        expect(computeEventHash(fromStored(doc))).toBe(doc.hash);
      }
      expect(raw.map(fromStored)).toEqual(stored);
    });

    it('keeps business time and normalizes it to ISO 8601 UTC', async () => {
      const [e] = await store.append('append-2', [{ ...ev(1), occurredAt: '2026-01-29T12:00:00+03:00' }], { expectedVersion: 0, ...ctx() });
      expect(e.occurredAt).toBe('2026-01-29T09:00:00.000Z');
      expect((await store.readStream('append-2'))[0]).toEqual(e);
    });

    it('checks the expected version before inserting anything', async () => {
      await store.append('append-3', [ev(1)], { expectedVersion: 'none', ...ctx() });
      await expect(store.append('append-3', [ev(2)], { expectedVersion: 'none', ...ctx() })).rejects.toMatchObject({
        name: 'ConcurrencyError',
        streamId: 'append-3',
        expectedVersion: 'none',
        actualVersion: 1,
      });
      await expect(store.append('append-3', [ev(2)], { expectedVersion: 5, ...ctx() })).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(store.append('append-3', [ev(2)], { expectedVersion: 0, ...ctx() })).rejects.toBeInstanceOf(ConcurrencyError);
      const [e] = await store.append('append-3', [ev(2)], { expectedVersion: 'any', ...ctx() });
      expect(e.streamVersion).toBe(2);
      expect(await store.streamVersion('append-3')).toBe(2);
      expect(await store.streamVersion('no-such-stream')).toBe(0);
      // An instance that never saw the stream does not look it up to create it; the unique index refuses.
      const other = new EventStore(conn, { now: clock.now });
      await expect(other.append('append-3', [ev(3)], { expectedVersion: 'none', ...ctx() })).rejects.toMatchObject({
        name: 'ConcurrencyError',
        actualVersion: 2,
      });
      expect(await store.streamVersion('append-3')).toBe(2);
    });

    it('refuses what it could not store faithfully', async () => {
      const bad: Array<[string, NewEvent[], object]> = [
        ['a.b', [ev(1)], {}],
        ['ok-stream', [{ type: 't', schemaVersion: 1, data: { 'a.b': 1 } }], {}],
        ['ok-stream', [{ type: 't', schemaVersion: 1, data: { $x: 1 } }], {}],
        ['ok-stream', [{ type: '', schemaVersion: 1, data: {} }], {}],
        ['ok-stream', [{ type: 't', schemaVersion: 0, data: {} }], {}],
        ['ok-stream', [{ type: 't', schemaVersion: 1, data: {}, occurredAt: 'yesterday' }], {}],
        ['ok-stream', [ev(1)], { agreementId: '' }],
        ['ok-stream', [ev(1)], { correlationId: '' }],
      ];
      for (const [streamId, events, override] of bad) {
        await expect(store.append(streamId, events, { expectedVersion: 'any', ...ctx(), ...override })).rejects.toBeInstanceOf(
          InvalidEventError,
        );
      }
      expect(await store.streamVersion('ok-stream')).toBe(0);
      expect(await store.append('ok-stream', [], { expectedVersion: 'any', ...ctx() })).toEqual([]);
    });

    it('50 concurrent appends at the same expected version: exactly one wins, 49 get ConcurrencyError', async () => {
      const streamId = 'race-1';
      await store.append(streamId, [ev(1), ev(2), ev(3)], { expectedVersion: 'none', ...ctx() });
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) => store.append(streamId, [ev(100 + i)], { expectedVersion: 3, ...ctx() })),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(49);
      for (const r of lost) {
        expect(r.reason).toBeInstanceOf(ConcurrencyError);
        expect(r.reason).toMatchObject({ streamId, expectedVersion: 3, actualVersion: 4, appendedBeforeConflict: 0 });
      }
      const events = await store.readStream(streamId);
      expect(events.map((e) => e.streamVersion)).toEqual([1, 2, 3, 4]);
      expect(events[3].eventId).toBe((won[0] as PromiseFulfilledResult<EventEnvelope[]>).value[0].eventId);
      expect(new Set(events.map((e) => e.position)).size).toBe(4);
      expect((await new EventAudit(store).verify(streamId)).broken).toEqual([]);
    });

    it('concurrent creations with expectedVersion none: one stream, one creator', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => store.append('race-2', [ev(i), ev(i + 1)], { expectedVersion: 'none', ...ctx() })),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect((await store.readStream('race-2')).map((e) => e.streamVersion)).toEqual([1, 2]);
    });

    it("concurrent 'any' appends all land, without gaps or duplicates, each append's events in order", async () => {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.append('race-3', [ev(i * 10), ev(i * 10 + 1)], { expectedVersion: 'any', ...ctx() })),
      );
      const events = await store.readStream('race-3');
      expect(events.map((e) => e.streamVersion)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      for (const appended of results) {
        expect(appended).toHaveLength(2);
        expect(appended[1].streamVersion).toBeGreaterThan(appended[0].streamVersion);
      }
      expect((await new EventAudit(store).verify('race-3')).broken).toEqual([]);
    });

    it('concurrent appends to different streams from three processes all succeed, positions unique and ascending per stream', async () => {
      // Three store instances = three processes sharing the counter (no in-process coalescing between them).
      const stores = [store, new EventStore(conn, { now: clock.now }), new EventStore(conn, { now: clock.now })];
      const streams = Array.from({ length: 40 }, (_, i) => `parallel-${i}`);
      await Promise.all(streams.map((s, i) => stores[i % 3].append(s, [ev(1)], { expectedVersion: 'none', ...ctx() })));
      const results = await Promise.all(streams.map((s, i) => stores[(i + 1) % 3].append(s, [ev(2), ev(3)], { expectedVersion: 1, ...ctx() })));
      expect(results.every((r) => r.length === 2)).toBe(true);
      const all = await store.collection.find({ streamId: { $in: streams } }).toArray();
      expect(all).toHaveLength(120);
      expect(new Set(all.map((d) => d.position)).size).toBe(120);
      for (const s of streams) {
        const events = await store.readStream(s);
        expect(events.map((e) => e.streamVersion)).toEqual([1, 2, 3]);
        expect(events[1].position).toBeGreaterThan(events[0].position);
        expect(events[2].position).toBeGreaterThan(events[1].position);
      }
      expect((await new EventAudit(store).verify()).broken).toEqual([]);
    });

    it('notifies listeners after a successful append only', async () => {
      const seen: string[][] = [];
      const off = store.onAppended((events) => seen.push(events.map((e) => e.streamId)));
      await store.append('notify-1', [ev(1), ev(2)], { expectedVersion: 'none', ...ctx() });
      await store.append('notify-1', [ev(3)], { expectedVersion: 0, ...ctx() }).catch(() => undefined);
      off();
      await store.append('notify-1', [ev(3)], { expectedVersion: 2, ...ctx() });
      expect(seen).toEqual([['notify-1', 'notify-1']]);
    });

    it('hands out positions above existing ones after init, even if the counter was lost', async () => {
      const [before] = await store.append('counter-1', [ev(1)], { expectedVersion: 'none', ...ctx() });
      await conn.collection('counters').deleteMany({});
      await store.init();
      const [after] = await store.append('counter-1', [ev(2)], { expectedVersion: 1, ...ctx() });
      expect(after.position).toBeGreaterThan(before.position);
    });
  });

  describe('reading', () => {
    const streamId = 'read-1';
    beforeAll(async () => {
      await store.append(streamId, Array.from({ length: 10 }, (_, i) => ev(i + 1)), { expectedVersion: 'none', ...ctx() });
    });
    const versions = (events: EventEnvelope[]) => events.map((e) => e.streamVersion);

    it.each<[string, Parameters<EventStore['readStream']>[1], number[]]>([
      ['everything forward', {}, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]],
      ['a forward range', { from: 3, to: 5 }, [3, 4, 5]],
      ['forward with a limit', { from: 8, limit: 2 }, [8, 9]],
      ['everything backward', { direction: 'backward' }, [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]],
      ['backward from a version with a limit', { direction: 'backward', from: 7, limit: 3 }, [7, 6, 5]],
      ['a backward range', { direction: 'backward', from: 4, to: 2 }, [4, 3, 2]],
      ['past the end', { from: 11 }, []],
      ['a zero limit', { limit: 0 }, []],
    ])('readStream: %s', async (_name, options, expected) => {
      expect(versions(await store.readStream(streamId, options))).toEqual(expected);
    });

    it('reads a missing stream as empty', async () => {
      expect(await store.readStream('no-such-stream')).toEqual([]);
    });

    it('readAll reads every stream in position order through one query', async () => {
      const local = new EventStore(conn, { collection: uniqueName('events_all'), now: clock.now });
      await local.init();
      for (let round = 0; round < 4; round++) {
        for (const s of ['a', 'b', 'c']) {
          await local.append(`all-${s}`, [ev(round * 2), ev(round * 2 + 1)], { expectedVersion: 'any', ...ctx(`agr-${s}`) });
        }
      }
      const all: EventEnvelope[] = [];
      const find = jest.spyOn(local.collection, 'find');
      for await (const e of local.readAll({ batchSize: 5 })) {
        all.push(e);
        // Appended while reading: may or may not be seen (MongoDB's index scan may reach it; FerretDB sorted a copy).
        if (all.length === 1) await local.append('all-late', [ev(99)], { expectedVersion: 'none', ...ctx('agr-late') });
      }
      // One query, not one per batch of 5 (each query is a scan of the whole log where the index is not used).
      expect(find).toHaveBeenCalledTimes(1);
      find.mockRestore();
      const before = all.filter((e) => e.streamId !== 'all-late');
      expect(before).toHaveLength(24);
      expect(all.length - before.length).toBeLessThanOrEqual(1);
      const positions = before.map((e) => e.position);
      expect(all.map((e) => e.position)).toEqual(all.map((e) => e.position).sort((x, y) => x - y));
      expect(new Set(positions).size).toBe(24);

      const ofB: EventEnvelope[] = [];
      for await (const e of local.readAll({ agreementId: 'agr-b', batchSize: 3 })) ofB.push(e);
      expect(ofB.map((e) => e.streamVersion)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

      const after: EventEnvelope[] = [];
      for await (const e of local.readAll({ fromPosition: positions[9], limit: 4, batchSize: 3 })) after.push(e);
      expect(after.map((e) => e.position)).toEqual(positions.slice(10, 14));

      await local.append('all-typed', [ev(1, 'other.type')], { expectedVersion: 'none', ...ctx() });
      const typed: EventEnvelope[] = [];
      for await (const e of local.readAll({ types: ['other.type'] })) typed.push(e);
      expect(typed.map((e) => e.streamId)).toEqual(['all-typed']);
    });

    it('readAll resumes after the last position read when the server drops its cursor (a slow reader)', async () => {
      const local = new EventStore(conn, { collection: uniqueName('events_resume'), now: clock.now });
      await local.init();
      for (let i = 0; i < 12; i++) await local.append(`resume-${i % 3}`, [ev(i)], { expectedVersion: 'any', ...ctx() });
      const coll = local.collection;
      const original = coll.find.bind(coll);
      const cursors: Array<{ id?: unknown }> = [];
      const find = jest.spyOn(coll, 'find').mockImplementation(((...args: Parameters<typeof coll.find>) => {
        const cursor = original(...args);
        cursors.push(cursor);
        return cursor;
      }) as typeof coll.find);
      const read: number[] = [];
      for await (const e of local.readAll({ batchSize: 4 })) {
        read.push(e.position);
        // What MongoDB does to a cursor idle for 10 minutes.
        if (read.length === 2) await conn.db!.command({ killCursors: local.collection.collectionName, cursors: [cursors[0].id] });
      }
      find.mockRestore();
      expect(read).toHaveLength(12);
      expect(new Set(read).size).toBe(12);
      expect(read).toEqual([...read].sort((x, y) => x - y));
      expect(cursors.length).toBe(2);
    });

    it('a stream as known at a time (knownBy over readStream) folds what had been recorded by then', async () => {
      const t = new TestClock(new Date('2026-03-01T00:00:00.000Z'));
      const local = new EventStore(conn, { collection: store.collectionName, now: t.now });
      const sum = (s: number, e: EventEnvelope) => s + (e.data as { n: number }).n;
      const stateAsOfKnown = async (streamId: string, time: Date, evolve: typeof sum, initial: number) => {
        const known = knownBy(await local.readStream(streamId), time);
        return { state: known.reduce(evolve, initial), version: known.at(-1)?.streamVersion ?? 0 };
      };
      const t1 = t.now();
      await local.append('asof-1', [ev(1), ev(2)], { expectedVersion: 'none', ...ctx() });
      const t2 = t.advance(86_400_000);
      await local.append('asof-1', [ev(10)], { expectedVersion: 2, ...ctx() });
      t.advance(86_400_000);
      await local.append('asof-1', [ev(100)], { expectedVersion: 3, ...ctx() });

      expect(await stateAsOfKnown('asof-1', new Date(t1.getTime() - 1), sum, 0)).toEqual({ state: 0, version: 0 });
      expect(await stateAsOfKnown('asof-1', t1, sum, 0)).toEqual({ state: 3, version: 2 });
      expect(await stateAsOfKnown('asof-1', new Date(t2.getTime() + 3_600_000), sum, 0)).toEqual({ state: 13, version: 3 });
      expect(await stateAsOfKnown('asof-1', new Date('2030-01-01'), sum, 0)).toEqual({ state: 113, version: 4 });
      expect(await stateAsOfKnown('asof-missing', new Date('2030-01-01'), sum, 0)).toEqual({ state: 0, version: 0 });
    });
  });

  describe('upcasting on read', () => {
    it('reads old schema versions as the newest, never rewrites storage, and verifies against what is stored', async () => {
      const upcasters = new Upcasters([
        { type: 'milestone.planned', fromSchemaVersion: 1, upcast: (d) => ({ ...(d as object), evidence: [] }) },
      ]);
      const reader = new EventStore(conn, { collection: store.collectionName, upcasters });
      const [stored] = await store.append('upcast-1', [{ type: 'milestone.planned', schemaVersion: 1, data: { title: 't' } }], {
        expectedVersion: 'none',
        ...ctx(),
      });
      const [read] = await reader.readStream('upcast-1');
      expect(read).toMatchObject({ schemaVersion: 2, data: { title: 't', evidence: [] }, hash: stored.hash });
      const all: EventEnvelope[] = [];
      for await (const e of reader.readAll({ types: ['milestone.planned'] })) all.push(e);
      expect(all.find((e) => e.eventId === stored.eventId)).toMatchObject({ schemaVersion: 2 });
      const raw = await store.collection.findOne({ _id: eventKey('upcast-1', 1) });
      expect(raw).toMatchObject({ schemaVersion: 1, data: { title: 't' } });
      expect((await new EventAudit(reader).verify('upcast-1')).broken).toEqual([]);
      // The outbox publishes what is stored: the hash in the message matches its data.
      const { events: unpublished } = await reader.outbox.nextBatch({ relay: 'upcast', limit: 10_000 });
      expect(unpublished.find((e) => e.eventId === stored.eventId)).toMatchObject({ schemaVersion: 1 });
    });
  });

  describe('outbox', () => {
    async function freshStore(): Promise<EventStore> {
      const local = new EventStore(conn, { collection: uniqueName('events_outbox'), now: clock.now });
      await local.init();
      return local;
    }
    const positions = (events: readonly EventEnvelope[]) => events.map((e) => e.position);

    it('hands out events after the relay checkpoint by position, and moves the checkpoint on commit', async () => {
      const local = await freshStore();
      expect(await local.outbox.oldest('t')).toBeNull();
      expect((await local.outbox.nextBatch({ relay: 't', limit: 10 })).events).toEqual([]);
      await local.append('ob-1', [ev(1), ev(2)], { expectedVersion: 'none', ...ctx() });
      await local.append('ob-2', [ev(1)], { expectedVersion: 'none', ...ctx() });
      const first = await local.outbox.nextBatch({ relay: 't', limit: 2 });
      expect(first.events.map((e) => [e.streamId, e.streamVersion])).toEqual([['ob-1', 1], ['ob-1', 2]]);
      expect(first.full).toBe(true);
      expect(await local.outbox.commit(first)).toBe(first.events[1].position);
      const second = await local.outbox.nextBatch({ relay: 't', limit: 10 });
      expect(second.events.map((e) => e.streamId)).toEqual(['ob-2']);
      expect(second.full).toBe(false);
      expect(await local.outbox.oldest('t')).toMatchObject({ position: first.events[1].position + 1 });
      expect(await local.outbox.count('t')).toBe(1);
      // Each relay (topic) has its own checkpoint; the events themselves are never touched.
      expect(await local.outbox.count('other')).toBe(3);
      expect((await new EventAudit(local).verify()).broken).toEqual([]);
    });

    it('markPublished moves a relay past history it must never send, and never moves it back', async () => {
      const local = await freshStore();
      await local.append('imported', [ev(1), ev(2), ev(3)], { expectedVersion: 'none', ...ctx() });
      const imported = await local.highestPosition();
      await local.outbox.markPublished('t', imported);
      expect(await local.outbox.oldest('t')).toBeNull();
      await local.append('live', [ev(1)], { expectedVersion: 'none', ...ctx() });
      await local.outbox.markPublished('t', imported - 2);
      expect((await local.outbox.nextBatch({ relay: 't', limit: 10 })).events.map((e) => e.streamId)).toEqual(['live']);
      expect(await local.outbox.count('other')).toBe(4);
    });

    it('steps over the positions of a lost race at once', async () => {
      const local = await freshStore();
      await local.append('race', [ev(1)], { expectedVersion: 'none', ...ctx() });
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () => local.append('race', [ev(2)], { expectedVersion: 1, ...ctx() })),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      await local.append('after', [ev(1)], { expectedVersion: 'none', ...ctx() });
      // No time passes on the test clock: only positions recorded as burned can be stepped over.
      const batch = await local.outbox.nextBatch({ relay: 't', limit: 100 });
      expect(batch.events.map((e) => `${e.streamId}@${e.streamVersion}`)).toEqual(['race@1', 'race@2', 'after@1']);
      expect(batch.gaps).toEqual([]);
    });

    it('waits for a missing position, steps over it after the gap timeout, and still publishes it if it shows up late', async () => {
      const local = await freshStore();
      const t = new TestClock(new Date('2026-05-01T00:00:00.000Z'));
      const timed = new EventStore(conn, { collection: local.collectionName, now: t.now });
      await timed.append('gap-a', [ev(1)], { expectedVersion: 'none', ...ctx() });
      // Another process allocates a position and stalls before its insert.
      const stalled = await conn
        .collection<{ _id: string; seq: number }>('counters')
        .findOneAndUpdate({ _id: local.collectionName }, { $inc: { seq: 1 } }, { returnDocument: 'after' });
      const missing = stalled!.seq;
      await timed.append('gap-b', [ev(1)], { expectedVersion: 'none', ...ctx() });

      const held = await timed.outbox.nextBatch({ relay: 't', limit: 100, gapTimeoutMs: 5_000 });
      expect(held.events.map((e) => e.streamId)).toEqual(['gap-a']);
      expect(held.full).toBe(false);
      await timed.outbox.commit(held);

      t.advance(5_001);
      const over = await timed.outbox.nextBatch({ relay: 't', limit: 100, gapTimeoutMs: 5_000 });
      expect(over.events.map((e) => e.streamId)).toEqual(['gap-b']);
      expect(over.gaps).toEqual([{ from: missing, to: missing, before: missing + 1 }]);
      await timed.outbox.commit(over);
      expect(await timed.outbox.count('t')).toBe(0);

      // The stalled insert lands after all (its log entry and event written now, at the position it was given):
      // it is published next, not lost.
      const [late] = await new EventStore(conn, { collection: uniqueName('events_elsewhere'), now: t.now }).append(
        'gap-c',
        [ev(1)],
        { expectedVersion: 'none', ...ctx() },
      );
      await local.log.insertOne({ _id: logKey(missing), streamId: 'gap-c', streamVersion: 1, eventId: late.eventId, at: t.now() });
      await local.collection.insertOne({ ...toStoredAt(late, missing) });
      const again = await timed.outbox.nextBatch({ relay: 't', limit: 100, gapTimeoutMs: 5_000 });
      expect(positions(again.events)).toContain(missing);
      await timed.outbox.commit(again);
      const after = await timed.outbox.nextBatch({ relay: 't', limit: 100, gapTimeoutMs: 5_000 });
      expect(positions(after.events)).not.toContain(missing);
    });
  });
});
