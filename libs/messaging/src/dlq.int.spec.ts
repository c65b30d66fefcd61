/**
 * Re-driving dead letters after a fix (issue 18): a message two consumer groups refused is dead-lettered by each;
 * once the handler is fixed, a re-drive publishes it back once, each group processes it once; a second re-drive
 * publishes nothing; a dead letter without its original topic is counted as failed, never published.
 */
import mongoose, { type Connection } from 'mongoose';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { encodeEnvelope } from './codec';
import { DeadLetters, RedriveHeaders } from './dlq';
import { PermanentError } from './errors';
import { DlqHeaders, IdempotentConsumer } from './idempotent-consumer';
import { createOrderedProducer, ensureTopics } from './kafka';
import { ProcessedStore } from './processed-store';
import { envelopeFor, testKafka } from './test/kafka-support';
import { readTopicsToEnd, topicSize } from './topic-reader';
import { eventually, isByKey, mongoUrl, recordQueries, uniqueName } from '@tracker/testing';

describe('re-driving dead letters (integration)', () => {
  let conn: Connection;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let deadLetters: DeadLetters;
  const topic = uniqueName('redrive');
  const dlq = `${topic}.dlq`;
  const consumers: IdempotentConsumer[] = [];
  let fixed = false;
  const handled: Array<{ group: string; type: string }> = [];

  beforeAll(async () => {
    conn = await mongoose.createConnection(mongoUrl(), { dbName: uniqueName('msg_dlq') }).asPromise();
    kafka = testKafka('dlq-test');
    admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic, numPartitions: 2 }]);
    producer = createOrderedProducer(kafka);
    await producer.connect();
    deadLetters = new DeadLetters({ kafka, connection: conn, groupPrefix: 'dlq-test.' });
  });

  afterAll(async () => {
    await Promise.allSettled(consumers.map((c) => c.stop()));
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic, dlq] }).catch(() => undefined);
    await admin.disconnect();
    await conn.dropDatabase();
    await conn.close();
  });

  it('lists the dead letters, re-drives each original message once after the fix, and nothing the second time', async () => {
    const refused = envelopeFor(1, { type: 'test.refused', agreementId: 'agr-dlq' });
    const ok = envelopeFor(2, { type: 'test.ok', agreementId: 'agr-dlq' });
    await producer.send({ topic, messages: [encodeEnvelope(refused, 'dlq-test'), encodeEnvelope(ok, 'dlq-test')] });
    // A dead letter that does not say where it came from cannot be re-driven.
    await producer.send({ topic: dlq, messages: [{ key: 'x', value: 'lost', headers: { [DlqHeaders.reason]: 'permanent', [DlqHeaders.error]: 'by hand' } }] });

    const processedStore = new ProcessedStore(conn);
    for (const name of ['projection', 'reactor']) {
      const groupId = uniqueName(`dlq-${name}`);
      const consumer = new IdempotentConsumer({
        kafka,
        groupId,
        topics: [topic],
        processedStore,
        consumerConfig: { sessionTimeout: 10_000, heartbeatInterval: 1_000 },
        handler: async (e) => {
          if (!fixed && e.type === 'test.refused') throw new PermanentError('agreement does not exist');
          handled.push({ group: groupId, type: e.type });
        },
      });
      consumers.push(consumer);
      await consumer.start();
    }
    const [first, second] = consumers;
    await eventually(() => consumers.every((c) => c.metrics().deadLettered === 1 && c.metrics().processed === 1));

    // list: where each one is, what it was, why it failed
    const listed = await deadLetters.list(dlq);
    expect(listed).toHaveLength(3);
    const copies = listed.filter((d) => d.reason === 'permanent' && d.originalTopic === topic);
    expect(copies.map((d) => d.consumerGroup).sort()).toEqual([first.groupId, second.groupId].sort());
    for (const d of copies) {
      expect(d).toMatchObject({
        dlqTopic: dlq,
        partition: 0,
        key: 'agr-dlq',
        eventId: refused.eventId,
        type: 'test.refused',
        streamId: refused.streamId,
        error: 'agreement does not exist',
        originalOffset: '0',
        redrivenAt: null,
      });
      expect(d.originalPartition).toEqual(expect.any(Number));
      expect(Date.parse(d.failedAt ?? '')).not.toBeNaN();
    }
    expect(listed.find((d) => d.originalTopic === null)).toMatchObject({ key: 'x', eventId: null, type: null, error: 'by hand' });
    expect(await deadLetters.list(dlq, { consumerGroup: first.groupId })).toEqual([copies.find((d) => d.consumerGroup === first.groupId)]);
    expect(await deadLetters.list(dlq, { limit: 1 })).toEqual([listed[0]]);
    expect(await deadLetters.summary(dlq)).toEqual({ dlqTopic: dlq, messages: 3, redriven: 0 });

    // the fix, then the re-drive: one message published for the two copies, each group processes it once
    fixed = true;
    const queries = recordQueries();
    const counts = await deadLetters.redrive(dlq, { by: 'dev-admin' });
    queries.stop();
    expect(counts).toEqual({
      dlqTopic: dlq,
      total: 3,
      redriven: 2,
      published: 1,
      alreadyRedriven: 0,
      failed: 1,
      remaining: 0,
      failures: [{ partition: 0, offset: listed.find((d) => d.originalTopic === null)?.offset, error: expect.stringMatching(/no dlq-original-topic header/) }],
    });
    const ofRedrives = queries.sent.filter((q) => q.collection === deadLetters.collectionName);
    expect(ofRedrives.length).toBeGreaterThan(0);
    expect(ofRedrives.filter((q) => !isByKey(q))).toEqual([]);

    await eventually(() => consumers.every((c) => handled.filter((h) => h.group === c.groupId && h.type === 'test.refused').length === 1));
    const inTopic = await readTopicsToEnd(kafka, [topic]);
    expect(inTopic).toHaveLength(3);
    const again = inTopic.find((m) => m.message.headers?.[RedriveHeaders.from] !== undefined);
    expect(again?.message.key?.toString()).toBe('agr-dlq');
    expect(again?.message.value?.toString()).toBe(JSON.stringify(refused));
    expect(again?.partition).toBe(copies[0].originalPartition); // with the agreement's other events
    const headers = Object.keys(again?.message.headers ?? {});
    expect(headers).toEqual(expect.arrayContaining(['ce_id', 'ce_type', RedriveHeaders.from, RedriveHeaders.at]));
    expect(headers.filter((h) => h.startsWith('dlq-'))).toEqual([]);
    expect(String(again?.message.headers?.[RedriveHeaders.from])).toBe(`${dlq}:0:${copies[0].offset}`);

    // again: nothing published, the counts say why
    expect(await deadLetters.redrive(dlq)).toMatchObject({ total: 3, redriven: 0, published: 0, alreadyRedriven: 2, failed: 1, remaining: 0 });
    expect(await topicSize(admin, topic)).toBe(3);
    expect(await deadLetters.summary(dlq)).toEqual({ dlqTopic: dlq, messages: 3, redriven: 2 });
    const after = await deadLetters.list(dlq);
    expect(after.map((d) => d.reason)).toEqual(listed.map((d) => d.reason));
    expect(after.filter((d) => d.redrivenAt !== null).map((d) => d.offset).sort()).toEqual(copies.map((d) => d.offset).sort());
    expect(consumers.map((c) => c.metrics())).toEqual(consumers.map(() => expect.objectContaining({ processed: 2, deadLettered: 1 })));
  });

  it('re-drives at most `limit` dead letters at a time and goes on where it stopped', async () => {
    const other = uniqueName('redrive-limit');
    await ensureTopics(admin, [{ topic: other, numPartitions: 1 }]);
    try {
      const dead = [3, 4, 5].map((i) => {
        const { key, value, headers } = encodeEnvelope(envelopeFor(i), 'dlq-test');
        return { key, value, headers: { ...headers, [DlqHeaders.originalTopic]: other, [DlqHeaders.originalPartition]: '0', [DlqHeaders.originalOffset]: String(i), [DlqHeaders.reason]: 'permanent' } };
      });
      await producer.send({ topic: `${other}.dlq`, messages: dead });
      expect(await deadLetters.redrive(`${other}.dlq`, { limit: 2 })).toMatchObject({ total: 3, redriven: 2, published: 2, remaining: 1 });
      expect(await deadLetters.redrive(`${other}.dlq`, { limit: 2 })).toMatchObject({ total: 3, redriven: 1, published: 1, alreadyRedriven: 2, remaining: 0 });
      expect(await topicSize(admin, other)).toBe(3);
    } finally {
      await admin.deleteTopics({ topics: [other, `${other}.dlq`] }).catch(() => undefined);
    }
  });
});
