/**
 * Webhook deliveries. Every `alert.*` event that comes back from `alerts.events` is matched against the webhook
 * subscriptions; each match becomes a delivery document whose id is derived from (subscription, event), so a
 * redelivered event never creates a second one. A subscription with `grouping` gathers its matches per group
 * instead (an immutable item per (subscription, event)) and the dispatcher sends each group's batch as one
 * delivery (domain/grouping.ts); one with `repeat` gets reminders of alerts left open (domain/reminders.ts). The
 * dispatcher (on the platform Clock: tests call `runOnce`, a timer in production) sends due deliveries as signed
 * JSON POSTs and records every attempt in the document.
 *
 * One writer per document (issue 22). FerretDB does not isolate a read-modify-write between connections, and the
 * due-deliveries index used to be one document that every instance's reactor and dispatcher rewrote: an entry
 * could be lost, and its webhook with it. Now:
 * - only the holder of the dispatcher lease (`leases`, `_id: 'deliveries:dispatcher'`, the Lease of the outbox
 *   relay) dispatches, and it alone writes the due index (`delivery_queue`, `_id: 'due'`: delivery → due time,
 *   group → due time, reminder → its state, and `next`, the arrival cursor) and the group documents
 *   (`delivery_groups`). It holds the index in memory for a run and writes it back by `_id`;
 * - whoever creates work (the reactor on any instance, a re-drive, `enqueueMessage`) writes it as documents with
 *   unique `_id`s (the delivery or group item itself, never changed by that writer again) and then announces it in
 *   an arrival: an immutable document in `delivery_arrivals` whose `_id` is a sequence number, claimed by a unique
 *   insert at the first free number at or after the cursor. The holder reads arrivals by `_id` from its cursor on
 *   until the first missing one, folds them into the index, saves the cursor, then deletes them. Numbers below
 *   the cursor may be free again (deleted): a writer that finds the cursor past its number after the insert
 *   writes the arrival again (folding twice is harmless), so none is left behind the cursor unread.
 * - on taking the lease over (start, or another holder gone), the holder also adds every pending delivery from one
 *   query (a scan on FerretDB, once per takeover, not per run): what a crash between a write and its arrival, or a
 *   holder stopped before saving the index, left out is found again. The lease is not a fence: a holder paused
 *   longer than LEASE_MS may still write the index once after losing it (the next takeover heals it).
 * Every hot-path access is by `_id`.
 *
 * Sending: attempt number n of a delivery is claimed by inserting `<deliveryId>:<n>` into `delivery_claims`
 * (unique `_id`): exactly one process sends it, even if two believe they hold the lease. A claim whose sender died
 * (no outcome after `staleClaimMs`) is written off as an attempt without answer and the next number is claimed. A
 * 2xx answer is recorded before anything else, so a restart sends nothing again that was acknowledged; a crash
 * between the receiver's 2xx and that record re-sends once, with the same `X-Tracker-Delivery` id for the receiver
 * to dedupe.
 *
 * Reminder n of (subscription, alert) is a delivery with id uuidv5(subscription|alert|n): raised once, whoever
 * raises it. A match that a silence covers when it comes is recorded as `silenced` and never sent (grouped: left
 * out of its group); a reminder due while silenced is put off by an interval.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Collection, Connection, mongo } from 'mongoose';
import { v5 as uuidv5 } from 'uuid';
import { DomainError, type Actor, type AlertEventEnvelope, type AlertEventType, type AlertPayload, type EventEnvelope } from '@tracker/contracts';
import { CLOCK, Cursor, OutboundPolicy, postOutbound, type Clock } from '@tracker/platform';
import { Lease } from '@tracker/messaging';
import { MONGO_CONNECTION, type EventReactor } from '@tracker/service-runtime';
import {
  groupDueAt,
  groupOf,
  isDelivered,
  matchesSubscription,
  nextAttemptAt,
  reminderDecision,
  takeBatch,
  type GroupBy,
  type Grouping,
  type RetrySchedule,
} from '@tracker/alerts-domain';
import { AlertsService, toInboxView } from '../alerts/alerts.service';
import { AlertPayloads, detailsOf } from '../alerts/payload';
import { AlertsConfig } from '../config';
import { AgreementInfoStore, forMatching } from '../read-model/agreement-info';
import { SilencesService } from '../silences/silences.service';
import { SubscriptionsService, type SubscriptionDoc } from '../subscriptions/subscriptions.service';
import { isDuplicateKey, updateIf, withDocumentLock } from '@tracker/mongo';
import { readableBy, SEE_ALL_SUBSCRIPTIONS } from '../owned';

const DELIVERY_ID_NAMESPACE = 'c4a1e7d2-3b8f-4f0a-9e6d-1d2c3b4a5f60';
export const SIGNATURE_HEADER = 'x-tracker-signature';
export const DELIVERY_HEADER = 'x-tracker-delivery';
export const EVENT_HEADER = 'x-tracker-event';

/** The dispatcher lease's time to live (wall clock); renewed every run and during long runs. */
const LEASE_MS = 30_000;
/** Alerts per grouped webhook at most (the rest go at the group's next interval). */
const MAX_BATCH = 1000;
/** Arrivals folded per run at most (the rest next run). */
const MAX_ARRIVALS = 5000;

/** silenced: matched while a silence of the owner covered it; recorded, never sent. */
export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'silenced';
/** alert: one alert event; alerts: a group's batch; reminder: an alert again; digest: a message of the digest. */
export const DeliveryKinds = ['alert', 'alerts', 'reminder', 'digest'] as const;
export type DeliveryKind = (typeof DeliveryKinds)[number];

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
  /** Absent on deliveries stored before kinds existed: `alert`. */
  kind?: DeliveryKind;
  subscriptionId: string;
  owner: string;
  /** kind alert: the alert event delivered. */
  eventId?: string;
  eventType?: AlertEventType;
  /** kind alert and reminder: the alert. */
  alertId?: string;
  agreementId?: string;
  /** Every alert carried (kind alerts: the batch). */
  alertIds?: string[];
  /** kind alerts: the group items sent (so a batch re-built after a crash removes the same ones). */
  itemIds?: string[];
  /** kind reminder: its number (1 = the first reminder). */
  reminder?: number;
  /** kind digest: the caller's message id. */
  messageId?: string;
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
  /** status silenced: the silence that covered it. */
  silencedBy?: string;
}

/** A matching alert event of a grouped subscription, waiting for its group's batch (never changed). */
export interface GroupItemDoc {
  _id: string;
  subscriptionId: string;
  groupId: string;
  key: string;
  by: GroupBy;
  grouping: Grouping;
  alertId: string;
  event: { id: string; type: AlertEventType; occurredAt: string };
  alert: unknown;
  createdAt: string;
}

/** A group of a subscription: written by the lease holder only. */
export interface GroupDoc {
  _id: string;
  subscriptionId: string;
  key: string;
  by: GroupBy;
  grouping: Grouping;
  pending: Array<{ id: string; at: string }>;
  lastSentAt: string | null;
  /** Batches sent; batch n's delivery id is derived from (group, n). */
  batches: number;
}

/** New work announced to the lease holder (see above); never changed, deleted once folded. */
export interface ArrivalDoc {
  _id: number;
  deliveries?: string[];
  items?: string[];
  at: string;
}

export interface ReminderState {
  subscriptionId: string;
  alertId: string;
  sent: number;
  lastSentAt: string;
  /** When to look again. */
  at: string;
}

/** The lease holder's index (see above). Keys are delivery, group and reminder ids (UUIDs). */
export interface DeliveryQueueDoc {
  _id: 'due';
  /** Pending delivery → when its next attempt is due (ISO). */
  at: Record<string, string>;
  groups?: Record<string, string>;
  reminders?: Record<string, ReminderState>;
  /** The next arrival number to read. */
  next?: number;
}

const QUEUE_ID = 'due';

/** The index as a run holds it (every part present). */
type QueueIndex = Required<DeliveryQueueDoc>;

export type DeliveryView = Omit<DeliveryDoc, '_id' | 'body' | 'itemIds'> & { id: string; kind: DeliveryKind };

export interface DispatchResult {
  attempted: number;
  delivered: number;
  failed: number;
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` */
export function signature(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

const isWebhook = (s: SubscriptionDoc) => s.channel.type === 'webhook' && !!s.channel.url && !!s.channel.secret;
const idOf = (...parts: Array<string | number>) => uuidv5(parts.join('|'), DELIVERY_ID_NAMESPACE);
const plusHours = (at: Date, hours: number) => new Date(at.getTime() + hours * 3_600_000).toISOString();

@Injectable()
export class DeliveriesService implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Deliveries');
  readonly deliveries: Collection<DeliveryDoc>;
  private readonly claims: Collection<{ _id: string; at: string }>;
  readonly queue: Collection<DeliveryQueueDoc>;
  readonly arrivals: Collection<ArrivalDoc>;
  readonly groups: Collection<GroupDoc>;
  readonly items: Collection<GroupItemDoc>;
  readonly lease: Lease;
  private timer?: NodeJS.Timeout;
  private running?: Promise<DispatchResult>;
  /** Whether the last run held the lease (a run that takes it over rebuilds the index). */
  private holding = false;
  private renewedAt = 0;
  /** The arrival number after this process's last one: where its next claim starts (see above). */
  private arrivalHint = 0;
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
    private readonly payloads: AlertPayloads,
    // Optional so that a test may build the service by hand without silences.
    @Optional() private readonly silences?: SilencesService,
  ) {
    this.deliveries = connection.collection<DeliveryDoc>('deliveries');
    this.claims = connection.collection('delivery_claims');
    this.queue = connection.collection<DeliveryQueueDoc>('delivery_queue');
    this.arrivals = connection.collection<ArrivalDoc>('delivery_arrivals');
    this.groups = connection.collection<GroupDoc>('delivery_groups');
    this.items = connection.collection<GroupItemDoc>('delivery_items');
    // Host and pid first: the lease document tells an operator which process dispatches.
    this.lease = new Lease(connection, { name: 'deliveries:dispatcher', owner: `dispatcher-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`, ttlMs: LEASE_MS });
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
    // Another instance may dispatch at once instead of after the lease's expiry.
    if (this.holding) await this.lease.release().catch(() => undefined);
  }

  /**
   * Announces new work to the lease holder: an arrival at the first free number at or after the cursor, written
   * again above the cursor if the holder had passed that number already (see above).
   */
  private async arrive(work: { deliveries?: string[]; items?: string[] }): Promise<void> {
    const at = this.clock.now().toISOString();
    const cursor = async () => (await this.queue.findOne({ _id: QUEUE_ID }, { projection: { next: 1 } }))?.next ?? 0;
    for (let written = 0; written < 50; written++) {
      let n = Math.max(await cursor(), this.arrivalHint);
      for (;;) {
        try {
          await this.arrivals.insertOne({ _id: n, ...work, at });
          break;
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
          n++;
        }
      }
      this.arrivalHint = Math.max(this.arrivalHint, n + 1);
      if ((await cursor()) <= n) return;
      // Behind the cursor: never read. Written again above it; this one is removed (nobody reads below the cursor).
      await this.arrivals.deleteOne({ _id: n });
    }
    throw new Error('could not announce a delivery: the arrival cursor kept moving past it');
  }

  /** Creates one delivery (or group item) per matching webhook subscription for an alert event (idempotent). */
  async enqueue(envelope: EventEnvelope): Promise<number> {
    const event = envelope as AlertEventEnvelope;
    const alertId = event.data.alertId;
    const alert = await this.alerts.refresh(alertId, 1);
    if (!alert) return 0;
    const webhooks = (await this.subscriptions.all()).filter(isWebhook);
    if (webhooks.length === 0) return 0;
    const reads = this.agreements.reads();
    const info = await reads.get(alert.agreementId);
    const agreement = forMatching(info);
    const now = this.clock.now().toISOString();
    const deliveries: string[] = [];
    const items: string[] = [];
    let created = 0;
    let payload: Promise<AlertPayload> | undefined;
    const silencing = await this.silences?.checker();
    for (const s of webhooks) {
      if (!matchesSubscription(s.filters, alert, agreement)) continue;
      const id = uuidv5(`${s._id}:${event.eventId}`, DELIVERY_ID_NAMESPACE);
      const eventRef = { id: event.eventId, type: event.type, occurredAt: event.occurredAt };
      // Silenced when it comes: a grouped match is left out of its group, a single one recorded as silenced.
      const silence = silencing?.(s, alert, this.clock.now());
      if (silence && s.grouping) continue;
      if (s.grouping) {
        payload ??= this.payloads.of(alert, reads);
        const { key, by } = groupOf(s.grouping, { agreementId: alert.agreementId, kind: alert.kind, partyCountries: info?.partyCountries ?? [] });
        const item: GroupItemDoc = { _id: id, subscriptionId: s._id, groupId: idOf(s._id, 'group', key), key, by, grouping: s.grouping, alertId, event: eventRef, alert: await payload, createdAt: now };
        if (await this.insertNew(this.items, item)) created++;
        items.push(id);
        continue;
      }
      // The alert as the owner's inbox shows it (its own stand, no other recipient's), with the details to act on.
      payload ??= this.payloads.of(alert, reads);
      const shown = { ...toInboxView(alert, s.owner, this.clock.now()), ...detailsOf(await payload) };
      const body = JSON.stringify({ deliveryId: id, subscriptionId: s._id, event: { ...eventRef, data: event.data }, alert: shown });
      const doc = this.newDelivery(s, id, body, now, { kind: 'alert', eventId: event.eventId, eventType: event.type, alertId, agreementId: alert.agreementId, alertIds: [alertId] });
      if (silence) {
        await this.insertNew(this.deliveries, { ...doc, status: 'silenced', nextAttemptAt: null, silencedBy: silence.id });
        continue;
      }
      if (await this.insertNew(this.deliveries, doc)) created++;
      // Announced even when it existed: a redelivered event may be the retry of one that crashed before this.
      deliveries.push(id);
    }
    if (deliveries.length || items.length) await this.arrive({ ...(deliveries.length && { deliveries }), ...(items.length && { items }) });
    return created;
  }

  /**
   * Sends `message` to a webhook subscription as a delivery like any other (signed, retried, listed, re-drivable):
   * body `{deliveryId, subscriptionId, kind, <kind>: body}`. Idempotent by `message.id`: false when it was sent
   * (or queued) before, or the subscription has no webhook (an inbox shows its digest itself).
   */
  async enqueueMessage(subscription: SubscriptionDoc, message: { id: string; kind: 'digest'; body: object }): Promise<boolean> {
    if (!isWebhook(subscription)) return false;
    const id = idOf(subscription._id, 'message', message.id);
    const body = JSON.stringify({ deliveryId: id, subscriptionId: subscription._id, kind: message.kind, [message.kind]: message.body });
    const doc = this.newDelivery(subscription, id, body, this.clock.now().toISOString(), { kind: message.kind, messageId: message.id });
    const created = await this.insertNew(this.deliveries, doc);
    await this.arrive({ deliveries: [id] });
    return created;
  }

  private newDelivery(s: SubscriptionDoc, id: string, body: string, now: string, what: Partial<DeliveryDoc> & { kind: DeliveryKind }): DeliveryDoc {
    return {
      _id: id,
      ...what,
      subscriptionId: s._id,
      owner: s.owner,
      url: s.channel.url!,
      body,
      status: 'pending',
      attempts: [],
      attemptCount: 0,
      nextAttemptAt: now,
      since: now,
      createdAt: now,
    };
  }

  /** Inserts a document with a derived id: false if it exists already (a retry, or whoever raced us). */
  private async insertNew<D extends { _id: string }>(collection: Collection<D>, doc: D): Promise<boolean> {
    try {
      await collection.insertOne(doc as mongo.OptionalUnlessRequiredId<D>);
      return true;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      return false;
    }
  }

  /** Sends every pending delivery that is due at `now` (lease holder only). Concurrent calls in one process share the run. */
  runOnce(): Promise<DispatchResult> {
    if (this.running) return this.running;
    this.running = this.dispatch().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Renews the lease when a third of it has passed; false once it is lost. */
  private async stillHolding(): Promise<boolean> {
    if (Date.now() - this.renewedAt < LEASE_MS / 3 && this.lease.held) return true;
    const held = await this.lease.acquire();
    if (held) this.renewedAt = Date.now();
    this.holding = held;
    return held;
  }

  private async dispatch(): Promise<DispatchResult> {
    const result: DispatchResult = { attempted: 0, delivered: 0, failed: 0 };
    const takeover = !this.holding;
    this.renewedAt = 0;
    if (!(await this.stillHolding())) return result;
    const now = this.clock.now();
    return withDocumentLock(this.queue, QUEUE_ID, async () => {
      const stored = await this.queue.findOne({ _id: QUEUE_ID });
      const q: QueueIndex = { _id: QUEUE_ID, at: {}, groups: {}, reminders: {}, next: 0, ...stored };
      if (takeover) await this.rebuild(q, now);
      const folded = await this.fold(q);
      await this.save(q);
      await Promise.all(folded.map((n) => this.arrivals.deleteOne({ _id: n })));

      await this.dueGroups(q, now);
      await this.dueReminders(q, now);
      await this.save(q);

      for (const d of await this.due(q, now)) {
        if (!(await this.stillHolding())) return result; // another instance dispatches now: leave the index to it
        const outcome = await this.attempt(q, d, now);
        if (outcome === 'skipped') continue;
        result.attempted++;
        if (outcome === 'delivered') result.delivered++;
        if (outcome === 'failed') result.failed++;
      }
      await this.save(q);
      return result;
    });
  }

  private async save(q: QueueIndex): Promise<void> {
    await this.queue.replaceOne({ _id: QUEUE_ID }, q, { upsert: true });
  }

  /** Every pending delivery into the index, from one query: run on taking the lease over (see above). */
  private async rebuild(q: QueueIndex, now: Date): Promise<void> {
    const pending = await this.deliveries.find({ status: 'pending' }, { projection: { _id: 1, nextAttemptAt: 1 } }).toArray();
    for (const d of pending) q.at[d._id] ??= d.nextAttemptAt ?? now.toISOString();
  }

  /** Reads the arrivals from the cursor on (by `_id`) into the index; returns the numbers read, to delete once saved. */
  private async fold(q: QueueIndex): Promise<number[]> {
    const read: number[] = [];
    const groups = new Map<string, GroupDoc>();
    let n = q.next ?? 0;
    for (; read.length < MAX_ARRIVALS; n++) {
      const arrival = await this.arrivals.findOne({ _id: n });
      if (!arrival) break;
      read.push(n);
      for (const id of arrival.deliveries ?? []) if (!q.at[id] || arrival.at < q.at[id]) q.at[id] = arrival.at;
      for (const id of arrival.items ?? []) {
        const item = await this.items.findOne({ _id: id });
        if (!item) continue;
        const group = groups.get(item.groupId) ??
          (await this.groups.findOne({ _id: item.groupId })) ?? {
            _id: item.groupId,
            subscriptionId: item.subscriptionId,
            key: item.key,
            by: item.by,
            grouping: item.grouping,
            pending: [],
            lastSentAt: null,
            batches: 0,
          };
        groups.set(group._id, group);
        if (!group.pending.some((p) => p.id === id)) group.pending.push({ id, at: item.createdAt });
      }
    }
    q.next = n;
    for (const group of groups.values()) {
      await this.groups.replaceOne({ _id: group._id }, group, { upsert: true });
      this.setDue(q.groups, group._id, groupDueAt(group.grouping, group));
    }
    return read;
  }

  private setDue(index: Record<string, string>, id: string, at: Date | null): void {
    if (at) index[id] = at.toISOString();
    else delete index[id];
  }

  /** Each group due at `now`: its batch becomes one delivery. */
  private async dueGroups(q: QueueIndex, now: Date): Promise<void> {
    const iso = now.toISOString();
    for (const [groupId, at] of Object.entries(q.groups)) {
      if (at > iso) continue;
      const group = await this.groups.findOne({ _id: groupId });
      const subscription = group && (await this.subscriptions.subscriptions.findOne({ _id: group.subscriptionId }));
      if (!group || !subscription || !isWebhook(subscription)) {
        delete q.groups[groupId]; // unsubscribed: nothing to send
        continue;
      }
      const taken = takeBatch(group.grouping, group, now, MAX_BATCH);
      if (!taken) {
        this.setDue(q.groups, groupId, groupDueAt(group.grouping, group));
        continue;
      }
      const id = idOf(groupId, 'batch', group.batches + 1);
      // A batch built before a crash is the one sent: its items leave the group, whatever came since.
      const earlier = await this.deliveries.findOne({ _id: id }, { projection: { itemIds: 1 } });
      const itemIds = earlier?.itemIds ?? taken.batch;
      if (!earlier) {
        const items = (await Promise.all(itemIds.map((i) => this.items.findOne({ _id: i })))).filter((i): i is GroupItemDoc => !!i);
        const alerts = new Map(items.map((i) => [i.alertId, i.alert])); // an alert twice in a batch: its latest view
        const body = JSON.stringify({
          deliveryId: id,
          subscriptionId: subscription._id,
          kind: 'alerts',
          group: { key: group.key, by: group.by },
          alerts: [...alerts.values()],
          events: items.map((i) => i.event),
        });
        await this.insertNew(this.deliveries, this.newDelivery(subscription, id, body, iso, { kind: 'alerts', alertIds: [...alerts.keys()], itemIds }));
      }
      const sent = new Set(itemIds);
      const after: GroupDoc = { ...group, pending: group.pending.filter((p) => !sent.has(p.id)), lastSentAt: iso, batches: group.batches + 1 };
      await this.groups.replaceOne({ _id: groupId }, after);
      this.setDue(q.groups, groupId, groupDueAt(group.grouping, after));
      q.at[id] = iso;
    }
  }

  /** Each reminder due at `now`: sent (a delivery of kind reminder), put off, or stopped (domain/reminders.ts). */
  private async dueReminders(q: QueueIndex, now: Date): Promise<void> {
    const iso = now.toISOString();
    for (const [key, r] of Object.entries(q.reminders)) {
      if (r.at > iso) continue;
      const subscription = await this.subscriptions.subscriptions.findOne({ _id: r.subscriptionId });
      const alert = await this.alerts.refresh(r.alertId, 1);
      if (!subscription?.repeat || !isWebhook(subscription) || !alert) {
        delete q.reminders[key];
        continue;
      }
      const owner = subscription.owner;
      const stand = Array.isArray(alert.recipients) ? alert.recipients.find((x) => x?.by === owner) : undefined;
      const decision = reminderDecision(
        subscription.repeat,
        {
          status: alert.status,
          ownerStand: stand && { state: stand.state, until: stand.until },
          acknowledgedByOwner: alert.acknowledgedBy === owner || (alert.acknowledgements ?? []).some((a) => a.by === owner),
          lastSentAt: r.lastSentAt,
          sent: r.sent,
        },
        now,
      );
      if (decision.kind === 'stop') delete q.reminders[key];
      if (decision.kind === 'later') q.reminders[key] = { ...r, at: decision.at.toISOString() };
      if (decision.kind !== 'send') continue;
      // Silenced now: this reminder is not sent (nor counted); look again an interval later.
      if (await this.silences?.silencing(subscription, alert, now)) {
        q.reminders[key] = { ...r, at: plusHours(now, subscription.repeat.intervalHours) };
        continue;
      }
      const id = idOf(subscription._id, alert._id, decision.n);
      const body = JSON.stringify({ deliveryId: id, subscriptionId: subscription._id, kind: 'reminder', reminder: decision.n, alert: await this.payloads.of(alert) });
      await this.insertNew(this.deliveries, this.newDelivery(subscription, id, body, iso, { kind: 'reminder', reminder: decision.n, alertId: alert._id, agreementId: alert.agreementId, alertIds: [alert._id] }));
      q.at[id] = iso;
      if (decision.nextAt) q.reminders[key] = { ...r, sent: decision.n, lastSentAt: iso, at: decision.nextAt.toISOString() };
      else delete q.reminders[key];
    }
  }

  /** Pending deliveries due at `now`, earliest first, at most DELIVERY_BATCH_SIZE: from the index, each checked. */
  private async due(q: QueueIndex, now: Date): Promise<DeliveryDoc[]> {
    const iso = now.toISOString();
    const entries = Object.entries(q.at)
      .filter(([, at]) => at <= iso)
      .sort(([a, atA], [b, atB]) => (atA < atB ? -1 : atA > atB ? 1 : a < b ? -1 : a > b ? 1 : 0));
    const due: DeliveryDoc[] = [];
    for (const [id] of entries) {
      if (due.length >= this.config.DELIVERY_BATCH_SIZE) break;
      const d = await this.deliveries.findOne({ _id: id });
      if (d && d.status === 'pending' && d.nextAttemptAt !== null && d.nextAttemptAt <= iso) due.push(d);
      else this.sync(q, id, d); // a stale entry: delivered, given up, re-timed or not stored
    }
    return due;
  }

  /** Brings delivery `id`'s entry in line with its document: due at `nextAttemptAt` while pending, none otherwise. */
  private sync(q: QueueIndex, id: string, d: Pick<DeliveryDoc, 'status' | 'nextAttemptAt'> | null): void {
    if (d?.status === 'pending' && d.nextAttemptAt) q.at[id] = d.nextAttemptAt;
    else delete q.at[id];
  }

  private async attempt(q: QueueIndex, d: DeliveryDoc, now: Date): Promise<'delivered' | 'retry' | 'failed' | 'skipped'> {
    const n = d.attemptCount + 1;
    try {
      await this.claims.insertOne({ _id: `${d._id}:${n}`, at: now.toISOString() });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // Someone else has attempt n: in flight, or its sender died. Write a dead one off so n + 1 can be claimed.
      const claim = await this.claims.findOne({ _id: `${d._id}:${n}` });
      if (claim && now.getTime() - Date.parse(claim.at) < this.config.DELIVERY_STALE_CLAIM_MS) return 'skipped';
      await this.record(q, d, { n, at: now.toISOString(), status: null, error: 'abandoned: the sender stopped before recording an answer', durationMs: 0 }, now, null);
      return 'skipped';
    }

    const subscription = await this.subscriptions.subscriptions.findOne({ _id: d.subscriptionId });
    if (!subscription?.channel.secret) {
      await this.record(q, d, { n, at: now.toISOString(), status: null, error: 'subscription deleted', durationMs: 0 }, now, null, true);
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
        [EVENT_HEADER]: d.eventType ?? d.kind ?? 'alert',
      },
      body: d.body,
      timeoutMs: this.config.DELIVERY_TIMEOUT_MS,
    });
    const status = 'status' in result ? result.status : null;
    const error = 'error' in result ? result.error : isDelivered(status) ? undefined : `HTTP ${status}`;
    const attempt: DeliveryAttempt = { n, at: now.toISOString(), status, ...(error && { error }), durationMs: Date.now() - started };
    return this.record(q, d, attempt, now, subscription);
  }

  /** Records attempt `a` and decides what follows: delivered, another try later, or undeliverable. */
  private async record(
    q: QueueIndex,
    d: DeliveryDoc,
    a: DeliveryAttempt,
    now: Date,
    subscription: SubscriptionDoc | null,
    giveUp = false,
  ): Promise<'delivered' | 'retry' | 'failed'> {
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
    this.sync(q, d._id, { status, nextAttemptAt: next?.toISOString() ?? null });
    // Alerts sent to a subscription with reminders: the first reminder is due an interval after this sending.
    if (delivered && subscription?.repeat && (d.kind ?? 'alert') !== 'reminder') {
      for (const alertId of d.alertIds ?? (d.alertId ? [d.alertId] : [])) {
        const key = idOf(subscription._id, alertId, 'reminders');
        q.reminders[key] ??= { subscriptionId: subscription._id, alertId, sent: 0, lastSentAt: a.at, at: plusHours(now, subscription.repeat.intervalHours) };
      }
    }
    return delivered ? 'delivered' : next ? 'retry' : 'failed';
  }

  async list(
    query: { subscriptionId?: string; status?: DeliveryStatus; limit?: number; cursor?: string },
    actor: Actor,
  ): Promise<{ items: DeliveryView[]; nextCursor: string | null }> {
    const limit = query.limit ?? 20;
    const filter: mongo.Filter<DeliveryDoc> = readableBy(actor, SEE_ALL_SUBSCRIPTIONS);
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
    await this.arrive({ deliveries: [id] });
    return toDeliveryView({ ...d, status: 'pending', nextAttemptAt: now, since: now });
  }
}

function toDeliveryView(d: DeliveryDoc): DeliveryView {
  const { _id, body: _body, itemIds: _items, ...rest } = d;
  return { id: _id, ...rest, kind: d.kind ?? 'alert' };
}

/** After `alert-views` applied one of our own `alert.*` events: a webhook delivery per matching subscription. */
@Injectable()
export class QueueDeliveriesReactor implements EventReactor {
  constructor(private readonly deliveries: DeliveriesService) {}

  async react(event: EventEnvelope): Promise<void> {
    if (event.type.startsWith('alert.')) await this.deliveries.enqueue(event);
  }
}
