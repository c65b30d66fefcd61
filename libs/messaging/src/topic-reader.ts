/**
 * Reading topics as they are at a moment: their size from the high watermarks, and every message up to those
 * watermarks (for the DLQ tools and tests). A throw-away consumer group reads from the beginning and stops at the
 * end offsets fetched first, so messages added meanwhile are left out; the group commits nothing and is deleted.
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { retryRetriable } from './backoff';

/**
 * Low and high watermarks of every partition of `topic`. kafkajs's `fetchTopicOffsets` gives up at once on "This
 * server is not the leader for that topic-partition", which a broker answers for a moment after a restart, while it
 * takes its partitions' leadership back; this retries that and every other retriable error for up to `timeoutMs`.
 */
export function topicOffsets(admin: Pick<Admin, 'fetchTopicOffsets'>, topic: string, timeoutMs = 30_000) {
  return retryRetriable(() => admin.fetchTopicOffsets(topic), { timeoutMs });
}

/** Total number of messages in a topic: sum of high − low watermarks (topics are never compacted here). */
export async function topicSize(admin: Admin, topic: string): Promise<number> {
  const offsets = await topicOffsets(admin, topic);
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
}

export interface TopicMessage {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

export interface ReadToEndOptions {
  /** Prefix of the throw-away consumer group (e.g. the environment's KAFKA_TOPIC_PREFIX). */
  groupPrefix?: string;
  /** Give up when the end is not reached within this time. Default 30 s. */
  timeoutMs?: number;
}

/** Every message of `topics` up to their high watermarks of now, ordered by topic, partition and offset. */
export async function readTopicsToEnd(kafka: Kafka, topics: readonly string[], options: ReadToEndOptions = {}): Promise<TopicMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    /** `topic:partition` → offset the read ends before */
    const ends = new Map<string, bigint>();
    for (const topic of topics) {
      for (const p of await topicOffsets(admin, topic)) if (BigInt(p.high) > BigInt(p.low)) ends.set(`${topic}:${p.partition}`, BigInt(p.high));
    }
    if (ends.size === 0) return [];
    const groupId = `${options.groupPrefix ?? ''}topic-reader.${randomUUID()}`;
    const consumer = kafka.consumer({ groupId, sessionTimeout: 30_000, heartbeatInterval: 3_000, maxWaitTimeInMs: 250 });
    const out: TopicMessage[] = [];
    const next = new Map<string, bigint>();
    const timeoutMs = options.timeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    let reached: () => void = () => undefined;
    let failed: (err: Error) => void = () => undefined;
    const done = new Promise<void>((resolve, reject) => {
      reached = resolve;
      failed = reject;
      timer = setTimeout(() => reject(new Error(`${topics.join(', ')}: end offsets not reached within ${timeoutMs} ms`)), timeoutMs);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => payload.restart || failed(payload.error));
    const atEnd = () => [...ends].every(([key, end]) => (next.get(key) ?? 0n) >= end);
    try {
      await consumer.connect();
      for (const topic of topics) await retryRetriable(() => consumer.subscribe({ topic, fromBeginning: true }));
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const key = `${batch.topic}:${batch.partition}`;
          const end = ends.get(key) ?? 0n;
          for (const message of batch.messages) {
            if (BigInt(message.offset) < end) out.push({ topic: batch.topic, partition: batch.partition, message });
          }
          const last = BigInt(batch.lastOffset()) + 1n;
          if (last > (next.get(key) ?? 0n)) next.set(key, last);
          if (atEnd()) reached();
        },
      });
      await done;
    } finally {
      clearTimeout(timer);
      await consumer.disconnect().catch(() => undefined);
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
    const seen = new Set<string>();
    return out
      .filter((m) => {
        // A rebalance can hand a batch over twice: each offset once.
        const id = `${m.topic}:${m.partition}:${m.message.offset}`;
        return !seen.has(id) && seen.add(id);
      })
      .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition || Number(BigInt(a.message.offset) - BigInt(b.message.offset)));
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
