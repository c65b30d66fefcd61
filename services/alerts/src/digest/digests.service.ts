/**
 * Daily digests. A subscription with `digest: { hour, timeZone }` gets one digest per local date, at that hour
 * there (domain/digest.ts: DST-safe): its open alerts grouped by agreement and severity, and what changed since
 * the last digest. Kept in `digests` (shown in the inbox: GET /digests) and, for a webhook subscription, handed
 * to the deliveries (signed and retried like any webhook).
 *
 * Once, with any number of instances: the digest's id is UUID v5 of `<subscription>|<local date>`, inserted with
 * that `_id` (unique): whoever inserts second makes nothing. The hand-over to the deliveries is idempotent by the
 * same id and recorded on the digest (`queuedAt`) after it, so a crash in between is repaired by the next run.
 *
 * Reads: the scheduler reads the whole `subscriptions` collection at every run (it is small: stakeholders × a
 * few; the deliveries read it the same way), each digest by `_id`, and the previous digests by `_id` (the id of
 * each earlier local date). Building a digest reads `alerts` with a query (open, or changed since the last
 * digest): once per subscription per day, not on a hot path.
 */
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Collection, Connection, mongo } from 'mongoose';
import { v5 as uuidv5 } from 'uuid';
import { addDays, DomainError, type Actor, type AlertChannel, type AlertPayload } from '@tracker/contracts';
import { CLOCK, Cursor, type Clock } from '@tracker/platform';
import { MONGO_CONNECTION } from '@tracker/service-runtime';
import { isDuplicateKey } from '@tracker/mongo';
import { buildDigest, isTimeZone, latestDigestAt, localDateOf, type Digest } from '@tracker/alerts-domain';
import type { AlertDoc } from '../alerts/alerts.service';
import { AlertsService } from '../alerts/alerts.service';
import { AlertPayloads } from '../alerts/payload';
import { AlertsConfig } from '../config';
import { DeliveriesService } from '../deliveries/deliveries.service';
import { SubscriptionMatcher } from '../live/subscription-matcher';
import { SubscriptionsService, type SubscriptionDoc } from '../subscriptions/subscriptions.service';
import { mayRead, readableBy, SEE_ALL_NOTICES } from '../owned';

const DIGEST_ID_NAMESPACE = '8d3e6b1a-2f47-4c9e-b5a0-7e1f3c2d9a64';
/** How many local dates back a digest looks for the previous one (by `_id`) before counting from the subscription. */
const LOOK_BACK_DAYS = 31;

export interface DigestSchedule {
  hour: number;
  timeZone: string;
}

export interface DigestDoc extends Digest<AlertPayload> {
  _id: string;
  subscriptionId: string;
  owner: string;
  /** The local date it is the digest of (in `timeZone`). */
  localDate: string;
  hour: number;
  timeZone: string;
  channel: AlertChannel;
  /** `<at>|<_id>`: the sort and cursor key (newest first). */
  seq: string;
  createdAt: string;
  /** Webhook: when it was handed to the deliveries. */
  queuedAt?: string;
}

export type DigestView = Omit<DigestDoc, '_id' | 'seq'> & { id: string };

export interface DigestRunResult {
  /** Subscriptions with a digest. */
  scheduled: number;
  /** Digests this run made (not those another run or instance made). */
  made: number;
}


/** The subscription's digest settings, read defensively (absent or malformed: no digest). */
export function scheduleOf(subscription: SubscriptionDoc): DigestSchedule | null {
  const { hour, timeZone } = (subscription as { digest?: Partial<DigestSchedule> }).digest ?? {};
  if (typeof hour !== 'number' || !Number.isInteger(hour) || hour < 0 || hour > 23 || typeof timeZone !== 'string' || !isTimeZone(timeZone)) return null;
  return { hour, timeZone };
}

export function digestIdOf(subscriptionId: string, localDate: string): string {
  return uuidv5(`${subscriptionId}|${localDate}`, DIGEST_ID_NAMESPACE);
}

/** When the owner acknowledged the alert (their latest acknowledgement), or null. */
function acknowledgedBy(doc: AlertDoc, owner: string): string | null {
  const all = (doc as { acknowledgements?: Array<{ by: string; at: string }> }).acknowledgements;
  const acks = all ?? (doc.acknowledgedBy && doc.acknowledgedAt ? [{ by: doc.acknowledgedBy, at: doc.acknowledgedAt }] : []);
  return acks.filter((a) => a.by === owner).at(-1)?.at ?? null;
}

function toView(doc: DigestDoc): DigestView {
  const { _id, seq: _s, ...rest } = doc;
  return { id: _id, ...rest };
}

@Injectable()
export class DigestsService implements OnModuleInit {
  readonly digests: Collection<DigestDoc>;

  constructor(
    @Inject(MONGO_CONNECTION) connection: Connection,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly config: AlertsConfig,
    private readonly subscriptions: SubscriptionsService,
    private readonly alerts: AlertsService,
    private readonly payloads: AlertPayloads,
    private readonly matcher: SubscriptionMatcher,
    private readonly deliveries: DeliveriesService,
  ) {
    this.digests = connection.collection<DigestDoc>('digests');
  }

  async onModuleInit(): Promise<void> {
    await this.digests.createIndex({ subscriptionId: 1, seq: -1 });
    await this.digests.createIndex({ owner: 1, seq: -1 });
  }

  /**
   * The subscription's digest due at `now` (the latest digest time at or before it), made unless it exists, and
   * handed to the deliveries unless it was. True when this call made it.
   */
  async makeDue(subscription: SubscriptionDoc, now: Date = this.clock.now()): Promise<boolean> {
    const schedule = scheduleOf(subscription);
    if (!schedule) return false;
    const { at, localDate } = latestDigestAt(schedule.hour, schedule.timeZone, now);
    // The first digest is the first digest time after subscribing.
    if (at.getTime() < Date.parse(subscription.createdAt)) return false;
    const id = digestIdOf(subscription._id, localDate);
    let doc = await this.digests.findOne({ _id: id });
    let made = false;
    if (!doc) {
      const since = (await this.previousAt(subscription, schedule, localDate)) ?? subscription.createdAt;
      const digest = await this.build(subscription, since, at.toISOString());
      const fresh: DigestDoc = {
        _id: id,
        subscriptionId: subscription._id,
        owner: subscription.owner,
        localDate,
        hour: schedule.hour,
        timeZone: schedule.timeZone,
        channel: subscription.channel.type,
        ...digest,
        seq: `${digest.at}|${id}`,
        createdAt: now.toISOString(),
      };
      try {
        await this.digests.insertOne(fresh);
        doc = fresh;
        made = true;
      } catch (err) {
        // Made meanwhile by another instance (or run): theirs stands.
        if (!isDuplicateKey(err)) throw err;
        doc = await this.digests.findOne({ _id: id });
        if (!doc) throw err;
      }
    }
    if (doc.channel === 'webhook' && !doc.queuedAt) {
      await this.deliveries.enqueueMessage(subscription, { id, kind: 'digest', body: this.bodyOf(doc) });
      await this.digests.updateOne({ _id: id }, { $set: { queuedAt: now.toISOString() } });
    }
    return made;
  }

  /** The time of the subscription's last digest before `localDate`, found by `_id` date by date. */
  private async previousAt(subscription: SubscriptionDoc, schedule: DigestSchedule, localDate: string): Promise<string | null> {
    const first = localDateOf(new Date(subscription.createdAt), schedule.timeZone);
    for (let k = 1; k <= LOOK_BACK_DAYS; k++) {
      const date = addDays(localDate, -k);
      if (date < first) return null;
      const previous = await this.digests.findOne({ _id: digestIdOf(subscription._id, date) }, { projection: { at: 1 } });
      if (previous) return previous.at;
    }
    return null;
  }

  /** The subscription's alerts that are open or changed since `since`, as payloads, into a digest at `at`. */
  private async build(subscription: SubscriptionDoc, since: string, at: string): Promise<Digest<AlertPayload>> {
    const candidates = await this.alerts.alerts
      .find({ $or: [{ status: { $in: ['open', 'acknowledged'] } }, { updatedAt: { $gt: since } }] })
      .toArray();
    const reads = this.matcher.reads();
    const mine: AlertDoc[] = [];
    for (const doc of candidates) if (await this.matcher.matches(subscription.filters, doc, reads)) mine.push(doc);
    const payloads = await this.payloads.ofMany(mine, reads);
    return buildDigest(
      mine.map((doc, i) => ({
        alert: payloads[i],
        acknowledgedByOwnerAt: acknowledgedBy(doc, subscription.owner),
        recordedAt: doc.recordedAt,
        resolvedRecordedAt: doc.resolvedRecordedAt ?? null,
      })),
      since,
      at,
    );
  }

  /** What a webhook receives under `digest` (the deliveries add deliveryId, subscriptionId and kind). */
  bodyOf(doc: DigestDoc): object {
    const { seq: _s, _id, channel: _c, queuedAt: _q, createdAt: _ca, owner: _o, ...digest } = doc;
    return { id: _id, ...digest, links: { digest: `${this.config.PUBLIC_URL}/digests/${_id}` } };
  }

  async get(id: string, actor: Actor): Promise<DigestView> {
    const doc = await this.digests.findOne({ _id: id });
    if (!doc || !mayRead(actor, doc.owner, SEE_ALL_NOTICES)) throw new DomainError('not-found', `digest ${id} not found`);
    return toView(doc);
  }

  /** Newest first; a subscription's (the caller must see it: 404 otherwise), or all the caller may see. */
  async list(query: { subscriptionId?: string; limit?: number; cursor?: string }, actor: Actor): Promise<{ items: DigestView[]; nextCursor: string | null }> {
    const limit = query.limit ?? 20;
    const filter: mongo.Filter<DigestDoc> = readableBy(actor, SEE_ALL_NOTICES);
    if (query.subscriptionId) {
      const subscription = await this.subscriptions.subscriptions.findOne({ _id: query.subscriptionId }, { projection: { owner: 1 } });
      if (!subscription || !mayRead(actor, subscription.owner, SEE_ALL_NOTICES)) {
        throw new DomainError('not-found', `subscription ${query.subscriptionId} not found`);
      }
      filter.subscriptionId = query.subscriptionId;
    }
    if (query.cursor) filter.seq = { $lt: Cursor.decode(query.cursor) };
    const docs = await this.digests.find(filter).sort({ seq: -1 }).limit(limit + 1).toArray();
    const page = docs.slice(0, limit);
    return { items: page.map(toView), nextCursor: docs.length > limit ? Cursor.encode(page.at(-1)!.seq) : null };
  }
}

/**
 * Makes the digests that are due, on the platform Clock: tests call `runOnce()` after moving a TestClock; in
 * production a timer calls it every DIGEST_INTERVAL_MS (0: off). A digest comes at most one interval late.
 */
@Injectable()
export class DigestScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DigestScheduler');
  private timer?: NodeJS.Timeout;
  private running?: Promise<DigestRunResult>;

  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly config: AlertsConfig,
    private readonly subscriptions: SubscriptionsService,
    private readonly digests: DigestsService,
  ) {}

  onApplicationBootstrap(): void {
    const interval = this.config.DIGEST_INTERVAL_MS;
    if (interval <= 0) return;
    this.timer = setInterval(() => {
      this.runOnce().catch((err: unknown) => this.logger.warn(`digest run failed: ${(err as Error).message}`));
    }, interval);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One run at `now` (default: the clock's now). Concurrent calls in one process share the run in flight. */
  runOnce(now: Date = this.clock.now()): Promise<DigestRunResult> {
    if (this.running) return this.running;
    this.running = this.run(now).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(now: Date): Promise<DigestRunResult> {
    let scheduled = 0;
    let made = 0;
    for (const subscription of await this.subscriptions.all()) {
      if (!scheduleOf(subscription)) continue;
      scheduled++;
      try {
        if (await this.digests.makeDue(subscription, now)) made++;
      } catch (err) {
        // One subscription's failure does not hold the others back; the next run tries it again.
        this.logger.warn(`digest of subscription ${subscription._id} failed: ${(err as Error).message}`);
      }
    }
    return { scheduled, made };
  }
}
