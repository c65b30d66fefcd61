/**
 * Messages that can never be processed go to `<topic>.dlq` with headers saying why and where from; the consumer
 * commits past them and goes on with the next message of the same partition.
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

describe('poison messages (integration)', () => {
  let conn: Connection;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let processedStore: ProcessedStore;
  const topic = uniqueName('poison');
  const dlq = `${topic}.dlq`;
  const others: Consumer[] = [];
  let consumer: IdempotentConsumer;

  beforeAll(async () => {
    conn = await mongoose.createConnection(mongoUrl(), { dbName: uniqueName('msg_poison') }).asPromise();
    processedStore = new ProcessedStore(conn);
    kafka = testKafka('poison-test');
    admin = kafka.admin();
    await admin.connect();
    expect(await ensureTopics(admin, [{ topic, numPartitions: 3 }])).toEqual([topic, dlq]);
    expect(await ensureTopics(admin, [{ topic, numPartitions: 3 }])).toEqual([]); // idempotent
    producer = createOrderedProducer(kafka);
    await producer.connect();
  });

  afterAll(async () => {
    await consumer?.stop();
    await Promise.allSettled(others.map((c) => c.disconnect()));
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic, dlq] }).catch(() => undefined);
    await admin.disconnect();
    await conn.dropDatabase();
    await conn.close();
  });

  it('dead-letters invalid JSON, invalid envelopes, permanent errors and exhausted retries, and goes on', async () => {
    const key = 'agr-poison'; // one key: one partition, so "goes on" means "past the poison, in order"
    const env = (i: number, type: string): EventEnvelope => envelopeFor(i, { agreementId: key, type, correlationId: `corr-${type}` });
    const flaky = env(3, 'test.flaky');
    await producer.send({
      topic,
      messages: [
        { key, value: '{"this is": not json', headers: { origin: 'poison-test' } },
        { key, value: JSON.stringify({ ...env(1, 'test.ok'), eventId: undefined }) },
        encodeEnvelope(env(2, 'test.refused'), 'poison-test'),
        encodeEnvelope(flaky, 'poison-test'),
        encodeEnvelope(env(4, 'test.broken'), 'poison-test'),
        encodeEnvelope(env(5, 'test.ok'), 'poison-test'),
      ],
    });

    const handled: Array<{ type: string; attempt: number; correlationId: string }> = [];
    let flakyFailures = 0;
    consumer = new IdempotentConsumer({
      kafka,
      groupId: uniqueName('poison-group'),
      topics: [topic],
      processedStore,
      retries: { max: 3, initialMs: 20, maxMs: 100 },
      consumerConfig: { sessionTimeout: 10_000, heartbeatInterval: 1_000 },
      handler: async (e, ctx) => {
        handled.push({ type: e.type, attempt: ctx.attempt, correlationId: ctx.correlationId });
        if (e.type === 'test.refused') throw new PermanentError('agreement does not exist');
        if (e.type === 'test.flaky' && flakyFailures++ < 2) throw new Error('database briefly unavailable');
        if (e.type === 'test.broken') throw new Error('always failing');
      },
    });
    await consumer.start();

    await eventually(() => handled.some((h) => h.type === 'test.ok'));
    expect(handled.map((h) => `${h.type}#${h.attempt}`)).toEqual([
      'test.refused#1', // permanent: no retry
      'test.flaky#1',
      'test.flaky#2',
      'test.flaky#3', // succeeded on the third attempt
      'test.broken#1',
      'test.broken#2',
      'test.broken#3',
      'test.broken#4', // 1 + 3 retries, then dead-lettered
      'test.ok#1',
    ]);
    expect(handled.find((h) => h.type === 'test.ok')?.correlationId).toBe('corr-test.ok');
    expect(consumer.metrics()).toMatchObject({ processed: 2, deadLettered: 4, retries: 5, duplicates: 0 });

    const { messages: dead, consumer: reader } = await collectTopic(kafka, dlq, uniqueName('dlq-reader'));
    others.push(reader);
    await eventually(() => dead.length === 4);
    const h = (i: number, name: string) => dead[i].message.headers?.[name]?.toString();
    const original = await admin.fetchTopicOffsets(topic);
    const partition = original.find((p) => p.high === '6')?.partition;
    expect(dead.map((_, i) => h(i, DlqHeaders.reason))).toEqual(['invalid-message', 'invalid-message', 'permanent', 'retries-exhausted']);
    expect(h(0, DlqHeaders.error)).toMatch(/invalid JSON/);
    expect(h(1, DlqHeaders.error)).toMatch(/eventId/);
    expect(h(2, DlqHeaders.error)).toBe('agreement does not exist');
    expect(h(3, DlqHeaders.error)).toBe('always failing');
    expect(dead.map((_, i) => h(i, DlqHeaders.originalOffset))).toEqual(['0', '1', '2', '4']);
    for (let i = 0; i < 4; i++) {
      expect(h(i, DlqHeaders.originalTopic)).toBe(topic);
      expect(h(i, DlqHeaders.originalPartition)).toBe(String(partition));
      expect(h(i, DlqHeaders.consumerGroup)).toBe(consumer.groupId);
      expect(dead[i].message.key?.toString()).toBe(key);
    }
    // The original message is kept as it was: value and headers.
    expect(dead[0].message.value?.toString()).toBe('{"this is": not json');
    expect(h(0, 'origin')).toBe('poison-test');
    expect(h(2, 'ce_type')).toBe('test.refused');

    // Everything was committed: a restart of the group would start after the good message.
    await eventually(async () => {
      const [offsets] = await admin.fetchOffsets({ groupId: consumer.groupId, topics: [topic] });
      return offsets.partitions.find((p) => p.partition === partition)?.offset === '6';
    });
  });
});
