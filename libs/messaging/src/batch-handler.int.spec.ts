/**
 * A consumer with a batchHandler (a projection that folds a backlog at once) on real Kafka: runs of new events go
 * to it together, in order; an invalid message or a repeated event ends a run (each handled as alone); a run that
 * fails falls back to one event at a time, so only the poison event is dead-lettered; an unavailable dependency is
 * waited out with the run kept, nothing dead-lettered.
 */
import mongoose, { type Connection } from 'mongoose';
import type { EventEnvelope } from '@tracker/contracts';
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { encodeEnvelope } from './codec';
import { PermanentError } from './errors';
import { DlqHeaders, IdempotentConsumer } from './idempotent-consumer';
import { createOrderedProducer, ensureTopics } from './kafka';
import { ProcessedStore } from './processed-store';
import { collectTopic, envelopeFor, testKafka } from './test/kafka-support';
import { eventually, mongoUrl, uniqueName } from '@tracker/testing';

describe('batch handler (integration)', () => {
  let conn: Connection;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let processedStore: ProcessedStore;
  const topics: string[] = [];
  const stops: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    conn = await mongoose.createConnection(mongoUrl(), { dbName: uniqueName('msg_batch') }).asPromise();
    processedStore = new ProcessedStore(conn);
    kafka = testKafka('batch-test');
    admin = kafka.admin();
    await admin.connect();
    producer = createOrderedProducer(kafka);
    await producer.connect();
  });

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await producer.disconnect();
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
    await conn.dropDatabase();
    await conn.close();
  });

  async function newTopic(): Promise<string> {
    const topic = uniqueName('batch');
    await ensureTopics(admin, [{ topic, numPartitions: 1 }]);
    topics.push(topic, `${topic}.dlq`);
    return topic;
  }

  const key = 'agr-batch'; // one partition: one ordered run
  const env = (i: number, type = 'test.ok'): EventEnvelope => envelopeFor(i, { agreementId: key, type, streamId: `s-${key}`, streamVersion: i });

  /** Records what reached each handler; `fail` decides a thrown error per call. */
  function consumerOn(topic: string, fail: { batch?: (events: readonly EventEnvelope[], attempt: number) => Error | undefined; one?: (e: EventEnvelope) => Error | undefined } = {}) {
    const runs: string[][] = [];
    const singles: string[] = [];
    const applied: number[] = [];
    const consumer = new IdempotentConsumer({
      kafka,
      groupId: uniqueName('batch-group'),
      topics: [topic],
      processedStore,
      retries: { max: 1, initialMs: 10, maxMs: 20 },
      pauseBackoff: { initialMs: 50, maxMs: 100 },
      consumerConfig: { sessionTimeout: 10_000, heartbeatInterval: 1_000 },
      batchHandlerSize: 4,
      handler: async (e) => {
        singles.push(e.eventId);
        const err = fail.one?.(e);
        if (err) throw err;
        applied.push(e.streamVersion);
      },
      batchHandler: async (events, ctx) => {
        runs.push(events.map((e) => e.eventId));
        const err = fail.batch?.(events, ctx.attempt);
        if (err) throw err;
        applied.push(...events.map((e) => e.streamVersion));
      },
    });
    stops.push(() => consumer.stop());
    return { consumer, runs, singles, applied };
  }

  it('hands runs of new events over together, in order, cut by an invalid message and by a repeated event', async () => {
    const topic = await newTopic();
    const events = Array.from({ length: 9 }, (_, i) => env(i + 1));
    await producer.send({
      topic,
      messages: [
        ...events.slice(0, 5).map((e) => encodeEnvelope(e, 'batch-test')),
        { key, value: 'not json' },
        encodeEnvelope(events[5], 'batch-test'),
        encodeEnvelope(events[5], 'batch-test'), // the same event again (a re-sent batch)
        ...events.slice(6).map((e) => encodeEnvelope(e, 'batch-test')),
      ],
    });
    const { consumer, runs, singles, applied } = consumerOn(topic);
    await consumer.start();
    await eventually(() => applied.length === 9);
    const ids = (from: number, to: number) => events.slice(from, to).map((e) => e.eventId);
    // At most batchHandlerSize per run; the invalid message and the repeat each close the run before them. A run of
    // one goes to the plain handler.
    expect(runs).toEqual([ids(0, 4), ids(6, 9)]);
    expect(singles).toEqual(ids(4, 6));
    expect(applied).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await eventually(() => consumer.metrics().deadLettered === 1);
    expect(consumer.metrics()).toMatchObject({ processed: 9, duplicates: 1, deadLettered: 1 });
    // Recorded as processed (at the end of the batch, after the handlers): a redelivery would skip them all.
    await eventually(async () => (await processedStore.processedAmong(consumer.groupId, events.map((e) => e.eventId))).size === 9);
  });

  it('a run that fails goes again one event at a time: only the poison event is dead-lettered', async () => {
    const topic = await newTopic();
    const events = [env(1), env(2), env(3, 'test.refused'), env(4)];
    await producer.send({ topic, messages: events.map((e) => encodeEnvelope(e, 'batch-test')) });
    const refused = (e: EventEnvelope) => (e.type === 'test.refused' ? new PermanentError('milestone refused') : undefined);
    const { consumer, runs, singles, applied } = consumerOn(topic, {
      batch: (batch) => (batch.some((e) => e.type === 'test.refused') ? new PermanentError('a poison event in the run') : undefined),
      one: refused,
    });
    await consumer.start();
    await eventually(() => consumer.metrics().deadLettered === 1 && applied.length === 3);
    expect(runs).toEqual([events.map((e) => e.eventId)]);
    expect(singles).toEqual(events.map((e) => e.eventId));
    expect(applied).toEqual([1, 2, 4]);
    const { messages: dead, consumer: reader } = await collectTopic(kafka, `${topic}.dlq`, uniqueName('dlq-reader'));
    stops.push(() => (reader as Consumer).disconnect());
    await eventually(() => dead.length === 1);
    expect(dead[0].message.headers?.[DlqHeaders.reason]?.toString()).toBe('permanent');
    expect(dead[0].message.headers?.ce_id?.toString()).toBe(events[2].eventId);
  });

  it('an unavailable dependency is waited out with the run kept together, nothing dead-lettered', async () => {
    const topic = await newTopic();
    const events = [env(1), env(2), env(3)];
    await producer.send({ topic, messages: events.map((e) => encodeEnvelope(e, 'batch-test')) });
    const unavailable = Object.assign(new Error('connection 3 to 127.0.0.1:27017 closed'), { name: 'MongoNetworkError' });
    const { consumer, runs, singles, applied } = consumerOn(topic, { batch: (_, attempt) => (attempt <= 3 ? unavailable : undefined) });
    await consumer.start();
    await eventually(() => applied.length === 3);
    expect(runs).toEqual(Array.from({ length: 4 }, () => events.map((e) => e.eventId)));
    expect(singles).toEqual([]);
    expect(consumer.metrics()).toMatchObject({ processed: 3, deadLettered: 0, pauses: 1, paused: null });
  });
});
