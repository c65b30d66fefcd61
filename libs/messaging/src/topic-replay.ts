/**
 * Re-reads Kafka topics from their beginning under a throw-away consumer group, up to a hundred messages at a
 * time in offset order per partition, until the end offsets of a moment (`readToEnd`, callable again to catch up). For
 * rebuilding read models: the handler must be idempotent (version-guarded), as a topic can hold an event twice.
 * Not an IdempotentConsumer: no dedup records, no dead letters (an unreadable message was dead-lettered by the
 * live consumer already; here it is counted and skipped).
 */
import type { EventEnvelope } from '@tracker/contracts';
import type { Upcasters } from '@tracker/event-store';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { decodeMessage } from './codec';
import { retryRetriable } from './backoff';
import { topicOffsets } from './topic-reader';

/** Messages handed to the handler at once. */
const CHUNK = 100;

export interface TopicReplayOptions {
  kafka: Kafka;
  groupId: string;
  topics: readonly string[];
  /** Readable events of one partition, in offset order, up to CHUNK at a time; never called with none. */
  handler: (envelopes: EventEnvelope[], topic: string) => Promise<void>;
  upcasters?: Upcasters;
}

export interface TopicRange {
  topic: string;
  partition: number;
  low: string;
  high: string;
}

export class TopicReplay {
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  /** `topic:partition` → offset of the next message to handle */
  private readonly next = new Map<string, bigint>();
  private targets = new Map<string, { low: bigint; high: bigint }>();
  private waiter?: () => void;
  private failure?: Error;
  private started = false;
  handled = 0;
  skipped = 0;

  constructor(private readonly options: TopicReplayOptions) {
    // A short fetch wait: the read ends at known offsets, and stopping should not wait out a long poll.
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 250,
    });
    this.admin = options.kafka.admin();
  }

  /** Low and high offsets of every partition now: what a read to the end covers. */
  async ranges(): Promise<TopicRange[]> {
    const out: TopicRange[] = [];
    for (const topic of this.options.topics) {
      for (const p of await topicOffsets(this.admin, topic))
        out.push({ topic, partition: p.partition, low: p.low, high: p.high });
    }
    return out;
  }

  async start(): Promise<void> {
    await this.admin.connect();
    await this.consumer.connect();
    for (const topic of this.options.topics)
      await retryRetriable(() => this.consumer.subscribe({ topic, fromBeginning: true }));
    this.started = true;
    await this.consumer.run({
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        // In chunks: a handler can write a chunk at once, and the consumer still heartbeats between chunks.
        for (let i = 0; i < batch.messages.length; i += CHUNK) {
          if (!isRunning() || isStale()) return;
          const chunk = batch.messages.slice(i, i + CHUNK);
          const envelopes: EventEnvelope[] = [];
          for (const message of chunk) {
            const decoded = decodeMessage(message);
            if (!decoded.ok) {
              this.skipped++;
              continue;
            }
            envelopes.push(
              this.options.upcasters ? this.options.upcasters.upcast(decoded.envelope) : decoded.envelope,
            );
          }
          if (envelopes.length > 0) {
            try {
              await this.options.handler(envelopes, batch.topic);
            } catch (err) {
              this.failure = err as Error;
              this.waiter?.();
              throw err;
            }
            this.handled += envelopes.length;
          }
          const last = chunk[chunk.length - 1].offset;
          resolveOffset(last);
          this.next.set(`${batch.topic}:${batch.partition}`, BigInt(last) + 1n);
          this.waiter?.();
          await heartbeat();
        }
      },
    });
  }

  /** Resolves once every message up to the end offsets of this moment was handled. */
  async readToEnd(ranges?: TopicRange[]): Promise<TopicRange[]> {
    if (!this.started) throw new Error('TopicReplay not started');
    const now = ranges ?? (await this.ranges());
    this.targets = new Map(
      now.map((r) => [`${r.topic}:${r.partition}`, { low: BigInt(r.low), high: BigInt(r.high) }]),
    );
    await new Promise<void>((resolve, reject) => {
      this.waiter = () => (this.failure ? reject(this.failure) : this.reached() && resolve());
      this.waiter();
    });
    this.waiter = undefined;
    return now;
  }

  private reached(): boolean {
    for (const [key, { low, high }] of this.targets) {
      if (high > low && (this.next.get(key) ?? low) < high) return false;
    }
    return true;
  }

  /** Stops reading and deletes the consumer group (it served this replay only). */
  async stop(): Promise<void> {
    await this.consumer.disconnect().catch(() => undefined);
    if (this.started) await this.admin.deleteGroups([this.options.groupId]).catch(() => undefined);
    await this.admin.disconnect().catch(() => undefined);
  }
}
