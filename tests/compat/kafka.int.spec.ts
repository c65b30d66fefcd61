/**
 * Every broker feature the project relies on, exercised with kafkajs 2.2.4 against KAFKA_BROKERS: the real
 * Apache Kafka broker from deploy/local (or the official image under testcontainers). This is the proof that
 * the Kafka version pinned in deploy/local/versions.env works with our client (docs/adr/0002).
 */
import { Consumer, EachMessagePayload, Kafka, logLevel } from 'kafkajs';
import { eventually, testEnv, uniqueName } from '../support';

describe('Kafka compatibility (kafkajs against KAFKA_BROKERS)', () => {
  const topic = uniqueName('compat.events');
  const kafka = new Kafka({ clientId: 'compat-test', brokers: testEnv().kafkaBrokers, logLevel: logLevel.ERROR });
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    await admin.connect();
    await producer.connect();
  });

  afterAll(async () => {
    await Promise.allSettled(consumers.map((c) => c.disconnect()));
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await producer.disconnect();
    await admin.disconnect();
  });

  async function startConsumer(groupId: string, seen: EachMessagePayload[]): Promise<Consumer> {
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 1000 });
    consumers.push(consumer);
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async (payload) => {
        // Commit only after processing: the next offset is the one to resume from.
        await consumer.commitOffsets([
          {
            topic: payload.topic,
            partition: payload.partition,
            offset: (BigInt(payload.message.offset) + 1n).toString(),
          },
        ]);
        seen.push(payload);
      },
    });
    await joined;
    return consumer;
  }

  it('creates a topic with partitions and reports its metadata', async () => {
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })).toBe(true);
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(topics[0].partitions).toHaveLength(3);
    const cluster = await admin.describeCluster();
    expect(cluster.brokers.length).toBeGreaterThanOrEqual(1);
  });

  it('keeps one key on one partition, in order', async () => {
    const messages = Array.from({ length: 30 }, (_, i) => ({ key: `agreement-${i % 3}`, value: `${i}` }));
    const records = await producer.send({ topic, messages });
    expect(records.every((r) => r.errorCode === 0)).toBe(true);

    const seen: EachMessagePayload[] = [];
    await startConsumer(uniqueName('compat-order'), seen);
    await eventually(() => seen.length === 30);
    for (const key of ['agreement-0', 'agreement-1', 'agreement-2']) {
      const forKey = seen.filter((m) => m.message.key!.toString() === key);
      expect(new Set(forKey.map((m) => m.partition)).size).toBe(1);
      const values = forKey.map((m) => Number(m.message.value!.toString()));
      expect(values).toEqual([...values].sort((a, b) => a - b));
    }
  });

  it('resumes a consumer group from its committed offsets after a restart, without redelivery', async () => {
    const groupId = uniqueName('compat-rejoin');
    const first: EachMessagePayload[] = [];
    const consumer = await startConsumer(groupId, first);
    await eventually(() => first.length === 30);
    await consumer.disconnect();

    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    // -1: a partition none of the keys hashed to, so nothing was committed there.
    const committed = offsets[0].partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    expect(committed).toBe(30);

    await producer.send({ topic, messages: [{ key: 'agreement-9', value: 'after-restart' }] });
    const second: EachMessagePayload[] = [];
    await startConsumer(groupId, second);
    await eventually(() => second.length >= 1);
    // A message that was not yet consumed arrives; nothing committed before the restart comes back.
    expect(second.map((m) => m.message.value!.toString())).toEqual(['after-restart']);
  });

  it('carries headers through the broker', async () => {
    const headerTopic = uniqueName('compat.headers');
    await admin.createTopics({ topics: [{ topic: headerTopic, numPartitions: 1 }], waitForLeaders: true });
    await producer.send({
      topic: headerTopic,
      messages: [{ key: 'k', value: '{}', headers: { ce_type: 'agreement.registered', ce_id: 'abc' } }],
    });
    const consumer = kafka.consumer({ groupId: uniqueName('compat-headers') });
    consumers.push(consumer);
    const got: EachMessagePayload[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: headerTopic, fromBeginning: true });
    await consumer.run({ eachMessage: async (p) => void got.push(p) });
    await eventually(() => got.length === 1);
    expect(got[0].message.headers!.ce_type!.toString()).toBe('agreement.registered');
    await admin.deleteTopics({ topics: [headerTopic] }).catch(() => undefined);
  });
});
