/**
 * The whole path against real Kafka and the real database: events appended to the store → outbox relay → Kafka →
 * IdempotentConsumer → version-guarded projection. Relays are frozen and replaced mid-way, run side by side, and
 * run without an effective lease; the consumer must still see every event, in version order per stream, and
 * count each exactly once.
 */
import mongoose, { type Connection } from 'mongoose';
import type { EventEnvelope, NewEvent } from '@tracker/contracts';
import { EventStore } from '@tracker/event-store';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { applyOnce } from '@tracker/mongo';
import { IdempotentConsumer } from './idempotent-consumer';
import { createOrderedProducer, ensureTopics } from './kafka';
import { OutboxRelay } from './outbox-relay';
import { ProcessedStore } from './processed-store';
import { freezingProducer, testKafka, topicSize } from './test/kafka-support';
import { eventually, mongoUrl, TestClock, uniqueName } from '@tracker/testing';

const actor = { id: 'delivery-test', role: 'system' as const };

describe('outbox relay → Kafka → idempotent consumer (integration)', () => {
  let conn: Connection;
  let kafka: Kafka;
  let admin: Admin;
  let processedStore: ProcessedStore;
  const topics: string[] = [];
  const closers: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    conn = await mongoose.createConnection(mongoUrl(), { dbName: uniqueName('msg_delivery') }).asPromise();
    kafka = testKafka('delivery-test');
    admin = kafka.admin();
    await admin.connect();
    processedStore = new ProcessedStore(conn);
    await processedStore.init();
  });

  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
    await conn.dropDatabase();
    await conn.close();
  });

  async function newTopic(prefix: string): Promise<string> {
    const topic = uniqueName(prefix);
    await ensureTopics(admin, [{ topic, numPartitions: 3 }]);
    topics.push(topic, `${topic}.dlq`);
    return topic;
  }

  async function newStore(now?: () => Date): Promise<EventStore> {
    const store = new EventStore(conn, { collection: uniqueName('events'), now });
    await store.init();
    return store;
  }

  async function connectedProducer(): Promise<Producer> {
    const producer = createOrderedProducer(kafka);
    await producer.connect();
    closers.push(() => producer.disconnect());
    return producer;
  }

  function startRelay(store: EventStore, producer: Producer, topic: string, options: Partial<ConstructorParameters<typeof OutboxRelay>[0]> = {}): OutboxRelay {
    const relay = new OutboxRelay({ outbox: store.outbox, connection: conn, producer, topic, source: 'delivery-test', batchSize: 250, pollIntervalMs: 100, leaseMs: 2000, ...options });
    relay.start();
    closers.push(() => relay.stop());
    return relay;
  }

  /** A consumer whose handler keeps a per-stream log of versions and a version-guarded count per stream. */
  async function startProjection(topic: string) {
    const projection = conn.collection(uniqueName('projection'));
    const seen = new Map<string, number[]>();
    let handled = 0;
    const consumer = new IdempotentConsumer({
      kafka,
      groupId: uniqueName('projector'),
      topics: [topic],
      processedStore,
      consumerConfig: { sessionTimeout: 10_000, heartbeatInterval: 1_000 },
      handler: async (e: EventEnvelope) => {
        handled++;
        const versions = seen.get(e.streamId) ?? [];
        versions.push(e.streamVersion);
        seen.set(e.streamId, versions);
        await applyOnce(projection, e.streamId, { field: 'lastVersion', value: e.streamVersion }, { $inc: { count: 1 } });
      },
    });
    await consumer.start();
    closers.push(() => consumer.stop());
    return { consumer, projection, seen, handled: () => handled };
  }

  /** Appends `perStream` events to each of `streams` streams, in `rounds` interleaved rounds, a few appends at a time. */
  async function appendInterleaved(store: EventStore, streams: number, perStream: number, rounds: number, prefix: string, afterRound?: (r: number) => Promise<void>) {
    const perAppend = perStream / rounds;
    for (let round = 0; round < rounds; round++) {
      const work = Array.from({ length: streams }, (_, s) => s);
      const worker = async () => {
        for (let s = work.shift(); s !== undefined; s = work.shift()) {
          const events: NewEvent[] = Array.from({ length: perAppend }, (_, i) => ({ type: 'test.counted', schemaVersion: 1, data: { n: round * perAppend + i + 1 } }));
          await store.append(`${prefix}-${String(s).padStart(3, '0')}`, events, {
            expectedVersion: round * perAppend,
            agreementId: `agr-${s % 40}`,
            actor,
            correlationId: `corr-${s}`,
          });
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
      await afterRound?.(round);
    }
  }

  async function expectExactlyOnceInOrder(p: Awaited<ReturnType<typeof startProjection>>, topic: string, streams: number, perStream: number) {
    const total = streams * perStream;
    // One message at a time through one FerretDB shared with every other test file of the run: 5,250 deliveries
    // take about a minute alone and up to four in a full parallel run (CI), hence the budget.
    await eventually(() => p.handled() >= total, { timeoutMs: 300_000, intervalMs: 200 });
    const size = await topicSize(admin, topic);
    // Every message in the topic was either handled (once per event) or skipped as a duplicate.
    await eventually(() => p.consumer.metrics().processed + p.consumer.metrics().duplicates === size, { timeoutMs: 60_000 });
    expect(p.handled()).toBe(total);
    expect(p.consumer.metrics().processed).toBe(total);
    expect(p.seen.size).toBe(streams);
    const expected = Array.from({ length: perStream }, (_, i) => i + 1);
    for (const versions of p.seen.values()) expect(versions).toEqual(expected);
    const docs = await p.projection.find({}).toArray();
    expect(docs).toHaveLength(streams);
    for (const d of docs) expect(d).toMatchObject({ count: perStream, lastVersion: perStream });
    const [sum] = await p.projection.aggregate([{ $group: { _id: null, total: { $sum: '$count' } } }]).toArray();
    expect(sum.total).toBe(total);
    return { size, duplicates: size - total };
  }

  it('5,000 events over 100 streams: a relay freezes mid-way, a new one takes over; every event counted once, in order', async () => {
    const started = Date.now();
    const topic = await newTopic('delivery.freeze');
    const store = await newStore();
    const p = await startProjection(topic);

    await appendInterleaved(store, 100, 50, 5, 'freeze');
    const appendedMs = Date.now() - started;
    expect(await store.outbox.count(topic)).toBe(5000);

    // Relay 1 publishes 3 batches, then a 4th that Kafka accepts, then freezes holding the lease.
    const frozen = freezingProducer(await connectedProducer(), 3);
    const relay1 = startRelay(store, frozen.producer, topic);
    await frozen.frozen;
    expect(relay1.metrics().published).toBe(750);
    expect(await store.outbox.count(topic)).toBe(4250);

    // Relay 2 (another process) waits for the lease to expire, then re-sends the unmarked batch and the rest.
    const relay2 = startRelay(store, await connectedProducer(), topic);
    // Waits on the relay's own count (in memory): polling the outbox's count scans the events on FerretDB, on the
    // relay's one connection, and under load made this wait the slowest part of the test.
    await eventually(() => relay2.metrics().published >= 4250, { timeoutMs: 120_000, intervalMs: 200 });
    expect(await store.outbox.count(topic)).toBe(0);
    expect(relay2.metrics().published).toBe(4250);
    expect(await relay2.lag()).toBe(0);

    const { size, duplicates } = await expectExactlyOnceInOrder(p, topic, 100, 50);
    expect(size).toBe(5250);
    expect(duplicates).toBe(250);

    frozen.unfreeze();
    await relay1.stop();
    await relay2.stop();
    console.log(`5,000 events: appended in ${appendedMs} ms, delivered and projected in ${Date.now() - started - appendedMs} ms`);
  }, 480_000);

  it('two relays running at once (lease), appends continuing, the leader stopped mid-way: exactly once in effect, in order', async () => {
    const topic = await newTopic('delivery.two');
    const store = await newStore();
    const p = await startProjection(topic);
    const a = startRelay(store, await connectedProducer(), topic, { batchSize: 100, leaseMs: 1000 });
    const b = startRelay(store, await connectedProducer(), topic, { batchSize: 100, leaseMs: 1000 });
    let stopped: OutboxRelay | undefined;
    await appendInterleaved(store, 20, 50, 10, 'two', async (round) => {
      if (round === 4) {
        await eventually(() => a.metrics().isLeader || b.metrics().isLeader);
        stopped = a.metrics().isLeader ? a : b;
        await stopped.stop();
      }
    });
    const survivor = stopped === a ? b : a;
    await eventually(async () => (await store.outbox.count(topic)) === 0, { timeoutMs: 60_000 });
    expect(survivor.metrics().published).toBeGreaterThan(0);
    await expectExactlyOnceInOrder(p, topic, 20, 50);
    await survivor.stop();
  }, 180_000);

  it('two relays publishing concurrently without an effective lease: duplicates, but never out of order per stream', async () => {
    const topic = await newTopic('delivery.nolease');
    const store = await newStore();
    const p = await startProjection(topic);
    // A 1 ms lease is expired by the next turn: both relays publish overlapping batches.
    const a = startRelay(store, await connectedProducer(), topic, { batchSize: 50, leaseMs: 1, pollIntervalMs: 10 });
    const b = startRelay(store, await connectedProducer(), topic, { batchSize: 50, leaseMs: 1, pollIntervalMs: 10 });
    await appendInterleaved(store, 20, 50, 10, 'nolease');
    await eventually(async () => (await store.outbox.count(topic)) === 0, { timeoutMs: 60_000 });
    // Stopped before counting: a relay may still be sending a batch the other one already published (its counter
    // moves only once that send returns and its commit is written), after the outbox was seen empty.
    await a.stop();
    await b.stop();
    const { duplicates } = await expectExactlyOnceInOrder(p, topic, 20, 50);
    expect(a.metrics().published + b.metrics().published).toBe(1000 + duplicates);
  }, 180_000);

  it('wakes on an append in the same process instead of waiting for the poll, and reports lag', async () => {
    const clock = new TestClock();
    const topic = await newTopic('delivery.wake');
    const store = await newStore(clock.now);
    await store.append('wake-1', [{ type: 'test.counted', schemaVersion: 1, data: {} }], { expectedVersion: 'none', agreementId: 'agr-w', actor, correlationId: 'c' });
    const relay = new OutboxRelay({ outbox: store.outbox, connection: conn, producer: await connectedProducer(), topic, source: 'delivery-test', pollIntervalMs: 600_000, now: clock.now });
    clock.advance(5_000);
    expect(await relay.lag()).toBe(5_000);
    relay.start();
    closers.push(() => relay.stop());
    await eventually(() => relay.metrics().published === 1, { timeoutMs: 10_000 });
    expect(await relay.lag()).toBe(0);
    // The loop now sleeps for 10 minutes unless woken.
    const t0 = Date.now();
    await store.append('wake-1', [{ type: 'test.counted', schemaVersion: 1, data: {} }], { expectedVersion: 1, agreementId: 'agr-w', actor, correlationId: 'c' });
    await eventually(() => relay.metrics().published === 2, { timeoutMs: 10_000, intervalMs: 10 });
    expect(Date.now() - t0).toBeLessThan(5_000);
    await relay.stop();
    expect(relay.metrics()).toMatchObject({ published: 2, batches: 2, errors: 0, isLeader: false, running: false });
  }, 60_000);
});
