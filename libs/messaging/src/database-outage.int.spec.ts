/**
 * A database outage is waited out, not dead-lettered: the consumer stays on the message it could not handle,
 * commits nothing past it, reports the pause, and goes on where it was once the database answers again, however
 * long that took (here longer than the whole retry budget for other errors).
 */
import mongoose, { type Connection } from 'mongoose';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { encodeEnvelope } from './codec';
import { IdempotentConsumer } from './idempotent-consumer';
import { createOrderedProducer, ensureTopics } from './kafka';
import { ProcessedStore } from './processed-store';
import { envelopeFor, testKafka, topicSize } from './test/kafka-support';
import { eventually, hostOf, mongoUrl, startTcpProxy, throughProxy, uniqueName, type TcpProxy } from '@tracker/testing';

describe('consumer during a database outage (integration)', () => {
  const topic = uniqueName('outage');
  const dbName = uniqueName('msg_outage');
  let proxy: TcpProxy;
  let conn: Connection;
  let direct: Connection;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let consumer: IdempotentConsumer;

  beforeAll(async () => {
    proxy = await startTcpProxy(hostOf(mongoUrl()));
    // The consumer's connection goes through the proxy and gives up on an operation after a second, so that an
    // outage shows at once (and would have exhausted the old retry budget many times over).
    conn = await mongoose
      .createConnection(throughProxy(mongoUrl(), proxy.port), { dbName, serverSelectionTimeoutMS: 1000, bufferCommands: false })
      .asPromise();
    direct = await mongoose.createConnection(mongoUrl(), { dbName }).asPromise();
    kafka = testKafka('outage-test');
    admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic, numPartitions: 1 }]);
    producer = createOrderedProducer(kafka);
    await producer.connect();
  });

  afterAll(async () => {
    await consumer?.stop();
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => undefined);
    await admin.disconnect();
    await direct.dropDatabase();
    await direct.close();
    await conn.close().catch(() => undefined);
    await proxy.close();
  });

  it('pauses while the database is away, resumes where it was, and dead-letters nothing', async () => {
    const handled = direct.collection<{ _id: string; times: number }>('handled');
    const pauses: string[] = [];
    let resumedAfterMs = 0;
    consumer = new IdempotentConsumer({
      kafka,
      groupId: uniqueName('outage-group'),
      topics: [topic],
      processedStore: new ProcessedStore(conn),
      retries: { max: 2, initialMs: 20, maxMs: 50 },
      pauseBackoff: { initialMs: 50, maxMs: 300 },
      consumerConfig: { sessionTimeout: 10_000, heartbeatInterval: 1_000 },
      // The handler's own write goes to the database that goes away.
      handler: async (e) => {
        await conn.collection<{ _id: string; times: number }>('handled').updateOne({ _id: e.eventId }, { $inc: { times: 1 } }, { upsert: true });
      },
      onPause: (info) => pauses.push(info.reason),
      onResume: (info) => (resumedAfterMs = info.pausedMs),
    });
    await consumer.start();

    const events = Array.from({ length: 30 }, (_, i) => envelopeFor(i, { agreementId: 'agr-outage' }));
    await producer.send({ topic, messages: events.slice(0, 10).map((e) => encodeEnvelope(e, 'outage-test')) });
    await eventually(async () => (await handled.countDocuments()) === 10);

    proxy.cut();
    await producer.send({ topic, messages: events.slice(10).map((e) => encodeEnvelope(e, 'outage-test')) });
    const paused = await eventually(() => consumer.metrics().paused, { timeoutMs: 20_000 });
    expect(paused?.reason).toBeTruthy();
    // Away for longer than the retries of an unknown error would last (2 retries of at most 50 ms).
    await new Promise((r) => setTimeout(r, 4000));
    expect(consumer.metrics().paused).not.toBeNull();
    expect(await handled.countDocuments()).toBe(10);
    expect(consumer.metrics().deadLettered).toBe(0);

    proxy.restore();
    await eventually(async () => (await handled.countDocuments()) === 30, { timeoutMs: 30_000 });
    await eventually(() => consumer.metrics().partitions[0]?.lag === 0);
    const docs = await handled.find().toArray();
    expect(docs.every((d) => d.times === 1)).toBe(true);
    expect(consumer.metrics()).toMatchObject({ paused: null, deadLettered: 0, processed: 30 });
    expect(consumer.metrics().pauses).toBeGreaterThanOrEqual(1);
    expect(pauses.length).toBe(consumer.metrics().pauses);
    expect(resumedAfterMs).toBeGreaterThan(3000);
    expect(await topicSize(admin, `${topic}.dlq`)).toBe(0);
  }, 90_000);
});
