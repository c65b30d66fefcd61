/** Kafka/Mongo fixtures for this lib's integration tests (not exported from index.ts). */
import type { EventEnvelope } from '@tracker/contracts';
import { logLevel, type Admin, type Consumer, type EachMessagePayload, type Kafka, type Producer } from 'kafkajs';
import mongoose, { type Connection } from 'mongoose';
import type { IdempotentConsumer } from '../idempotent-consumer';
import { createKafka, createOrderedProducer, ensureTopics } from '../kafka';
import { ProcessedStore } from '../processed-store';
import { kafkaBrokers, mongoUrl, uniqueName } from '@tracker/testing';

export function testKafka(clientId: string): Kafka {
  return createKafka({ brokers: kafkaBrokers(), clientId, logLevel: logLevel.ERROR });
}

/** Reads every message of a topic from the beginning with a throwaway group (for assertions on DLQs etc.). */
export async function collectTopic(kafka: Kafka, topic: string, groupId: string): Promise<{ messages: EachMessagePayload[]; consumer: Consumer }> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  const messages: EachMessagePayload[] = [];
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async (p) => void messages.push(p) });
  await joined;
  return { messages, consumer };
}

export { topicSize } from '../topic-reader';

/** What a consumer test works with: its own topic and database; the consumers it starts are stopped after it. */
export interface ConsumerStack {
  conn: Connection;
  kafka: Kafka;
  admin: Admin;
  producer: Producer;
  processedStore: ProcessedStore;
  topic: string;
  consumers: IdempotentConsumer[];
}

/** Sets up (beforeAll) and tears down (afterAll) a ConsumerStack: a topic of `partitions`, named after `name`. */
export function useConsumerStack(name: string, partitions: number): ConsumerStack {
  const stack = { topic: uniqueName(name), consumers: [] as IdempotentConsumer[] } as ConsumerStack;
  beforeAll(async () => {
    stack.conn = await mongoose.createConnection(mongoUrl(), { dbName: uniqueName(`msg_${name}`) }).asPromise();
    stack.processedStore = new ProcessedStore(stack.conn);
    await stack.processedStore.init();
    stack.kafka = testKafka(`${name}-test`);
    stack.admin = stack.kafka.admin();
    await stack.admin.connect();
    await ensureTopics(stack.admin, [{ topic: stack.topic, numPartitions: partitions }]);
    stack.producer = createOrderedProducer(stack.kafka);
    await stack.producer.connect();
  });
  afterAll(async () => {
    for (const c of stack.consumers) await c.stop().catch(() => undefined);
    await stack.producer?.disconnect();
    await stack.admin?.deleteTopics({ topics: [stack.topic, `${stack.topic}.dlq`] }).catch(() => undefined);
    await stack.admin?.disconnect();
    await stack.conn?.dropDatabase();
    await stack.conn?.close();
  });
  return stack;
}

/**
 * A producer that behaves like one whose process froze after Kafka accepted a batch: the first `healthySends`
 * sends work; the next one really sends, then never returns (until `unfreeze()`, which makes it fail).
 */
export function freezingProducer(real: Producer, healthySends: number) {
  let sends = 0;
  let thawed = false;
  let unfreeze: (err: Error) => void = () => undefined;
  let frozenResolve: () => void = () => undefined;
  const frozen = new Promise<void>((resolve) => (frozenResolve = resolve));
  const producer = new Proxy(real, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return async (record: Parameters<Producer['send']>[0]) => {
        sends++;
        if (thawed) throw new Error('producer of a frozen process');
        if (sends <= healthySends) return target.send(record);
        if (sends === healthySends + 1) await target.send(record); // accepted by Kafka, but never marked
        frozenResolve();
        return new Promise((_, reject) => (unfreeze = reject));
      };
    },
  });
  return {
    producer,
    frozen,
    unfreeze: () => {
      thawed = true;
      unfreeze(new Error('process was frozen'));
    },
  };
}

export function envelopeFor(i: number, overrides: Partial<EventEnvelope> = {}): EventEnvelope {
  const id = i.toString(16).padStart(12, '0');
  return {
    eventId: `0190a5b2-7c1e-7000-8000-${id}`,
    type: 'test.happened',
    schemaVersion: 1,
    streamId: `stream-${i % 12}`,
    streamVersion: Math.floor(i / 12) + 1,
    position: i + 1,
    agreementId: `agr-${i % 12}`,
    occurredAt: '2026-02-04T09:00:00.000Z',
    recordedAt: '2026-02-04T09:00:00.000Z',
    actor: { id: 'test', role: 'system' },
    correlationId: `corr-${i}`,
    causationId: null,
    data: { i },
    hash: '0'.repeat(64),
    prevHash: null,
    ...overrides,
  };
}
