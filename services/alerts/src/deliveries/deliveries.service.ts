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
import { isDuplicateKey } from '@tracker/mongo';

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
  }

  async onModuleInit(): Promise<void> {
    await Promise.all([
      this.deliveries.createIndex({ status: 1, nextAttemptAt: 1 }),
      this.deliveries.createIndex({ owner: 1, _id: 1 }),
    ]);
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
    const due = await this.deliveries
      .find({ status: 'pending', nextAttemptAt: { $lte: now.toISOString() } })
      .sort({ nextAttemptAt: 1 })
      .limit(this.config.DELIVERY_BATCH_SIZE)
      .toArray();
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
    await this.deliveries.updateOne(
      { _id: d._id, attemptCount: { $lt: a.n } },
      {
        $set: { status, attemptCount: a.n, nextAttemptAt: next?.toISOString() ?? null, ...(delivered && { deliveredAt: a.at }) },
        $push: { attempts: a },
      },
    );
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
    await this.deliveries.updateOne({ _id: id, status: 'failed' }, { $set: { status: 'pending', nextAttemptAt: now, since: now } });
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
