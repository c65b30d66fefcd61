/**
 * 2. Event store: S streams × E events appended one event per append (as commands do), S_c streams at a time,
 *    then every stream read back whole, with libs/event-store. Baseline: the same documents and reads with the
 *    raw MongoDB driver (insertOne into a collection with the same unique (streamId, streamVersion) index, find
 *    + sort): what the database gives without positions, hash chain and concurrency checks.
 *
 * Why not Emmett's MongoDB event store: see tests/bench/README.md (not installable next to this project's
 * dependencies from the registry, and its one-document-per-stream design needs an isolated read-modify-write that
 * FerretDB v1 does not give).
 */
import { randomUUID } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { milestoneStreamId } from '@tracker/contracts';
import { EventStore } from '@tracker/event-store';
import type { BenchContext, Row, ScenarioResult } from '../lib/context';
import { agreementId, milestoneEvent } from '../lib/events';
import { median, pool, progress } from '../lib/util';

interface Timing {
  appendPerSecond: number;
  readPerSecond: number;
}

async function withEventStore(store: EventStore, streams: string[], eventsPerStream: number, concurrency: number): Promise<Timing> {
  const meta = { agreementId, correlationId: randomUUID(), actor: { id: 'bench', role: 'monitor' as const } };
  let t = performance.now();
  await pool(streams, concurrency, async (id) => {
    for (let v = 0; v < eventsPerStream; v++) {
      await store.append(milestoneStreamId(id), [milestoneEvent(id, v + 1)], { ...meta, expectedVersion: v });
    }
  });
  const appendSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  let read = 0;
  await pool(streams, concurrency, async (id) => {
    const events = await store.readStream(milestoneStreamId(id));
    if (events.length !== eventsPerStream) throw new Error(`read ${events.length} events of ${id}, expected ${eventsPerStream}`);
    read += events.length;
  });
  const readSeconds = (performance.now() - t) / 1000;
  const total = streams.length * eventsPerStream;
  return { appendPerSecond: total / appendSeconds, readPerSecond: read / readSeconds };
}

async function withDriver(connection: Connection, name: string, streams: string[], eventsPerStream: number, concurrency: number): Promise<Timing> {
  const c = connection.collection(name);
  await c.createIndex({ streamId: 1, streamVersion: 1 }, { unique: true });
  let t = performance.now();
  await pool(streams, concurrency, async (id) => {
    for (let v = 1; v <= eventsPerStream; v++) {
      const e = milestoneEvent(id, v);
      const now = new Date();
      await c.insertOne({
        _id: randomUUID() as never,
        streamId: milestoneStreamId(id),
        streamVersion: v,
        type: e.type,
        schemaVersion: e.schemaVersion,
        agreementId,
        occurredAt: now,
        recordedAt: now,
        actor: { id: 'bench', role: 'monitor' },
        correlationId: randomUUID(),
        causationId: null,
        data: e.data,
      });
    }
  });
  const appendSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  let read = 0;
  await pool(streams, concurrency, async (id) => {
    const docs = await c.find({ streamId: milestoneStreamId(id) }).sort({ streamVersion: 1 }).toArray();
    if (docs.length !== eventsPerStream) throw new Error(`read ${docs.length} documents of ${id}, expected ${eventsPerStream}`);
    read += docs.length;
  });
  const readSeconds = (performance.now() - t) / 1000;
  return { appendPerSecond: (streams.length * eventsPerStream) / appendSeconds, readPerSecond: read / readSeconds };
}

/** Runs scenario 2; leaves the last repetition's event store for scenario 4 and returns it. */
export async function eventStoreScenario(ctx: BenchContext): Promise<ScenarioResult & { store: EventStore; connection: Connection }> {
  const { streams: s, eventsPerStream: e, storeConcurrency: c, reps } = ctx.options;
  const connection = await mongoose.createConnection(ctx.infra.mongoUrl, { dbName: ctx.benchDb }).asPromise();
  const ids = (n: number) => Array.from({ length: n }, () => randomUUID());

  progress('scenario 2: warm-up');
  const warm = new EventStore(connection, { collection: 'events_warmup' });
  await warm.init();
  await withEventStore(warm, ids(Math.min(10, s)), Math.min(5, e), c);
  await withDriver(connection, 'raw_warmup', ids(Math.min(10, s)), Math.min(5, e), c);
  for (const name of ['events_warmup', 'raw_warmup', 'events_warmup_outbox']) await connection.dropCollection(name).catch(() => undefined);

  const ours: Timing[] = [];
  const raw: Timing[] = [];
  let store: EventStore | undefined;
  for (let i = 1; i <= reps; i++) {
    progress(`scenario 2: ${s} streams × ${e} events, ${c} streams at a time, repetition ${i}/${reps}`);
    if (store) await connection.dropCollection(store.collectionName).catch(() => undefined);
    store = new EventStore(connection, { collection: `events_r${i}` });
    await store.init();
    const t = await withEventStore(store, ids(s), e, c);
    progress(`  libs/event-store: append ${t.appendPerSecond.toFixed(0)} events/s, read ${t.readPerSecond.toFixed(0)} events/s`);
    ours.push(t);
    const r = await withDriver(connection, `raw_r${i}`, ids(s), e, c);
    progress(`  raw driver:       append ${r.appendPerSecond.toFixed(0)} events/s, read ${r.readPerSecond.toFixed(0)} events/s`);
    raw.push(r);
    await connection.dropCollection(`raw_r${i}`).catch(() => undefined);
  }

  const title = `2. Event store (${s} streams × ${e} events, ${c} in parallel)`;
  const what = 'raw driver insertOne / find+sort, same documents and unique index';
  const rows: Row[] = [
    { scenario: title, metric: 'append (1 event per append)', tracker: median(ours.map((t) => t.appendPerSecond)), baseline: median(raw.map((t) => t.appendPerSecond)), baselineWhat: what, unit: 'events/s' },
    { scenario: title, metric: 'read every stream whole', tracker: median(ours.map((t) => t.readPerSecond)), baseline: median(raw.map((t) => t.readPerSecond)), baselineWhat: what, unit: 'events/s' },
  ];
  return {
    rows,
    notes: ['Scenario 2 baseline is the raw MongoDB driver, not Emmett: see tests/bench/README.md.'],
    store: store!,
    connection,
  };
}
