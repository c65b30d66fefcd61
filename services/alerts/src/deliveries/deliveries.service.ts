/**
 * Webhook deliveries. Every `alert.*` event that comes back from `alerts.events` is matched against the webhook
 * subscriptions; each match becomes a delivery document whose id is derived from (subscription, event), so a
 * redelivered event never creates a second one. The dispatcher (on the platform Clock: tests call `runOnce`, a
 * timer in production) sends due deliveries as signed JSON POSTs and records every attempt in the document.
 *
 * Several instances: attempt number n of a delivery is claimed by inserting `<deliveryId>:<n>` into
 * `delivery_claims` (unique `_id`): exactly one instance sends it. A claim whose sender died (no outcome after
 * `staleClaimMs`) is written off as an attempt without answer and the next number is claimed. A 2xx answer is
 * recorded before anything else, so a restart sends nothing again that was acknowledged; a crash between the
 * receiver's 2xx and that record re-sends once, with the same `X-Tracker-Delivery` id for the receiver to
 * dedupe.
 *
 * Due deliveries are found through one queue document (`delivery_queue`, `_id: 'due'`): delivery id → the time
 * its next attempt is due, for pending deliveries only. A query for pending deliveries would read the whole
 * `deliveries` collection on FerretDB at every run, and that collection grows with every alert. The queue is a
 * hint kept on the safe side: a delivery is queued before its document is inserted, and its entry is brought in
 * line with the document (read by `_id`) after each attempt and whenever the dispatcher finds it stale, so a
 * crash leaves at worst an entry too many, never a pending delivery missing. Every access is by `_id`.
 */
import { createHmac } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Collection, Connection, mongo } from 'mongoose';
import { v5 as uuidv5 } from 'uuid';
import { DomainError, type Actor, type AlertEventEnvelope, type AlertEventType, type EventEnvelope } from '@tracker/contracts';
import { CLOCK, Cursor, OutboundPolicy, postOutbound, type Clock } from '@tracker/platform';
import { MONGO_CONNECTION, type EventReactor } from '@tracker/service-runtime';
import { isDelivered, matchesSubscription, nextAttemptAt, type RetrySchedule } from '@tracker/alerts-domain';
import { AlertsService, toView } from '../alerts/alerts.service';
import { AlertsConfig } from '../config';
import { AgreementInfoStore } from '../read-model/agreement-info';
import { SubscriptionsService } from '../subscriptions/subscriptions.service';
import { isDuplicateKey, readModifyWrite, RETRY, unchanged, updateIf } from '@tracker/mongo';

const DELIVERY_ID_NAMESPACE = 'c4a1e7d2-3b8f-4f0a-9e6d-1d2c3b4a5f60';
export const SIGNATURE_HEADER = 'x-tracker-signature';
export const DELIVERY_HEADER = 'x-tracker-delivery';
export const EVENT_HEADER = 'x-tracker-event';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface DeliveryAttempt {
  n: number;
  at: string;
  /** HTTP status, null when there was no answer (refused, timeout, abandoned claim). */
  status: number | null;
  error?: string;
  durationMs: number;
}

export interface DeliveryDoc {
  _id: string;
  subscriptionId: string;
  owner: string;
  eventId: string;
  eventType: AlertEventType;
  alertId: string;
  agreementId: string;
  url: string;
  /** The exact JSON sent (the same bytes on every attempt; the signature is over timestamp and body). */
  body: string;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  /** Attempts made (or written off); the next claim is attemptCount + 1. */
  attemptCount: number;
  nextAttemptAt: string | null;
  /** Retries stop after giveUpAfterMs counted from here (re-drive restarts it). */
  since: string;
  createdAt: string;
  deliveredAt?: string;
}

/** Pending delivery id → when its next attempt is due (ISO); see above. */
export interface DeliveryQueueDoc {
  _id: 'due';
  at: Record<string, string>;
}

const QUEUE_ID = 'due';

export type DeliveryView = Omit<DeliveryDoc, '_id' | 'body'> & { id: string };

export interface DispatchResult {
  attempted: number;
  delivered: number;
  failed: number;
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` */
export function signature(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

const SEES_ALL = new Set(['admin', 'auditor']);

@Injectable()
export class DeliveriesService implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Deliveries');
  readonly deliveries: Collection<DeliveryDoc>;
  private readonly claims: Collection<{ _id: string; at: string }>;
  readonly queue: Collection<DeliveryQueueDoc>;
  private timer?: NodeJS.Timeout;
  private running?: Promise<DispatchResult>;
  /** Overridable in tests (deterministic jitter). */
  random: () => number = Math.random;

  constructor(
    @Inject(MONGO_CONNECTION) connection: Connection,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly config: AlertsConfig,
    private readonly subscriptions: SubscriptionsService,
    private readonly agreements: AgreementInfoStore,
    private readonly alerts: AlertsService,
    private readonly outbound: OutboundPolicy,
  ) {
    this.deliveries = connection.collection<DeliveryDoc>('deliveries');
    this.claims = connection.collection('delivery_claims');
    this.queue = connection.collection<DeliveryQueueDoc>('delivery_queue');
  }

  async onModuleInit(): Promise<void> {
    await Promise.all([
      this.deliveries.createIndex({ status: 1, nextAttemptAt: 1 }),
      this.deliveries.createIndex({ owner: 1, _id: 1 }),
    ]);
    // Deliveries stored before the queue existed: queued once, by the one query of pending ones this needs.
    if (!(await this.queue.findOne({ _id: QUEUE_ID }))) {
      const pending = await this.deliveries.find({ status: 'pending' }, { projection: { _id: 1, nextAttemptAt: 1 } }).toArray();
      const at = Object.fromEntries(pending.map((d) => [d._id, d.nextAttemptAt ?? new Date(0).toISOString()]));
      await this.queue.insertOne({ _id: QUEUE_ID, at }).catch((err: unknown) => {
        if (!isDuplicateKey(err)) throw err;
      });
    }
  }

  /**
   * Sets (`due`: an ISO time) or removes (`due`: null) the queue entry of delivery `id`, unless it holds that
   * already. `due` may be a function of the entry as read: decided again if the entry changed meanwhile.
   */
  private queueEntry(id: string, due: (current: string | undefined) => Promise<string | null | undefined>): Promise<void> {
    return readModifyWrite(this.queue, QUEUE_ID, async (q: DeliveryQueueDoc | null, filter) => {
      const current = q?.at?.[id];
      const next = await due(current);
      if (next === undefined || next === (current ?? null)) return;
      if (!q) {
        if (next) await this.queue.insertOne({ _id: QUEUE_ID, at: { [id]: next } });
        return;
      }
      const result = await this.queue.updateOne(
        filter(unchanged(`at.${id}`, current)),
        next ? { $set: { [`at.${id}`]: next } } : { $unset: { [`at.${id}`]: '' } },
      );
      return result.matchedCount > 0 ? undefined : RETRY;
    });
  }

  /**
   * Brings delivery `id`'s queue entry in line with its document: due at `nextAttemptAt` while pending, none
   * otherwise. A queued delivery without a document yet is being inserted (queued first); after
   * `DELIVERY_STALE_CLAIM_MS` its inserter is taken to have died, and the event's redelivery will queue it again.
   */
  private syncQueue(id: string, now: Date): Promise<void> {
    return this.queueEntry(id, async (current) => {
      const d = await this.deliveries.findOne({ _id: id }, { projection: { status: 1, nextAttemptAt: 1 } });
      if (!d) return current && now.getTime() - Date.parse(current) < this.config.DELIVERY_STALE_CLAIM_MS ? undefined : null;
      return d.status === 'pending' ? (d.nextAttemptAt ?? now.toISOString()) : null;
    });
  }

  private get schedule(): RetrySchedule {
    return {
      initialMs: this.config.DELIVERY_RETRY_INITIAL_MS,
      maxMs: this.config.DELIVERY_RETRY_MAX_MS,
      giveUpAfterMs: this.config.DELIVERY_GIVE_UP_AFTER_MS,
    };
  }

  onApplicationBootstrap(): void {
    const interval = this.config.DELIVERY_INTERVAL_MS;
    if (interval <= 0) return;
    this.timer = setInterval(() => {
      this.runOnce().catch((err: unknown) => this.logger.warn(`delivery run failed: ${(err as Error).message}`));
    }, interval);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Creates one delivery per matching webhook subscription for an alert event (idempotent). */
  async enqueue(envelope: EventEnvelope): Promise<number> {
    const event = envelope as AlertEventEnvelope;
    const alertId = event.data.alertId;
    const alert = await this.alerts.refresh(alertId, 1);
    if (!alert) return 0;
    const webhooks = (await this.subscriptions.all()).filter((s) => s.channel.type === 'webhook' && s.channel.url && s.channel.secret);
    if (webhooks.length === 0) return 0;
    const info = await this.agreements.get(alert.agreementId);
    const agreement = info && { partyCountries: info.partyCountries, commodities: info.commodities };
    const now = this.clock.now().toISOString();
    let created = 0;
    for (const s of webhooks) {
      if (!matchesSubscription(s.filters, alert, agreement)) continue;
      const id = uuidv5(`${s._id}:${event.eventId}`, DELIVERY_ID_NAMESPACE);
      // Queued first (see above); a redelivered event's delivery exists already and its entry is put right below.
      await this.queueEntry(id, async (current) => current ?? now);
      const body = JSON.stringify({
        deliveryId: id,
        subscriptionId: s._id,
        event: { id: event.eventId, type: event.type, occurredAt: event.occurredAt, data: event.data },
        alert: toView(alert),
      });
      try {
        await this.deliveries.insertOne({
          _id: id,
          subscriptionId: s._id,
          owner: s.owner,
          eventId: event.eventId,
          eventType: event.type,
          alertId,
          agreementId: alert.agreementId,
          url: s.channel.url!,
          body,
          status: 'pending',
          attempts: [],
          attemptCount: 0,
          nextAttemptAt: now,
          since: now,
          createdAt: now,
        });
        created++;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        await this.syncQueue(id, this.clock.now());
      }
    }
    return created;
  }

  /** Sends every pending delivery that is due at `now`. Concurrent calls in one process share the run. */
  runOnce(): Promise<DispatchResult> {
    if (this.running) return this.running;
    this.running = this.dispatch().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async dispatch(): Promise<DispatchResult> {
    const now = this.clock.now();
    const due = await this.due(now);
    const result: DispatchResult = { attempted: 0, delivered: 0, failed: 0 };
    for (const d of due) {
      const outcome = await this.attempt(d, now);
      if (outcome === 'skipped') continue;
      result.attempted++;
      if (outcome === 'delivered') result.delivered++;
      if (outcome === 'failed') result.failed++;
    }
    return result;
  }

  /** Pending deliveries due at `now`, earliest first, at most DELIVERY_BATCH_SIZE: from the queue, each checked. */
  private async due(now: Date): Promise<DeliveryDoc[]> {
    const iso = now.toISOString();
    const queue = await this.queue.findOne({ _id: QUEUE_ID });
    const entries = Object.entries(queue?.at ?? {})
      .filter(([, at]) => at <= iso)
      .sort(([a, atA], [b, atB]) => (atA < atB ? -1 : atA > atB ? 1 : a < b ? -1 : a > b ? 1 : 0));
    const due: DeliveryDoc[] = [];
    for (const [id] of entries) {
      if (due.length >= this.config.DELIVERY_BATCH_SIZE) break;
      const d = await this.deliveries.findOne({ _id: id });
      if (d && d.status === 'pending' && d.nextAttemptAt !== null && d.nextAttemptAt <= iso) due.push(d);
      else await this.syncQueue(id, now); // a stale entry: delivered, given up, re-timed or not inserted
    }
    return due;
  }

  private async attempt(d: DeliveryDoc, now: Date): Promise<'delivered' | 'retry' | 'failed' | 'skipped'> {
    const n = d.attemptCount + 1;
    try {
      await this.claims.insertOne({ _id: `${d._id}:${n}`, at: now.toISOString() });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // Someone else has attempt n: in flight, or its sender died. Write a dead one off so n + 1 can be claimed.
      const claim = await this.claims.findOne({ _id: `${d._id}:${n}` });
      if (claim && now.getTime() - Date.parse(claim.at) < this.config.DELIVERY_STALE_CLAIM_MS) return 'skipped';
      await this.record(d, { n, at: now.toISOString(), status: null, error: 'abandoned: the sender stopped before recording an answer', durationMs: 0 }, now);
      return 'skipped';
    }

    const subscription = await this.subscriptions.subscriptions.findOne({ _id: d.subscriptionId });
    if (!subscription?.channel.secret) {
      await this.record(d, { n, at: now.toISOString(), status: null, error: 'subscription deleted', durationMs: 0 }, now, true);
      return 'failed';
    }
    const started = Date.now();
    const timestamp = Math.floor(now.getTime() / 1000);
    // Under the outbound policy (no refused address, no redirect); what is recorded names no port or internal error.
    const result = await postOutbound(this.outbound, d.url, {
      headers: {
        'content-type': 'application/json',
        'user-agent': 'tracker-alerts/1',
        [SIGNATURE_HEADER]: signature(subscription.channel.secret, timestamp, d.body),
        [DELIVERY_HEADER]: d._id,
        [EVENT_HEADER]: d.eventType,
      },
      body: d.body,
      timeoutMs: this.config.DELIVERY_TIMEOUT_MS,
    });
    const status = 'status' in result ? result.status : null;
    const error = 'error' in result ? result.error : isDelivered(status) ? undefined : `HTTP ${status}`;
    const attempt: DeliveryAttempt = { n, at: now.toISOString(), status, ...(error && { error }), durationMs: Date.now() - started };
    return this.record(d, attempt, now);
  }

  /** Records attempt `a` and decides what follows: delivered, another try later, or undeliverable. */
  private async record(d: DeliveryDoc, a: DeliveryAttempt, now: Date, giveUp = false): Promise<'delivered' | 'retry' | 'failed'> {
    const delivered = isDelivered(a.status);
    const next = delivered || giveUp ? null : nextAttemptAt(a.n, new Date(d.since), now, this.schedule, this.random);
    const status: DeliveryStatus = delivered ? 'delivered' : next ? 'pending' : 'failed';
    // Read by _id, decided here, written by _id (a compare-and-set on the count read, on MongoDB).
    await updateIf(
      this.deliveries,
      d._id,
      (doc) => doc.attemptCount < a.n,
      (doc) => ({ attemptCount: doc.attemptCount }),
      {
        $set: { status, attemptCount: a.n, nextAttemptAt: next?.toISOString() ?? null, ...(delivered && { deliveredAt: a.at }) },
        $push: { attempts: a },
      },
    );
    await this.syncQueue(d._id, now);
    return delivered ? 'delivered' : next ? 'retry' : 'failed';
  }

  async list(
    query: { subscriptionId?: string; status?: DeliveryStatus; limit?: number; cursor?: string },
    actor: Actor,
  ): Promise<{ items: DeliveryView[]; nextCursor: string | null }> {
    const limit = query.limit ?? 20;
    const filter: mongo.Filter<DeliveryDoc> = SEES_ALL.has(actor.role) ? {} : { owner: actor.id };
    if (query.subscriptionId) filter.subscriptionId = query.subscriptionId;
    if (query.status) filter.status = query.status;
    if (query.cursor) filter._id = { $gt: Cursor.decode(query.cursor) };
    const docs = await this.deliveries.find(filter).sort({ _id: 1 }).limit(limit + 1).toArray();
    const page = docs.slice(0, limit);
    return { items: page.map(toDeliveryView), nextCursor: docs.length > limit ? Cursor.encode(page.at(-1)!._id) : null };
  }

  /** Puts an undeliverable delivery back in the queue, due now, with a fresh retry period. */
  async redrive(id: string, actor: Actor): Promise<DeliveryView> {
    const d = await this.deliveries.findOne({ _id: id });
    if (!d || (actor.role !== 'admin' && d.owner !== actor.id)) throw new DomainError('not-found', `delivery ${id} not found`);
    if (d.status !== 'failed') throw new DomainError('invalid-transition', `delivery ${id} is ${d.status}: only failed deliveries can be re-driven`);
    const now = this.clock.now().toISOString();
    await updateIf(this.deliveries, id, (doc) => doc.status === 'failed', (doc) => ({ status: doc.status }), { $set: { status: 'pending', nextAttemptAt: now, since: now } });
    await this.syncQueue(id, this.clock.now());
    return toDeliveryView({ ...d, status: 'pending', nextAttemptAt: now, since: now });
  }
}

function toDeliveryView(d: DeliveryDoc): DeliveryView {
  const { _id, body: _body, ...rest } = d;
  return { id: _id, ...rest };
}

/** After `alert-views` applied one of our own `alert.*` events: a webhook delivery per matching subscription. */
@Injectable()
export class QueueDeliveriesReactor implements EventReactor {
  constructor(private readonly deliveries: DeliveriesService) {}

  async react(event: EventEnvelope): Promise<void> {
    if (event.type.startsWith('alert.')) await this.deliveries.enqueue(event);
  }
}
