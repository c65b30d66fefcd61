/** kafkajs set-up shared by every service: client, the ordered idempotent producer, topics and their DLQ twins. */
import { dlqTopicOf } from '@tracker/contracts';
import {
  Kafka,
  logLevel as LogLevel,
  Partitioners,
  type Admin,
  type KafkaConfig,
  type Producer,
  type ProducerConfig,
  type ProducerRecord,
  type RecordMetadata,
} from 'kafkajs';

export interface KafkaSettings {
  /** `host:port` list, or a comma-separated string (as in KAFKA_BROKERS). */
  brokers: string | readonly string[];
  clientId: string;
  /** Default WARN: kafkajs is noisy at INFO. */
  logLevel?: LogLevel;
  logCreator?: KafkaConfig['logCreator'];
  connectionTimeout?: number;
  requestTimeout?: number;
  retry?: KafkaConfig['retry'];
}

export function parseBrokers(brokers: string | readonly string[]): string[] {
  const list = typeof brokers === 'string' ? brokers.split(',') : [...brokers];
  const cleaned = list.map((b) => b.trim()).filter(Boolean);
  if (cleaned.length === 0) throw new Error('no Kafka brokers configured');
  return cleaned;
}

export function createKafka(settings: KafkaSettings): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: parseBrokers(settings.brokers),
    logLevel: settings.logLevel ?? LogLevel.WARN,
    logCreator: settings.logCreator,
    connectionTimeout: settings.connectionTimeout,
    requestTimeout: settings.requestTimeout,
    // Requests are retried for about three seconds, every second at most (kafkajs' default backs off to 30 s):
    // a caller that loops on its own (the outbox relay) tries again soon after the broker is back.
    retry: settings.retry ?? { initialRetryTime: 100, maxRetryTime: 1000, retries: 5 },
  });
}

/**
 * The producer events go out with: idempotent (the broker drops retried duplicates of a batch) and one request
 * in flight, so a retry can never overtake an earlier batch: per-partition order = send order. The Java-compatible
 * murmur2 partitioner maps a key to the same partition as any other Kafka client would.
 */
export function createOrderedProducer(kafka: Kafka, config: Omit<ProducerConfig, 'idempotent' | 'maxInFlightRequests'> = {}): Producer {
  return kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
    // An idempotent producer retries a send until it is acknowledged (fewer retries could duplicate a batch),
    // here every second at most, so that a send waiting out a broker outage completes soon after its return
    // (kafkajs' default backs off to 30 s between tries).
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 1000 },
    ...config,
    idempotent: true,
    maxInFlightRequests: 1,
  });
}

/** What a publisher needs of a producer: a kafkajs Producer or a RenewingProducer. */
export type MessageSender = Pick<Producer, 'send'>;

/**
 * An ordered producer that is replaced after a failed send. A send that failed may still have been written (the
 * broker died or the answer was lost after the append): sending other messages then under the same producer id
 * reuses sequence numbers the broker has already taken, and it refuses every later send for good
 * (OUT_OF_ORDER_SEQUENCE_NUMBER; seen after a Kafka SIGKILL). Under a new producer id the batch goes out again;
 * a message written twice that way is a redelivery, which consumers absorb by eventId.
 */
export class RenewingProducer implements MessageSender {
  private current?: Producer;
  private connecting?: Promise<Producer>;
  private renewals = 0;

  constructor(
    private readonly create: () => Producer,
    private readonly onRenew?: (err: unknown) => void,
  ) {}

  /** Connects now (otherwise the first send does). */
  async connect(): Promise<void> {
    await this.producer();
  }

  async send(record: ProducerRecord): Promise<RecordMetadata[]> {
    const producer = await this.producer();
    try {
      return await producer.send(record);
    } catch (err) {
      if (this.current === producer) {
        this.current = undefined;
        this.renewals++;
        this.onRenew?.(err);
        await producer.disconnect().catch(() => undefined);
      }
      throw err;
    }
  }

  /** Producers replaced so far (each after a failed send). */
  get renewed(): number {
    return this.renewals;
  }

  async disconnect(): Promise<void> {
    const producer = this.current ?? (await this.connecting?.catch(() => undefined));
    this.current = undefined;
    await producer?.disconnect().catch(() => undefined);
  }

  private producer(): Promise<Producer> {
    if (this.current) return Promise.resolve(this.current);
    this.connecting ??= (async () => {
      const producer = this.create();
      try {
        await producer.connect();
      } catch (err) {
        await producer.disconnect().catch(() => undefined);
        throw err;
      } finally {
        this.connecting = undefined;
      }
      this.current = producer;
      return producer;
    })();
    return this.connecting;
  }
}

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  /** Default: the broker's default.replication.factor. */
  replicationFactor?: number;
  retentionMs?: number;
  /** Retention of the `.dlq` twin. Default: retentionMs. */
  dlqRetentionMs?: number;
  /** Partitions of the `.dlq` twin. Default 1: dead letters are few and read by people. */
  dlqPartitions?: number;
}

/**
 * Creates every topic and its `.dlq` twin that does not exist yet (idempotent; existing topics are not altered).
 * Returns the names of the topics created.
 */
export async function ensureTopics(admin: Admin, specs: readonly TopicSpec[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const wanted = specs.flatMap((s) => {
    const retention = (ms: number | undefined) => (ms === undefined ? [] : [{ name: 'retention.ms', value: String(ms) }]);
    return [
      {
        topic: s.topic,
        numPartitions: s.numPartitions,
        replicationFactor: s.replicationFactor ?? -1,
        configEntries: retention(s.retentionMs),
      },
      {
        topic: dlqTopicOf(s.topic),
        numPartitions: s.dlqPartitions ?? 1,
        replicationFactor: s.replicationFactor ?? -1,
        configEntries: retention(s.dlqRetentionMs ?? s.retentionMs),
      },
    ];
  });
  const missing = wanted.filter((t) => !existing.has(t.topic));
  if (missing.length === 0) return [];
  try {
    await admin.createTopics({ topics: missing, waitForLeaders: true });
  } catch (err) {
    // Another instance created some of them at the same moment, or a fresh broker answered the leader check
    // before it knew the new topics ("does not host this topic-partition"): fine once they all have leaders.
    await waitForLeaders(admin, missing.map((t) => t.topic), 15_000).catch(() => {
      throw err;
    });
  }
  return missing.map((t) => t.topic);
}

/** Polls the cluster's metadata until every topic exists and each partition has a leader. */
async function waitForLeaders(admin: Admin, topics: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const known = new Set(await admin.listTopics());
    if (topics.every((t) => known.has(t))) {
      const meta = await admin.fetchTopicMetadata({ topics }).catch(() => null);
      if (meta?.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    }
    if (Date.now() > deadline) throw new Error(`topics without leaders after ${timeoutMs} ms: ${topics.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
