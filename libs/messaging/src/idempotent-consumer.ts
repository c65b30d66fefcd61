/**
 * A kafkajs consumer that processes each event once in effect:
 * - offsets are committed only after the messages up to them were handled (or dead-lettered) and recorded;
 * - events already recorded in the ProcessedStore for this group are skipped (re-sends by the relay, replays
 *   after a crash or a rebalance);
 * - a failure is classified (errors.ts `classifyFailure`): when a dependency is unavailable (database, broker,
 *   network) the consumer pauses: it stays on the message, commits nothing past it, backs off and tries again
 *   until the dependency is back, however long that takes (readiness and metrics show the pause); a message that
 *   can never be processed (not JSON, not an envelope, PermanentError) goes to `<topic>.dlq` at once, with headers
 *   saying why and where from, and the consumer goes on; any other error is retried with exponential backoff and
 *   jitter, then dead-lettered (`retries-exhausted`), to be re-driven after the fix;
 * - partitions are processed one message at a time, in offset order: per agreement (key) order is kept.
 *
 * Recording "processed" and the handler's own writes are not one transaction: after a crash between them the
 * handler runs again for that event. Handlers must therefore be idempotent or version-guarded (applyOnce).
 */
import { DeadLetterHeaderNames, type DeadLetterReasons, dlqTopicOf, type EventEnvelope } from '@tracker/contracts';
import type { Upcasters } from '@tracker/event-store';
import type { Admin, Consumer, ConsumerConfig, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { backoffDelay, defaultPauseBackoff, defaultRetryPolicy, retryRetriable, type RetryPolicy } from './backoff';
import { decodeMessage } from './codec';
import { classifyFailure, type FailureKind } from './errors';
import { createOrderedProducer, RenewingProducer, type MessageSender } from './kafka';
import type { ProcessedRecord, ProcessedStore } from './processed-store';
import { topicOffsets } from './topic-reader';

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
/** Handles consecutive events of one partition at once, in offset order; `ctx` is the last one's. */
export type BatchHandler = (envelopes: readonly EventEnvelope[], ctx: ConsumerContext) => Promise<void>;

/** Headers added to a dead-lettered message (the original key, value and headers are kept). */
export const DlqHeaders = DeadLetterHeaderNames;

export type DlqReason = (typeof DeadLetterReasons)[number];

export interface IdempotentConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topics: readonly string[];
  handler: EventHandler;
  /**
   * Handles a run of consecutive new events of a partition at once, where that costs fewer writes than one by one
   * (a projection folding a backlog). It must have the effect of `handler` on each in turn. A failure falls back to
   * `handler`, one event at a time, so a poison event is told from the others; an unavailable dependency is waited
   * out with the run kept.
   */
  batchHandler?: BatchHandler;
  /** Events per batchHandler call at most. Default 100. */
  batchHandlerSize?: number;
  processedStore: ProcessedStore;
  /** Default true: a new group reads each topic from its beginning. */
  fromBeginning?: boolean;
  retries?: Partial<RetryPolicy>;
  /** Upcast consumed events to the newest schema versions before the handler sees them. */
  upcasters?: Upcasters;
  /** Producer for `<topic>.dlq`, connected; default a RenewingProducer created (and owned) by the consumer. */
  dlqProducer?: MessageSender;
  /** Classifies failures (default `classifyFailure`): `unavailable` pauses, `poison` dead-letters at once. */
  classify?: (err: unknown) => FailureKind;
  /** Back-off while paused on an unavailable dependency (no limit on the number of tries). Default 200 ms to 5 s. */
  pauseBackoff?: Pick<RetryPolicy, 'initialMs' | 'maxMs'>;
  /** The consumer stopped on a message because a dependency is unavailable (once per pause). */
  onPause?: (info: { reason: string; since: Date }) => void;
  /** …and went on: the dependency answered again after `pausedMs`. */
  onResume?: (info: { pausedMs: number }) => void;
  /** Commit (and record) at least every this many handled messages within a batch. Default 100. */
  commitEvery?: number;
  /** …and at least this often within a long batch. Default 1000 ms. */
  commitIntervalMs?: number;
  /**
   * Default true: start() resolves once the consumer joined its group. A service does not wait: after a crash the
   * group's rebalance waits for the dead member's session to end, and the service must answer meanwhile.
   */
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
  /** True once the consumer joined its group (and while it stays in it). */
  joined: boolean;
  /** Pauses on an unavailable dependency so far, and the one going on now (null when consuming). */
  pauses: number;
  paused: { since: string; reason: string } | null;
  /** From the high watermarks seen in fetched batches (no extra broker calls). */
  partitions: PartitionLag[];
}

type Outcome = { kind: 'ok' } | { kind: 'aborted' } | { kind: 'failed'; reason: DlqReason; error: string };

/** Returned by `waitOut` when the consumer stops (or the group rebalances) while a dependency is away. */
const ABORTED = Symbol('aborted');

interface BatchControl {
  shouldContinue: () => boolean;
  heartbeat: () => Promise<void>;
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

export class IdempotentConsumer {
  readonly groupId: string;
  readonly consumer: Consumer;
  private readonly options: IdempotentConsumerOptions;
  private readonly retry: RetryPolicy;
  private readonly classify: (err: unknown) => FailureKind;
  private pausedSince?: { at: Date; reason: string };
  private readonly now: () => Date;
  private dlqProducer?: MessageSender;
  private ownedDlqProducer?: RenewingProducer;
  private stopping = false;
  private started = false;
  private joined = false;
  private readonly counters = { processed: 0, duplicates: 0, deadLettered: 0, retries: 0, commitErrors: 0, pauses: 0 };
  private readonly positions = new Map<string, PartitionLag>();
  /** `topic:partition` of this member's partitions since its last join (undefined before the first). */
  private assignment?: Set<string>;

  constructor(options: IdempotentConsumerOptions) {
    this.options = options;
    this.groupId = options.groupId;
    this.retry = { ...defaultRetryPolicy, ...options.retries };
    this.classify = options.classify ?? classifyFailure;
    this.now = options.now ?? (() => new Date());
    this.consumer = options.kafka.consumer({
      // A member that died is given up after 10 s, so a restarted broker's rebalance does not wait 30 s for it.
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      // Fetches are retried every second at most while the broker is away (kafkajs' default backs off to 30 s,
      // and then restarts the consumer after that long): consuming resumes about a second after it returns.
      retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 30 },
      ...options.consumerConfig,
      groupId: options.groupId,
    });
    this.dlqProducer = options.dlqProducer;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    const { consumer } = this;
    this.joined = false;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      this.joined = true;
      this.onAssigned(e.payload.memberAssignment);
    });
    consumer.on(consumer.events.REBALANCING, () => (this.joined = false));
    consumer.on(consumer.events.CRASH, () => (this.joined = false));
    let removeListener: (() => void) | undefined;
    const joined = new Promise<void>((resolve) => {
      removeListener = consumer.on(consumer.events.GROUP_JOIN, () => resolve());
    });
    // Connected on its first dead letter: start-up does not wait for it.
    if (!this.dlqProducer) {
      const kafka = this.options.kafka;
      this.ownedDlqProducer = new RenewingProducer(() => createOrderedProducer(kafka));
      this.dlqProducer = this.ownedDlqProducer;
    }
    await consumer.connect();
    for (const topic of this.options.topics) {
      await retryRetriable(() => consumer.subscribe({ topic, fromBeginning: this.options.fromBeginning ?? true }));
    }
    // kafkajs' run() first joins the group (after a crash, that waits for the dead member's session to end);
    // when it fails, kafkajs restarts the consumer later and run() resolves all the same: GROUP_JOIN tells.
    const running = consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.eachBatch(payload),
    });
    if (!(this.options.waitForGroupJoin ?? true)) {
      removeListener?.();
      running.catch((err: unknown) => this.options.onError?.(err));
      return;
    }
    const timeoutMs = this.options.groupJoinTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await running;
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
  }

  /** Finishes the message in flight, commits what was handled, leaves the group and disconnects. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.stopping = true;
    this.started = false;
    this.joined = false;
    await this.consumer.disconnect();
    if (this.ownedDlqProducer) {
      await this.ownedDlqProducer.disconnect();
      this.ownedDlqProducer = undefined;
      this.dlqProducer = undefined;
    }
  }

  metrics(): ConsumerMetrics {
    const paused = this.pausedSince ? { since: this.pausedSince.at.toISOString(), reason: this.pausedSince.reason } : null;
    return { ...this.counters, joined: this.joined, paused, partitions: [...this.positions.values()].map((p) => ({ ...p })) };
  }

  /** Lag per partition from the broker: high watermark − committed offset of the group. */
  async fetchLag(admin: Admin): Promise<Array<{ topic: string; partition: number; committed: string; high: string; lag: number }>> {
    const out: Array<{ topic: string; partition: number; committed: string; high: string; lag: number }> = [];
    const committed = await admin.fetchOffsets({ groupId: this.groupId, topics: [...this.options.topics] });
    for (const { topic, partitions } of committed) {
      const ends = await topicOffsets(admin, topic);
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
    const control: BatchControl = { shouldContinue, heartbeat };
    const decoded = batch.messages.map((message) => ({ message, result: decodeMessage(message) }));
    const ids = decoded.flatMap((d) => (d.result.ok ? [d.result.envelope.eventId] : []));
    const done = await this.waitOut(() => processedStore.processedAmong(this.groupId, ids), control);
    if (done === ABORTED) return; // nothing resolved: the batch is fetched again

    const toRecord: ProcessedRecord[] = [];
    let resolved: string | undefined;
    let committed: string | undefined;
    let lastFlush = Date.now();
    const commitEvery = this.options.commitEvery ?? 100;
    const commitIntervalMs = this.options.commitIntervalMs ?? 1000;

    // Record first, then commit: a committed offset always covers recorded (or dead-lettered) messages only.
    const flush = async () => {
      lastFlush = Date.now();
      if (toRecord.length > 0) {
        const records = toRecord.splice(0);
        // Not recorded (stopping while the database is away): the offset stays, so they are handled again.
        if ((await this.waitOut(() => processedStore.record(this.groupId, records), control)) === ABORTED) return;
      }
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

    interface Pending {
      message: KafkaMessage;
      envelope: EventEnvelope;
      correlationId: string;
      headers: Record<string, string>;
    }
    const ctxOf = (p: Pending): ConsumerContext => ({
      topic,
      partition,
      offset: p.message.offset,
      groupId: this.groupId,
      correlationId: p.correlationId,
      headers: p.headers,
      attempt: 1,
      heartbeat,
    });
    // The message's offset is resolved, in order: handled, dead-lettered or a duplicate.
    const complete = async (message: KafkaMessage) => {
      resolveOffset(message.offset);
      resolved = message.offset;
      this.track(topic, partition, message.offset, batch.highWatermark);
      if (toRecord.length >= commitEvery || Date.now() - lastFlush >= commitIntervalMs) await flush();
      await heartbeat();
    };
    const handled = (p: Pending) => {
      this.counters.processed++;
      done.add(p.envelope.eventId);
      toRecord.push({ eventId: p.envelope.eventId, topic, partition, offset: p.message.offset });
    };
    // False: let go of the batch (stopping, rebalancing); what is not resolved is fetched again.
    const handleOne = async (p: Pending): Promise<boolean> => {
      const outcome = await this.handle(p.envelope, ctxOf(p), control);
      if (outcome.kind === 'aborted') return false;
      if (outcome.kind === 'ok') handled(p);
      else if ((await this.deadLetter(topic, partition, p.message, outcome.reason, outcome.error, control)) === ABORTED) return false;
      await complete(p.message);
      return true;
    };
    // New events wait in `run` to be handled together (batchHandler), in order, before anything after them.
    let run: Pending[] = [];
    const handleRun = async (): Promise<boolean> => {
      const pending = run;
      run = [];
      if (pending.length === 0) return true;
      if (this.options.batchHandler && pending.length > 1) {
        const together = await this.handleTogether(pending.map((p) => p.envelope), ctxOf(pending[pending.length - 1]), control);
        if (together === 'aborted') return false;
        if (together === 'ok') {
          for (const p of pending) {
            handled(p);
            await complete(p.message);
          }
          return true;
        }
      }
      for (const p of pending) if (!shouldContinue() || !(await handleOne(p))) return false;
      return true;
    };
    const runSize = this.options.batchHandlerSize ?? 100;

    try {
      for (const { message, result } of decoded) {
        if (!shouldContinue()) break;
        if (result.ok && !done.has(result.envelope.eventId) && !run.some((p) => p.envelope.eventId === result.envelope.eventId)) {
          const envelope = this.options.upcasters ? this.options.upcasters.upcast(result.envelope) : result.envelope;
          run.push({ message, envelope, correlationId: result.correlationId, headers: result.headers });
          if (run.length >= runSize && !(await handleRun())) break;
          continue;
        }
        if (!(await handleRun()) || !shouldContinue()) break;
        if (!result.ok) {
          if ((await this.deadLetter(topic, partition, message, 'invalid-message', result.error, control)) === ABORTED) break;
        } else if (done.has(result.envelope.eventId)) {
          this.counters.duplicates++;
        } else {
          // The same event twice in one batch, the first copy dead-lettered: this copy goes the same way as it would alone.
          const envelope = this.options.upcasters ? this.options.upcasters.upcast(result.envelope) : result.envelope;
          if (!(await handleOne({ message, envelope, correlationId: result.correlationId, headers: result.headers }))) break;
          continue;
        }
        await complete(message);
      }
      if (shouldContinue()) await handleRun();
    } finally {
      await flush();
    }
  }

  /** batchHandler on `envelopes` until it succeeds or fails for another reason than an unavailable dependency. */
  private async handleTogether(envelopes: readonly EventEnvelope[], ctx: ConsumerContext, control: BatchControl): Promise<'ok' | 'failed' | 'aborted'> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.batchHandler!(envelopes, { ...ctx, attempt });
        this.resumed();
        return 'ok';
      } catch (err) {
        this.options.onError?.(err, { topic: ctx.topic, partition: ctx.partition, offset: ctx.offset });
        if (this.classify(err) !== 'unavailable') return 'failed';
        this.pausing(err);
        if (!(await this.sleep(backoffDelay(attempt, this.options.pauseBackoff ?? defaultPauseBackoff), control))) return 'aborted';
      }
    }
  }

  private async handle(envelope: EventEnvelope, ctx: ConsumerContext, control: BatchControl): Promise<Outcome> {
    let unknownFailures = 0;
    let unavailableFor = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.handler(envelope, { ...ctx, attempt });
        this.resumed();
        return { kind: 'ok' };
      } catch (err) {
        this.options.onError?.(err, { topic: ctx.topic, partition: ctx.partition, offset: ctx.offset });
        const kind = this.classify(err);
        if (kind === 'poison') return { kind: 'failed', reason: 'permanent', error: errorMessage(err) };
        let delay: number;
        if (kind === 'unavailable') {
          // Not the message's fault: no limit, and the unknown-error budget is not spent on it.
          this.pausing(err);
          delay = backoffDelay(++unavailableFor, this.options.pauseBackoff ?? defaultPauseBackoff);
        } else {
          if (++unknownFailures > this.retry.max) return { kind: 'failed', reason: 'retries-exhausted', error: errorMessage(err) };
          this.counters.retries++;
          delay = backoffDelay(unknownFailures, this.retry);
        }
        if (!(await this.sleep(delay, control))) return { kind: 'aborted' };
      }
    }
  }

  /**
   * Runs `work` until it succeeds, waiting out failures of an unavailable dependency (the consumer is paused
   * meanwhile); other failures are thrown. ABORTED when the consumer stops or the group rebalances meanwhile.
   */
  private async waitOut<T>(work: () => Promise<T>, control: BatchControl): Promise<T | typeof ABORTED> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await work();
        this.resumed();
        return result;
      } catch (err) {
        if (this.classify(err) !== 'unavailable') throw err;
        this.options.onError?.(err);
        this.pausing(err);
        if (!(await this.sleep(backoffDelay(attempt, this.options.pauseBackoff ?? defaultPauseBackoff), control))) return ABORTED;
      }
    }
  }

  /**
   * Waits `ms` in slices, keeping the group session alive. False when the consumer should let go of the batch:
   * it is stopping, or the group rebalances (a heartbeat refused for another reason than an unreachable broker).
   */
  private async sleep(ms: number, { shouldContinue, heartbeat }: BatchControl): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (!shouldContinue()) return false;
      await new Promise((r) => setTimeout(r, Math.min(250, Math.max(0, deadline - Date.now()))));
      try {
        await heartbeat();
      } catch (err) {
        if (this.classify(err) !== 'unavailable') return false;
      }
    }
    return shouldContinue();
  }

  private pausing(err: unknown): void {
    if (this.pausedSince) return;
    this.pausedSince = { at: new Date(), reason: errorMessage(err).slice(0, 500) };
    this.counters.pauses++;
    this.options.onPause?.({ reason: this.pausedSince.reason, since: this.pausedSince.at });
  }

  private resumed(): void {
    if (!this.pausedSince) return;
    const pausedMs = Date.now() - this.pausedSince.at.getTime();
    this.pausedSince = undefined;
    this.options.onResume?.({ pausedMs });
  }

  private async deadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
    reason: DlqReason,
    error: string,
    control: BatchControl,
  ): Promise<void | typeof ABORTED> {
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
    // Must succeed before the offset moves on: a broker away is waited out like any other dependency.
    const producer = this.dlqProducer;
    const sent = await this.waitOut(
      () => producer.send({ topic: dlqTopicOf(topic), messages: [{ key: message.key, value: message.value, headers }] }),
      control,
    );
    if (sent === ABORTED) return ABORTED;
    this.counters.deadLettered++;
    this.options.onDeadLetter?.({ topic, partition, offset: message.offset, reason, error });
  }

  /**
   * The partitions of this member after a (re)join. Lag is reported for these only: an entry of a partition given
   * to another member would keep its last lag for good, and "the group has no lag" would never hold again.
   */
  private onAssigned(memberAssignment: Record<string, number[]>): void {
    this.assignment = new Set(Object.entries(memberAssignment).flatMap(([topic, ps]) => ps.map((p) => `${topic}:${p}`)));
    for (const key of this.positions.keys()) if (!this.assignment.has(key)) this.positions.delete(key);
  }

  private track(topic: string, partition: number, offset: string, highWatermark: string): void {
    // A batch of a partition taken away in a rebalance may still finish a message after the join.
    if (this.assignment && !this.assignment.has(`${topic}:${partition}`)) return;
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
