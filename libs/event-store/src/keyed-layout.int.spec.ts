/**
 * The store's promise of flat cost (docs/adr/0010): appends, stream reads, start-up and the outbox touch the
 * events and the log only by insert or by exact `_id`, the one lookup FerretDB and MongoDB both answer from an
 * index whatever the size of the collection. Checked by recording every filter the store sends.
 */
import mongoose, { type Connection } from 'mongoose';
import type { NewEvent } from '@tracker/contracts';
import { EventAudit } from './audit';
import { EventStore } from './event-store';
import { fromStored, logKey, type StoredEvent } from './stored-event';
import { isByKey, mongoUrl, recordQueries, uniqueName } from '@tracker/testing';

const ctx = (agreementId = 'agr-1') => ({ agreementId, actor: { id: 'key-1', role: 'monitor' as const }, correlationId: 'corr-1' });
const ev = (n: number): NewEvent => ({ type: 'test.happened', schemaVersion: 1, data: { n } });

describe('EventStore keyed layout (integration)', () => {
  let conn: Connection;

  beforeAll(async () => {
    conn = await mongoose.createConnection(mongoUrl(), { dbName: uniqueName('es_keyed') }).asPromise();
  });

  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  it('appends, reads a stream, starts and publishes by insert and exact _id only', async () => {
    const name = uniqueName('events_flat');
    const writer = new EventStore(conn, { collection: name });
    await writer.init();
    for (let i = 0; i < 5; i++) await writer.append(`flat-${i}`, [ev(1), ev(2)], { expectedVersion: 'none', ...ctx() });

    // Another process (no cached heads, no events in memory) starting on the same store.
    const other = new EventStore(conn, { collection: name });
    const recorded = recordQueries();
    try {
      await other.init();
      expect((await other.readStream('flat-2')).map((e) => e.streamVersion)).toEqual([1, 2]);
      expect(await other.streamVersion('flat-3')).toBe(2);
      await other.append('flat-3', [ev(3)], { expectedVersion: 2, ...ctx() });
      await other.append('flat-4', [ev(3)], { expectedVersion: 'any', ...ctx() });
      await other.append('flat-new', [ev(1)], { expectedVersion: 'none', ...ctx() });
      const batch = await other.outbox.nextBatch({ relay: 't', limit: 100 });
      expect(batch.events.map((e) => `${e.streamId}@${e.streamVersion}`)).toEqual([
        ...[0, 1, 2, 3, 4].flatMap((i) => [`flat-${i}@1`, `flat-${i}@2`]),
        'flat-3@3',
        'flat-4@3',
        'flat-new@1',
      ]);
      expect(await other.outbox.oldest('t')).toMatchObject({ position: batch.events[0].position });
    } finally {
      recorded.stop();
    }
    const onEvents = recorded.sent.filter((q) => q.collection === other.collection.collectionName || q.collection === other.log.collectionName);
    expect(onEvents.length).toBeGreaterThan(10);
    expect(onEvents.filter((q) => !isByKey(q))).toEqual([]);
  });

  it('writes the appends that arrive together in one group commit, each stream in order', async () => {
    const store = new EventStore(conn, { collection: uniqueName('events_group') });
    await store.init();
    const inserts = jest.spyOn(store.collection, 'insertMany');
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => store.append(`group-${i}`, [ev(1), ev(2)], { expectedVersion: 'none', ...ctx(`agr-${i % 3}`) })),
    );
    // The first append starts a commit alone; the 29 queued behind it go in the next one: their first events in
    // one insert, then each stream's second event after its first.
    const firstEventInserts = inserts.mock.calls.filter(([docs]) => (docs as StoredEvent[]).some((d) => d.streamVersion === 1));
    inserts.mockRestore();
    expect(firstEventInserts.length).toBeLessThanOrEqual(3);
    expect(results.every((r) => r.map((e) => e.streamVersion).join() === '1,2')).toBe(true);
    const positions = results.flat().map((e) => e.position);
    expect(new Set(positions).size).toBe(60);
    for (const r of results) expect(r[1].position).toBeGreaterThan(r[0].position);
    expect((await new EventAudit(store).verify()).broken).toEqual([]);
  });

  it('a second append to a stream in the same commit waits for the first, and loses only if its version is gone', async () => {
    const store = new EventStore(conn, { collection: uniqueName('events_same') });
    await store.init();
    await store.append('same', [ev(1)], { expectedVersion: 'none', ...ctx() });
    const racing = await Promise.allSettled([
      store.append('same', [ev(2)], { expectedVersion: 1, ...ctx() }),
      store.append('same', [ev(2)], { expectedVersion: 1, ...ctx() }),
      store.append('same', [ev(9)], { expectedVersion: 'any', ...ctx() }),
    ]);
    expect(racing.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await store.readStream('same')).map((e) => (e.data as { n: number }).n)).toEqual([1, 2, 9]);
  });

  it('moves events stored before the keyed layout (_id = event id) into it on init, once', async () => {
    const name = uniqueName('events_legacy');
    const writer = new EventStore(conn, { collection: uniqueName('events_source') });
    await writer.init();
    const envelopes = [
      ...(await writer.append('old-a', [ev(1), ev(2)], { expectedVersion: 'none', ...ctx() })),
      ...(await writer.append('old-b', [ev(1)], { expectedVersion: 'none', ...ctx() })),
    ];
    // The old layout: `_id` = event id, unique (stream, version) and position indexes, no log.
    const legacy = conn.collection(name);
    await legacy.createIndex({ streamId: 1, streamVersion: 1 }, { unique: true, name: 'stream_version_unique' });
    await legacy.createIndex({ position: 1 }, { unique: true, name: 'position_unique' });
    await legacy.insertMany(
      envelopes.map((e) => {
        const { eventId, ...rest } = { ...fromStoredLike(e) };
        return { ...rest, _id: eventId } as never;
      }),
    );
    await conn.collection('counters').updateOne({ _id: name as never }, { $set: { seq: envelopes.at(-1)!.position } }, { upsert: true });

    const store = new EventStore(conn, { collection: name });
    await store.init();
    expect((await store.readStream('old-a')).map((e) => e.eventId)).toEqual(envelopes.slice(0, 2).map((e) => e.eventId));
    expect(await legacy.countDocuments({})).toBe(3);
    expect(await store.log.findOne({ _id: logKey(envelopes[2].position) })).toMatchObject({ streamId: 'old-b', streamVersion: 1 });
    expect((await new EventAudit(store).verify()).broken).toEqual([]);
    const [next] = await store.append('old-a', [ev(3)], { expectedVersion: 2, ...ctx() });
    expect(next.prevHash).toBe(envelopes[1].hash);
    expect(next.position).toBeGreaterThan(envelopes[2].position);
    await new EventStore(conn, { collection: name }).init();
    expect(await legacy.countDocuments({})).toBe(4);
  });

  it('lifts a lost or stale counter above every logged position on init, without reading the events', async () => {
    const name = uniqueName('events_counter');
    const store = new EventStore(conn, { collection: name });
    await store.init();
    for (let i = 0; i < 40; i++) await store.append(`c-${i}`, [ev(1)], { expectedVersion: 'none', ...ctx() });
    const highest = await store.highestPosition();
    await conn.collection('counters').updateOne({ _id: name as never }, { $set: { seq: 3 } });
    const restarted = new EventStore(conn, { collection: name });
    await restarted.init();
    expect(await restarted.highestPosition()).toBe(highest);
    const [after] = await restarted.append('c-0', [ev(2)], { expectedVersion: 1, ...ctx() });
    expect(after.position).toBe(highest + 1);
  });
});

/** An envelope as the old layout stored it (the same fields; times as dates). */
function fromStoredLike(e: ReturnType<typeof fromStored>) {
  return {
    eventId: e.eventId,
    type: e.type,
    schemaVersion: e.schemaVersion,
    streamId: e.streamId,
    streamVersion: e.streamVersion,
    position: e.position,
    agreementId: e.agreementId,
    occurredAt: new Date(e.occurredAt),
    recordedAt: new Date(e.recordedAt),
    actor: e.actor,
    correlationId: e.correlationId,
    causationId: e.causationId,
    data: e.data,
    hash: e.hash,
    prevHash: e.prevHash,
  };
}
