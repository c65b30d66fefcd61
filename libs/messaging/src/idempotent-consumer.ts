/**
 * A kafkajs consumer that processes each event once in effect:
 * - offsets are committed only after the messages up to them were handled (or dead-lettered) and recorded;
 * - events already recorded in the ProcessedStore for this group are skipped (re-sends by the relay, replays
 *   after a crash or a rebalance);
 * - transient handler errors are retried with exponential backoff and jitter; a message that can never be
 *   processed (not JSON, not an envelope, PermanentError, retries exhausted) goes to `<topic>.dlq` with headers
 *   saying why and where from, and the consumer goes on;
 * - partitions are processed one message at a time, in offset order: per agreement (key) order is kept.
 *
 * Recording "processed" and the handler's own writes are not one transaction: after a crash between them the
 * handler runs again for that event. Handlers must therefore be idempotent or version-guarded (applyOnce).
 */
import { dlqTopicOf, type EventEnvelope } from '@tracker/contracts';
import type { Upcasters } from '@tracker/event-store';
import type { Admin, Consumer, ConsumerConfig, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { backoffDelay, defaultRetryPolicy, retryRetriable, type RetryPolicy } from './backoff';
import { decodeMessage } from './codec';
import { isPermanentError } from './errors';
import { createOrderedProducer } from './kafka';
import type { ProcessedRecord, ProcessedStore } from './processed-store';

export interface ConsumerContext {
  topic: string;
  partition: number;
  offset: string;
  groupId: string;
  correlationId: string;
  headers: Record<string, string>;
  /** 1 for the first attempt, then 2, 3... on retries. */
  attempt: number;
  /** Keeps the group session alive during long work. */
  heartbeat(): Promise<void>;
}

export type EventHandler = (envelope: EventEnvelope, ctx: ConsumerContext) => Promise<void>;

/** Headers added to a dead-lettered message (the original key, value and headers are kept). */
export const DlqHeaders = {
  error: 'dlq-error',
  /** `invalid-message` | `permanent` | `retries-exhausted` */
  reason: 'dlq-reason',
  originalTopic: 'dlq-original-topic',
  originalPartition: 'dlq-original-partition',
  originalOffset: 'dlq-original-offset',
  consumerGroup: 'dlq-consumer-group',
  failedAt: 'dlq-failed-at',
} as const;

export type DlqReason = 'invalid-message' | 'permanent' | 'retries-exhausted';

export interface IdempotentConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topics: readonly string[];
  handler: EventHandler;
  processedStore: ProcessedStore;
  /** Default true: a new group reads each topic from its beginning. */
  fromBeginning?: boolean;
  retries?: Partial<RetryPolicy>;
  /** Upcast consumed events to the newest schema versions before the handler sees them. */
  upcasters?: Upcasters;
  /** Producer for `<topic>.dlq`; default one created (and owned) by the consumer. */
  dlqProducer?: Producer;
  /** Classifies handler errors as permanent (→ DLQ without retries). Default: PermanentError. */
  isPermanent?: (err: unknown) => boolean;
  /** Commit (and record) at least every this many handled messages within a batch. Default 100. */
  commitEvery?: number;
  /** …and at least this often within a long batch. Default 1000 ms. */
  commitIntervalMs?: number;
  /** Default true: start() resolves once the consumer joined its group. */
  waitForGroupJoin?: boolean;
  groupJoinTimeoutMs?: number;
  consumerConfig?: Omit<ConsumerConfig, 'groupId'>;
  onError?: (err: unknown, context?: { topic: string; partition: number; offset: string }) => void;
  onDeadLetter?: (info: { topic: string; partition: number; offset: string; reason: DlqReason; error: string }) => void;
  now?: () => Date;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  /** Last offset handled + 1. */
  nextOffset: string;
  highWatermark: string;
  lag: number;
}

export interface ConsumerMetrics {
  processed: number;
  duplicates: number;
  deadLettered: number;
  retries: number;
  commitErrors: number;
  /** From the high watermarks seen in fetched batches (no extra broker calls). */
  partitions: PartitionLag[];
}

type Outcome = { kind: 'ok' } | { kind: 'aborted' } | { kind: 'failed'; reason: DlqReason; error: string };

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

export class IdempotentConsumer {
  readonly groupId: string;
  readonly consumer: Consumer;
  private readonly options: IdempotentConsumerOptions;
  private readonly retry: RetryPolicy;
  private readonly isPermanent: (err: unknown) => boolean;
  private readonly now: () => Date;
  private dlqProducer?: Producer;
  private readonly ownsDlqProducer: boolean;
  private stopping = false;
  private started = false;
  private readonly counters = { processed: 0, duplicates: 0, deadLettered: 0, retries: 0, commitErrors: 0 };
  private readonly positions = new Map<string, PartitionLag>();

  constructor(options: IdempotentConsumerOptions) {
    this.options = options;
    this.groupId = options.groupId;
    this.retry = { ...defaultRetryPolicy, ...options.retries };
    this.isPermanent = options.isPermanent ?? isPermanentError;
    this.now = options.now ?? (() => new Date());
    this.consumer = options.kafka.consumer({
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      ...options.consumerConfig,
      groupId: options.groupId,
    });
    this.dlqProducer = options.dlqProducer;
    this.ownsDlqProducer = !options.dlqProducer;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    const { consumer } = this;
    let removeListener: (() => void) | undefined;
    const joined = new Promise<void>((resolve) => {
      removeListener = consumer.on(consumer.events.GROUP_JOIN, () => resolve());
    });
    if (!this.dlqProducer) this.dlqProducer = createOrderedProducer(this.options.kafka);
    if (this.ownsDlqProducer) await this.dlqProducer.connect();
    await consumer.connect();
    for (const topic of this.options.topics) {
      await retryRetriable(() => consumer.subscribe({ topic, fromBeginning: this.options.fromBeginning ?? true }));
    }
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.eachBatch(payload),
    });
    if (this.options.waitForGroupJoin ?? true) {
      const timeoutMs = this.options.groupJoinTimeoutMs ?? 60_000;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          joined,
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`group ${this.groupId} not joined within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
      } finally {
        clearTimeout(timer);
        removeListener?.();
      }
    } else {
      removeListener?.();
    }
  }

  /** Finishes the message in flight, commits what was handled, leaves the group and disconnects. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.stopping = true;
    this.started = false;
    await this.consumer.disconnect();
    if (this.ownsDlqProducer && this.dlqProducer) {
      await this.dlqProducer.disconnect();
      this.dlqProducer = undefined;
    }
  }

  metrics(): ConsumerMetrics {
    return { ...this.counters, partitions: [...this.positions.values()].map((p) => ({ ...p })) };
  }

  /** Lag per partition from the broker: high watermark − committed offset of the group. */
  async fetchLag(admin: Admin): Promise<Array<{ topic: string; partition: number; committed: string; high: string; lag: number }>> {
    const out: Array<{ topic: string; partition: number; committed: string; high: string; lag: number }> = [];
    const committed = await admin.fetchOffsets({ groupId: this.groupId, topics: [...this.options.topics] });
    for (const { topic, partitions } of committed) {
      const ends = await admin.fetchTopicOffsets(topic);
      for (const p of partitions) {
        const end = ends.find((e) => e.partition === p.partition);
        if (!end) continue;
        const start = BigInt(p.offset) < 0n ? BigInt(end.low) : BigInt(p.offset);
        out.push({ topic, partition: p.partition, committed: p.offset, high: end.high, lag: Number(BigInt(end.high) - start) });
      }
    }
    return out;
  }

  private async eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    const { processedStore } = this.options;
    const shouldContinue = () => isRunning() && !isStale() && !this.stopping;
    const decoded = batch.messages.map((message) => ({ message, result: decodeMessage(message) }));
    const done = await processedStore.processedAmong(
      this.groupId,
      decoded.flatMap((d) => (d.result.ok ? [d.result.envelope.eventId] : [])),
    );

    const toRecord: ProcessedRecord[] = [];
    let resolved: string | undefined;
    let committed: string | undefined;
    let lastFlush = Date.now();
    const commitEvery = this.options.commitEvery ?? 100;
    const commitIntervalMs = this.options.commitIntervalMs ?? 1000;

    // Record first, then commit: a committed offset always covers recorded (or dead-lettered) messages only.
    const flush = async () => {
      lastFlush = Date.now();
      if (toRecord.length > 0) await processedStore.record(this.groupId, toRecord.splice(0));
      if (resolved !== undefined && resolved !== committed) {
        const next = (BigInt(resolved) + 1n).toString();
        try {
          await commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: next }] }] });
          committed = resolved;
        } catch (err) {
          // Not fatal: the messages are recorded, so a redelivery after a rebalance is skipped as duplicate.
          this.counters.commitErrors++;
          this.options.onError?.(err, { topic, partition, offset: resolved });
        }
      }
    };

    try {
      for (const { message, result } of decoded) {
        if (!shouldContinue()) break;
        if (!result.ok) {
          await this.deadLetter(topic, partition, message, 'invalid-message', result.error);
        } else if (done.has(result.envelope.eventId)) {
          this.counters.duplicates++;
        } else {
          const envelope = this.options.upcasters ? this.options.upcasters.upcast(result.envelope) : result.envelope;
          const outcome = await this.handle(envelope, {
            topic,
            partition,
            offset: message.offset,
            groupId: this.groupId,
            correlationId: result.correlationId,
            headers: result.headers,
            attempt: 1,
            heartbeat,
          }, shouldContinue);
          if (outcome.kind === 'aborted') break; // stopping during retries: not resolved, redelivered later
          if (outcome.kind === 'ok') {
            this.counters.processed++;
            done.add(envelope.eventId);
            toRecord.push({ eventId: envelope.eventId, topic, partition, offset: message.offset });
          } else {
            await this.deadLetter(topic, partition, message, outcome.reason, outcome.error);
          }
        }
        resolveOffset(message.offset);
        resolved = message.offset;
        this.track(topic, partition, message.offset, batch.highWatermark);
        if (toRecord.length >= commitEvery || Date.now() - lastFlush >= commitIntervalMs) await flush();
        await heartbeat();
      }
    } finally {
      await flush();
    }
  }

  private async handle(envelope: EventEnvelope, ctx: ConsumerContext, shouldContinue: () => boolean): Promise<Outcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.handler(envelope, { ...ctx, attempt });
        return { kind: 'ok' };
      } catch (err) {
        this.options.onError?.(err, { topic: ctx.topic, partition: ctx.partition, offset: ctx.offset });
        if (this.isPermanent(err)) return { kind: 'failed', reason: 'permanent', error: errorMessage(err) };
        if (attempt > this.retry.max) return { kind: 'failed', reason: 'retries-exhausted', error: errorMessage(err) };
        this.counters.retries++;
        const deadline = Date.now() + backoffDelay(attempt, this.retry);
        // Wait in slices: keep the session alive and give up at once if the consumer is stopping.
        while (Date.now() < deadline) {
          if (!shouldContinue()) return { kind: 'aborted' };
          await new Promise((r) => setTimeout(r, Math.min(250, Math.max(0, deadline - Date.now()))));
          await ctx.heartbeat().catch(() => undefined);
        }
        if (!shouldContinue()) return { kind: 'aborted' };
      }
    }
  }

  private async deadLetter(topic: string, partition: number, message: KafkaMessage, reason: DlqReason, error: string): Promise<void> {
    if (!this.dlqProducer) throw new Error('consumer not started');
    const headers: IHeaders = {
      ...(message.headers ?? {}),
      [DlqHeaders.error]: error.slice(0, 4000),
      [DlqHeaders.reason]: reason,
      [DlqHeaders.originalTopic]: topic,
      [DlqHeaders.originalPartition]: String(partition),
      [DlqHeaders.originalOffset]: message.offset,
      [DlqHeaders.consumerGroup]: this.groupId,
      [DlqHeaders.failedAt]: this.now().toISOString(),
    };
    // Must succeed before the offset moves on: if it throws, the batch fails and kafkajs retries it.
    await this.dlqProducer.send({
      topic: dlqTopicOf(topic),
      messages: [{ key: message.key, value: message.value, headers }],
    });
    this.counters.deadLettered++;
    this.options.onDeadLetter?.({ topic, partition, offset: message.offset, reason, error });
  }

  private track(topic: string, partition: number, offset: string, highWatermark: string): void {
    const next = BigInt(offset) + 1n;
    const hw = BigInt(highWatermark);
    this.positions.set(`${topic}:${partition}`, {
      topic,
      partition,
      nextOffset: next.toString(),
      highWatermark,
      lag: Number(hw > next ? hw - next : 0n),
    });
  }
}
