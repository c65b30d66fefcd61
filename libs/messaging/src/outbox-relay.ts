/**
 * The outbox relay: publishes the store's events to Kafka in position order and moves its checkpoint past them.
 * It takes the store's outbox (`store.outbox`, libs/event-store/src/outbox.ts) and the connection that holds its
 * lease (./lease.ts, document `outbox:<topic>`), nothing else of the store.
 *
 *   loop: take/renew the lease → read ≤ batchSize events after the checkpoint (`outbox.nextBatch`: stepping
 *         over burned or abandoned positions) → one producer.send (ordered, idempotent producer) → move the
 *         checkpoint (`outbox.commit`) → repeat at once if the batch was full, else sleep until an append in
 *         this process wakes it (`outbox.onAppended`, debounced) or pollIntervalMs passes (appends by other
 *         instances).
 *
 * At-least-once: a crash (or a send error) after Kafka accepted a batch but before the checkpoint moved re-sends it.
 * Consumers dedupe by event id. Per stream, the first copy of each event always reaches its partition in version
 * order, with one relay or several (docs/adr/0003). The lease only keeps several instances from doing the work
 * twice; a relay whose send fails gives the lease up so that a healthy instance can take over.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { EventEnvelope } from '@tracker/contracts';
import type { Outbox } from '@tracker/event-store';
import type { Connection } from 'mongoose';
import { backoffDelay } from './backoff';
import { encodeEnvelope } from './codec';
import type { MessageSender } from './kafka';
import { Lease } from './lease';

export interface OutboxRelayOptions {
  /** The store's outbox: `store.outbox`. */
  outbox: Outbox;
  /** Where the lease document lives (the service's database, usually the store's connection). */
  connection: Connection;
  /**
   * An ordered producer (createOrderedProducer: idempotent, one request in flight), connected; not owned by the
   * relay. A RenewingProducer, as the services use, also survives a send that failed after it was written.
   */
  producer: MessageSender;
  topic: string;
  /** CloudEvents `source`: the publishing service, e.g. `agreements`. */
  source: string;
  /** Default 500. */
  batchSize?: number;
  /**
   * Upper bound of one send's encoded size (default 900 000 bytes, below Kafka's default 1 MB message.max.bytes):
   * a batch is cut at the event that would exceed it (but always holds at least one event).
   */
  maxBatchBytes?: number;
  /** Default 500 ms. */
  pollIntervalMs?: number;
  /** Default 10 000 ms. The lease is renewed on every loop turn. */
  leaseMs?: number;
  /** Wake-up delay after an append, collecting bursts into one batch. Default 5 ms. */
  debounceMs?: number;
  /** How long a missing position may hold the relay back before it is stepped over. Default 5 000 ms. */
  gapTimeoutMs?: number;
  /** Unique per instance. Default a random id. */
  owner?: string;
  /** Default `leases`. */
  leaseCollection?: string;
  now?: () => Date;
  onError?: (err: unknown) => void;
  /** Called after a batch was sent and marked (metrics, logs). */
  onPublished?: (events: readonly EventEnvelope[]) => void;
}

export interface OutboxRelayMetrics {
  /** Events sent and marked published by this instance (re-sends included). */
  published: number;
  batches: number;
  errors: number;
  isLeader: boolean;
  lastPublishedPosition: number | null;
  running: boolean;
}

export class OutboxRelay {
  readonly owner: string;
  readonly lease: Lease;
  private readonly outbox: Outbox;
  private readonly producer: MessageSender;
  private readonly topic: string;
  private readonly source: string;
  private readonly batchSize: number;
  private readonly maxBatchBytes: number;
  private readonly pollIntervalMs: number;
  private readonly debounceMs: number;
  private readonly gapTimeoutMs: number;
  private readonly now: () => Date;
  private readonly onError: (err: unknown) => void;
  private readonly onPublished?: (events: readonly EventEnvelope[]) => void;

  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private unsubscribe?: () => void;
  private wakeRequested = false;
  private wakeTimer?: NodeJS.Timeout;
  private wakeWaiter?: () => void;
  private consecutiveErrors = 0;
  private moreWaiting = false;
  private stopSignal: () => void = () => undefined;
  private stopped: Promise<void> = Promise.resolve();
  private readonly counters = { published: 0, batches: 0, errors: 0, lastPublishedPosition: null as number | null };

  constructor(options: OutboxRelayOptions) {
    this.outbox = options.outbox;
    this.producer = options.producer;
    this.topic = options.topic;
    this.source = options.source;
    this.batchSize = options.batchSize ?? 500;
    this.maxBatchBytes = options.maxBatchBytes ?? 900_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.debounceMs = options.debounceMs ?? 5;
    this.gapTimeoutMs = options.gapTimeoutMs ?? 5_000;
    this.now = options.now ?? (() => new Date());
    this.onError = options.onError ?? (() => undefined);
    this.onPublished = options.onPublished;
    // Host and pid first, so the lease document tells an operator (and the instances test) which process holds it.
    this.owner = options.owner ?? `relay-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.lease = new Lease(options.connection, {
      name: `outbox:${options.topic}`,
      owner: this.owner,
      ttlMs: options.leaseMs ?? 10_000,
      collection: options.leaseCollection,
      now: this.now,
    });
  }

  /** Starts the loop in the background. Idempotent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopped = new Promise<void>((resolve) => (this.stopSignal = resolve));
    this.unsubscribe = this.outbox.onAppended(() => this.scheduleWake());
    this.loopDone = this.loop();
  }

  /** Finishes the current batch, stops, and releases the lease. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.stopSignal();
    this.unsubscribe?.();
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wake();
    await this.loopDone;
    await this.lease.release().catch((err) => this.onError(err));
  }

  metrics(): OutboxRelayMetrics {
    return { ...this.counters, isLeader: this.lease.held, running: this.running };
  }

  /** Age in ms of the oldest unpublished event (0 when the outbox is empty). */
  async lag(): Promise<number> {
    const oldest = await this.outbox.oldest(this.topic);
    return oldest ? Math.max(0, this.now().getTime() - oldest.recordedAt.getTime()) : 0;
  }

  /**
   * One turn: if this instance holds (or can take) the lease, publish one batch. Returns the number of events
   * published. The loop calls it; tools and tests may too (without start()).
   */
  async runOnce(): Promise<number> {
    if (!(await this.lease.acquire())) return 0;
    const batch = await this.outbox.nextBatch({ relay: this.topic, limit: this.batchSize, gapTimeoutMs: this.gapTimeoutMs });
    const unpublished = batch.events;
    if (unpublished.length === 0) return 0;
    const messages = [];
    let bytes = 0;
    for (const event of unpublished) {
      const message = encodeEnvelope(event, this.source);
      const size = Buffer.byteLength(message.value) + Buffer.byteLength(message.key) + 200;
      if (messages.length > 0 && bytes + size > this.maxBatchBytes) break;
      messages.push(message);
      bytes += size;
    }
    const events = unpublished.slice(0, messages.length);
    this.moreWaiting = batch.full || events.length < unpublished.length;
    try {
      await this.producer.send({ topic: this.topic, messages });
    } catch (err) {
      // Maybe sent, maybe not: nothing is marked, the batch goes again. Let a healthy instance have the lease.
      await this.lease.release().catch(() => undefined);
      throw err;
    }
    await this.outbox.commit(batch, events);
    this.counters.published += events.length;
    this.counters.batches++;
    this.counters.lastPublishedPosition = Math.max(...events.map((e) => e.position));
    try {
      this.onPublished?.(events);
    } catch {
      // observers never break the relay
    }
    return events.length;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let published = 0;
      try {
        published = await this.runOnce();
        this.consecutiveErrors = 0;
      } catch (err) {
        this.counters.errors++;
        this.consecutiveErrors++;
        this.onError(err);
        // Back off (appends do not cut this short: they would hammer a broken broker); stop() does.
        // At most ~2 s: the relay must resume within seconds of the broker's return.
        const delay = backoffDelay(this.consecutiveErrors, { initialMs: this.pollIntervalMs, maxMs: Math.max(2000, 4 * this.pollIntervalMs) });
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([this.stopped, new Promise<void>((resolve) => (timer = setTimeout(resolve, delay)))]);
        clearTimeout(timer);
        continue;
      }
      if (published > 0 && this.moreWaiting) continue; // the batch was full: more may be waiting
      await this.waitForWake(this.pollIntervalMs);
    }
  }

  private scheduleWake(): void {
    if (this.wakeTimer || !this.running) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.wake();
    }, this.debounceMs);
  }

  private wake(): void {
    if (this.wakeWaiter) {
      const resolve = this.wakeWaiter;
      this.wakeWaiter = undefined;
      resolve();
    } else {
      this.wakeRequested = true;
    }
  }

  private waitForWake(ms: number): Promise<void> {
    if (this.wakeRequested || !this.running) {
      this.wakeRequested = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.wakeWaiter = undefined;
        resolve();
      }, ms);
      this.wakeWaiter = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
