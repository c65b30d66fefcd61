/**
 * Dead letters (`<topic>.dlq`, written by the IdempotentConsumer): listing them and re-driving them after a fix.
 *
 * A re-drive publishes each dead letter back to its original topic (original key, value and headers, without the
 * dlq-* headers, plus `redriven-from` naming the DLQ message) with the ordered producer, and remembers it in a
 * collection (`_id` = `<dlqTopic>:<partition>:<offset>`), so a second re-drive publishes nothing again. Each
 * consumer group that failed on a message dead-lettered a copy of it: copies of one original message (same
 * original topic, partition and offset) are published once. Published first, recorded second: a crash in
 * between publishes that message again next time, which consumers that processed it skip (they dedup by event
 * id). Every access to the collection is by exact `_id` or an insert (FerretDB scans for anything else).
 */
import { dlqTopicOf, RedriveHeaderNames } from '@tracker/contracts';
import { onlyDuplicateKeys } from '@tracker/mongo';
import type { IHeaders, Kafka, Message, Producer } from 'kafkajs';
import type { Connection, mongo } from 'mongoose';
import { decodeMessage, headersToStrings } from './codec';
import { DlqHeaders } from './idempotent-consumer';
import { createOrderedProducer } from './kafka';
import { readTopicsToEnd, topicOffsets, topicSize, type TopicMessage } from './topic-reader';

/** Headers of a re-driven message. */
export const RedriveHeaders = RedriveHeaderNames;

/** A dead letter as people read it: where it is, what it was, why it failed. */
export interface DeadLetter {
  dlqTopic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** From the envelope, when the message decodes as one. */
  eventId: string | null;
  type: string | null;
  streamId: string | null;
  /** `invalid-message` | `permanent` | `retries-exhausted` */
  reason: string | null;
  error: string | null;
  originalTopic: string | null;
  originalPartition: number | null;
  originalOffset: string | null;
  consumerGroup: string | null;
  failedAt: string | null;
  /** When it was re-driven; null: not yet. */
  redrivenAt: string | null;
}

export interface DeadLetterFilter {
  /** Only the dead letters of this consumer group (the dlq-consumer-group header, exactly). */
  consumerGroup?: string;
  /** At most this many: listed, or re-driven now. */
  limit?: number;
}

export interface RedriveOptions extends DeadLetterFilter {
  /** Who re-drives (kept in the record). */
  by?: string;
}

export interface RedriveCounts {
  dlqTopic: string;
  /** Dead letters considered (of the consumer group, when one was given). */
  total: number;
  /** Re-driven by this call. */
  redriven: number;
  /** Messages published by this call (copies of one original message are published once). */
  published: number;
  /** Re-driven by an earlier call: not published again. */
  alreadyRedriven: number;
  /** Could not be re-driven (see failures). */
  failed: number;
  /** Left for a next call by the limit. */
  remaining: number;
  failures: Array<{ partition: number; offset: string; error: string }>;
}

export interface DlqSummary {
  dlqTopic: string;
  messages: number;
  redriven: number;
}

export interface DeadLettersOptions {
  kafka: Kafka;
  connection: Connection;
  /** Default `dlq_redrives`. */
  collection?: string;
  /** Prefix of the reader's throw-away consumer groups (KAFKA_TOPIC_PREFIX). */
  groupPrefix?: string;
  /** Default: an ordered producer of the kafka client, connected for each re-drive. */
  producer?: Producer;
  now?: () => Date;
}

interface RedriveDoc {
  _id: string;
  dlqTopic: string;
  partition: number;
  offset: string;
  originalTopic: string;
  originalPartition: number | null;
  originalOffset: string | null;
  eventId: string | null;
  consumerGroup: string | null;
  redrivenAt: Date;
  redrivenBy: string | null;
}

/** Published at once (one producer request). */
const CHUNK = 100;
/** `_id` lookups in flight at once. */
const LOOKUPS = 16;

const recordId = (dlqTopic: string, partition: number, offset: string) => `${dlqTopic}:${partition}:${offset}`;
const dropped = new Set<string>([...Object.values(DlqHeaders), ...Object.values(RedriveHeaders)]);

function toDeadLetter({ topic, partition, message }: TopicMessage): DeadLetter {
  const decoded = decodeMessage(message);
  const h = headersToStrings(message.headers);
  const envelope = decoded.ok ? decoded.envelope : undefined;
  const originalPartition = Number.parseInt(h[DlqHeaders.originalPartition] ?? '', 10);
  return {
    dlqTopic: topic,
    partition,
    offset: message.offset,
    key: message.key?.toString('utf8') ?? null,
    eventId: envelope?.eventId ?? null,
    type: envelope?.type ?? null,
    streamId: envelope?.streamId ?? null,
    reason: h[DlqHeaders.reason] ?? null,
    error: h[DlqHeaders.error] ?? null,
    originalTopic: h[DlqHeaders.originalTopic] || null,
    originalPartition: Number.isInteger(originalPartition) ? originalPartition : null,
    originalOffset: h[DlqHeaders.originalOffset] ?? null,
    consumerGroup: h[DlqHeaders.consumerGroup] ?? null,
    failedAt: h[DlqHeaders.failedAt] ?? null,
    redrivenAt: null,
  };
}

/** Why a dead letter cannot go back to its original topic (undefined: it can). */
function unredrivable(dead: DeadLetter): string | undefined {
  if (!dead.originalTopic) return `no ${DlqHeaders.originalTopic} header`;
  if (dlqTopicOf(dead.originalTopic) !== dead.dlqTopic) return `original topic ${dead.originalTopic} is not the topic of ${dead.dlqTopic}`;
  return undefined;
}

export class DeadLetters {
  readonly collectionName: string;
  private readonly now: () => Date;
  /** One re-drive of a topic at a time in this process. */
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(private readonly options: DeadLettersOptions) {
    this.collectionName = options.collection ?? 'dlq_redrives';
    this.now = options.now ?? (() => new Date());
  }

  private get collection(): mongo.Collection<RedriveDoc> {
    return this.options.connection.collection<RedriveDoc>(this.collectionName);
  }

  /** Number of messages in the DLQ topic and how many of them were re-driven. */
  async summary(dlqTopic: string): Promise<DlqSummary> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      const ids: string[] = [];
      // A DLQ is written by a plain (non-transactional) producer: every offset between low and high is a message.
      for (const p of await topicOffsets(admin, dlqTopic)) {
        for (let o = BigInt(p.low); o < BigInt(p.high); o++) ids.push(recordId(dlqTopic, p.partition, o.toString()));
      }
      return { dlqTopic, messages: await topicSize(admin, dlqTopic), redriven: (await this.redrivenAt(ids)).size };
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /** The dead letters of a DLQ topic, in partition and offset order, with when each was re-driven. */
  async list(dlqTopic: string, filter: DeadLetterFilter = {}): Promise<DeadLetter[]> {
    const all = (await this.read(dlqTopic, filter.consumerGroup)).map(({ dead }) => dead);
    const letters = filter.limit === undefined ? all : all.slice(0, filter.limit);
    const done = await this.redrivenAt(letters.map((d) => recordId(d.dlqTopic, d.partition, d.offset)));
    return letters.map((d) => ({ ...d, redrivenAt: done.get(recordId(d.dlqTopic, d.partition, d.offset))?.toISOString() ?? null }));
  }

  /** Publishes the dead letters not re-driven yet back to their original topic; see the counts. */
  async redrive(dlqTopic: string, options: RedriveOptions = {}): Promise<RedriveCounts> {
    const before = this.running.get(dlqTopic) ?? Promise.resolve();
    const run = before.catch(() => undefined).then(() => this.redriveNow(dlqTopic, options));
    this.running.set(dlqTopic, run);
    try {
      return await run;
    } finally {
      if (this.running.get(dlqTopic) === run) this.running.delete(dlqTopic);
    }
  }

  private async redriveNow(dlqTopic: string, options: RedriveOptions): Promise<RedriveCounts> {
    const letters = await this.read(dlqTopic, options.consumerGroup);
    const done = await this.redrivenAt(letters.map(({ dead }) => recordId(dlqTopic, dead.partition, dead.offset)));
    const counts: RedriveCounts = { dlqTopic, total: letters.length, redriven: 0, published: 0, alreadyRedriven: 0, failed: 0, remaining: 0, failures: [] };
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    /** Original message → the message to publish and the dead letters it re-drives. */
    const plan = new Map<string, { message: Message; copies: DeadLetter[] }>();
    let topic = '';
    let chosen = 0;
    for (const { source, dead } of letters) {
      if (done.has(recordId(dlqTopic, dead.partition, dead.offset))) {
        counts.alreadyRedriven++;
        continue;
      }
      const problem = unredrivable(dead);
      if (problem) {
        counts.failed++;
        counts.failures.push({ partition: dead.partition, offset: dead.offset, error: problem });
        continue;
      }
      if (chosen >= limit) {
        counts.remaining++;
        continue;
      }
      chosen++;
      const original = dead.originalOffset === null ? `dlq:${dead.partition}:${dead.offset}` : `${dead.originalPartition}:${dead.originalOffset}`;
      const planned = plan.get(original);
      if (planned) planned.copies.push(dead);
      else plan.set(original, { message: this.redriven(source, dead), copies: [dead] });
      topic = dead.originalTopic as string; // the same for all: the DLQ's own topic (unredrivable)
    }
    if (plan.size === 0) return counts;

    const producer = this.options.producer ?? createOrderedProducer(this.options.kafka);
    if (!this.options.producer) await producer.connect();
    try {
      const items = [...plan.values()];
      for (let i = 0; i < items.length; i += CHUNK) {
        const chunk = items.slice(i, i + CHUNK);
        await producer.send({ topic, messages: chunk.map((item) => item.message) });
        counts.published += chunk.length;
        const copies = chunk.flatMap((item) => item.copies);
        await this.record(copies, options.by);
        counts.redriven += copies.length;
      }
    } finally {
      if (!this.options.producer) await producer.disconnect().catch(() => undefined);
    }
    return counts;
  }

  /** The message as it was before it failed, marked as re-driven from its DLQ offset. */
  private redriven({ message }: TopicMessage, dead: DeadLetter): Message {
    const headers: IHeaders = {};
    for (const [name, value] of Object.entries(message.headers ?? {})) if (!dropped.has(name) && value !== undefined) headers[name] = value;
    headers[RedriveHeaders.from] = recordId(dead.dlqTopic, dead.partition, dead.offset);
    headers[RedriveHeaders.at] = this.now().toISOString();
    // Keyed messages go where their key goes (with the agreement's other events); a keyless one where it was.
    const partition = message.key === null && dead.originalPartition !== null ? { partition: dead.originalPartition } : {};
    return { key: message.key, value: message.value, headers, ...partition };
  }

  /** Every message of the DLQ topic now (of one consumer group, when given), raw and as read. */
  private async read(dlqTopic: string, consumerGroup: string | undefined): Promise<Array<{ source: TopicMessage; dead: DeadLetter }>> {
    const messages = await readTopicsToEnd(this.options.kafka, [dlqTopic], { groupPrefix: this.options.groupPrefix });
    return messages
      .map((source) => ({ source, dead: toDeadLetter(source) }))
      .filter(({ dead }) => consumerGroup === undefined || dead.consumerGroup === consumerGroup);
  }

  /** Which of the record ids exist, with their time (one `_id` lookup each, a few at a time). */
  private async redrivenAt(ids: readonly string[]): Promise<Map<string, Date>> {
    const found = new Map<string, Date>();
    for (let i = 0; i < ids.length; i += LOOKUPS) {
      const docs = await Promise.all(ids.slice(i, i + LOOKUPS).map((_id) => this.collection.findOne({ _id }, { projection: { redrivenAt: 1 } })));
      for (const doc of docs) if (doc) found.set(doc._id, doc.redrivenAt);
    }
    return found;
  }

  private async record(letters: readonly DeadLetter[], by: string | undefined): Promise<void> {
    const redrivenAt = this.now();
    const docs: RedriveDoc[] = letters.map((d) => ({
      _id: recordId(d.dlqTopic, d.partition, d.offset),
      dlqTopic: d.dlqTopic,
      partition: d.partition,
      offset: d.offset,
      originalTopic: d.originalTopic as string,
      originalPartition: d.originalPartition,
      originalOffset: d.originalOffset,
      eventId: d.eventId,
      consumerGroup: d.consumerGroup,
      redrivenAt,
      redrivenBy: by ?? null,
    }));
    try {
      await this.collection.insertMany(docs, { ordered: false });
    } catch (err) {
      // Recorded meanwhile by a re-drive in another process: it was published twice, which consumers skip.
      if (!onlyDuplicateKeys(err)) throw err;
    }
  }
}
