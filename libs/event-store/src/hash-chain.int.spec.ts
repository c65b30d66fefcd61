/** Tampering with stored events directly in the database is detected by EventAudit.verify(), which names the event. */
import mongoose, { type Connection } from 'mongoose';
import type { EventEnvelope } from '@tracker/contracts';
import { EventAudit } from './audit';
import { EventStore } from './event-store';
import { computeEventHash } from './hash';
import { eventKey, fromStored } from './stored-event';

const keyOf = (e: EventEnvelope) => eventKey(e.streamId, e.streamVersion);
import { mongoUrl, uniqueName } from '@tracker/testing';

const ctx = { expectedVersion: 'any' as const, agreementId: 'agr-1', actor: { id: 'auditor-test', role: 'monitor' as const }, correlationId: 'c' };

describe('hash chain (integration)', () => {
  let conn: Connection;
  let store: EventStore;
  let audit: EventAudit;
  const streams: Record<string, EventEnvelope[]> = {};

  beforeAll(async () => {
    conn = await mongoose.createConnection(mongoUrl(), { dbName: uniqueName('es_hash') }).asPromise();
    store = new EventStore(conn);
    await store.init();
    audit = new EventAudit(store);
    for (const name of ['intact', 'altered', 'deleted', 'swapped', 'rehashed']) {
      streams[name] = await store.append(
        `chain-${name}`,
        Array.from({ length: 5 }, (_, i) => ({ type: 'test.happened', schemaVersion: 1, data: { n: i + 1, text: `event ${i + 1}` } })),
        ctx,
      );
    }
  });

  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  it('verifies an untouched store', async () => {
    expect(await audit.verify()).toEqual({ streamsChecked: 5, eventsChecked: 25, broken: [] });
    expect(await audit.verify('chain-intact')).toEqual({ streamsChecked: 1, eventsChecked: 5, broken: [] });
  });

  it('names an event whose data was altered in the database', async () => {
    const target = streams.altered[2];
    await store.collection.updateOne({ _id: keyOf(target) }, { $set: { 'data.n': 42 } });
    expect((await audit.verify('chain-altered')).broken).toEqual([
      { streamId: 'chain-altered', streamVersion: 3, eventId: target.eventId, reason: 'hash-mismatch' },
    ]);
  });

  it('names the event after a deleted one (version gap)', async () => {
    await store.collection.deleteOne({ _id: keyOf(streams.deleted[1]) });
    expect((await audit.verify('chain-deleted')).broken).toEqual([
      { streamId: 'chain-deleted', streamVersion: 3, eventId: streams.deleted[2].eventId, reason: 'version-gap' },
    ]);
  });

  it('detects two events swapped in order', async () => {
    const [, second, third] = streams.swapped;
    // Swap versions 2 and 3 (through a free version: the unique index forbids two at once).
    await store.collection.updateOne({ _id: keyOf(second) }, { $set: { streamVersion: 1000 } });
    await store.collection.updateOne({ _id: keyOf(third) }, { $set: { streamVersion: 2 } });
    await store.collection.updateOne({ _id: keyOf(second) }, { $set: { streamVersion: 3 } });
    expect((await audit.verify('chain-swapped')).broken).toEqual([
      { streamId: 'chain-swapped', streamVersion: 2, eventId: third.eventId, reason: 'prev-hash-mismatch' },
    ]);
  });

  it('detects an altered event whose own hash was recomputed to match (at the next event)', async () => {
    const target = streams.rehashed[1];
    const doc = await store.collection.findOne({ _id: keyOf(target) });
    const forged = { ...fromStored(doc as NonNullable<typeof doc>), data: { n: 2, text: 'forged' } };
    await store.collection.updateOne({ _id: keyOf(target) }, { $set: { data: forged.data, hash: computeEventHash(forged) } });
    expect((await audit.verify('chain-rehashed')).broken).toEqual([
      { streamId: 'chain-rehashed', streamVersion: 3, eventId: streams.rehashed[2].eventId, reason: 'prev-hash-mismatch' },
    ]);
  });

  it('reports every broken stream, the first broken event of each, when verifying everything', async () => {
    const report = await audit.verify();
    expect(report.streamsChecked).toBe(5);
    expect(report.eventsChecked).toBe(24);
    expect(report.broken.map((b) => [b.streamId, b.streamVersion, b.reason])).toEqual([
      ['chain-altered', 3, 'hash-mismatch'],
      ['chain-deleted', 3, 'version-gap'],
      ['chain-rehashed', 3, 'prev-hash-mismatch'],
      ['chain-swapped', 2, 'prev-hash-mismatch'],
    ]);
  });
});
