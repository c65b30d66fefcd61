/**
 * Silences: records, like subscriptions and deliveries, not event-sourced: they are a stakeholder's settings for
 * its own deliveries, not facts about agreements, and a replay rebuilds read models from events and leaves
 * records alone (ADR 0006). Expiring one ends it now and keeps the record (as in Alertmanager).
 *
 * `silencing` is on the webhook dispatcher's hot path: it answers from memory, checked against a generation.
 * Each instance keeps the silences that had not ended when it last read them (one query, a scan on FerretDB: the
 * collection is small, stakeholders × a few each). Every create or expire, on any instance, bumps one counter
 * (`silence_generation`, `_id: 'silences'`, an atomic `$inc`) before it is answered; `silencing` reads that counter
 * by `_id` and reads the silences again only when it moved (or `SILENCES_REFRESH_MS` passed). So a silence holds on
 * every instance from the moment its creation is answered: a match delivered after that is never sent. The
 * counter is read before the silences, so a write that lands during a read moves it and the next call reads again.
 * The alternatives cost more or lose writes on FerretDB: a read per delivery by subscription and agreement scans,
 * and a per-owner list document written by several instances is not isolated between them.
 */
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Collection, Connection, mongo } from 'mongoose';
import { DomainError, type Actor, type SilenceView } from '@tracker/contracts';
import { CLOCK, Cursor, derivedFromKey, markReplayed, newResourceId, type Clock } from '@tracker/platform';
import { MONGO_CONNECTION } from '@tracker/service-runtime';
import { isDuplicateKey, updateById, upsertRetryingOnce } from '@tracker/mongo';
import { AlertsConfig } from '../config';
import { SubscriptionsService } from '../subscriptions/subscriptions.service';
import { untilWithin } from '../alerts/dto';
import { endOf, isActive, silenceOf, type Silence } from './silence';
import type { CreateSilenceDto, ListSilencesQuery } from './dto';
import { mayRead, readableBy, SEE_ALL_NOTICES } from '../owned';

/** How far ahead a silence may end. */
export const MAX_SILENCE_DAYS = 365;

export type { SilenceView };


const notFound = (id: string) => new DomainError('not-found', `silence ${id} not found`);

@Injectable()
export class SilencesService implements OnModuleInit {
  readonly silences: Collection<Silence>;
  /** Silences not ended when last read, by id (see above). */
  private cached = new Map<string, Silence>();
  private readAt = Number.NEGATIVE_INFINITY;
  /** The generation the cached silences were read at (null: never read). */
  private readGeneration: number | null = null;
  private readonly generation: Collection<{ _id: string; n: number }>;
  private reading: Promise<void> | null = null;
  /** This instance's writes, kept until a read that started after them has seen them (see applyWrite). */
  private writes: Array<{ at: number; id: string; doc: Silence | null }> = [];
  /** How stale (wall-clock ms) the in-memory silences of `silencing` may be. */
  private readonly refreshMs: number;

  constructor(
    @Inject(MONGO_CONNECTION) connection: Connection,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly subscriptions: SubscriptionsService,
    config: AlertsConfig,
  ) {
    this.silences = connection.collection<Silence>('silences');
    this.generation = connection.collection('silence_generation');
    this.refreshMs = config.SILENCES_REFRESH_MS;
  }

  async onModuleInit(): Promise<void> {
    await this.silences.createIndex({ owner: 1, _id: 1 });
  }

  async create(dto: CreateSilenceDto, actor: Actor): Promise<SilenceView> {
    if (!dto.subscriptionId && !dto.agreementId) throw new DomainError('invalid', 'a silence needs a subscriptionId, an agreementId, or both', 'subscriptionId');
    if (dto.subscriptionId) {
      // Someone else's subscription answers as an unknown one does.
      const subscription = await this.subscriptions.subscriptions.findOne({ _id: dto.subscriptionId });
      if (!subscription || subscription.owner !== actor.id) throw new DomainError('not-found', `subscription ${dto.subscriptionId} not found`);
    }
    const now = this.clock.now();
    const doc: Silence = {
      // Derived from an Idempotency-Key when given: a retry after a crash finds this silence.
      _id: newResourceId('silence'),
      owner: actor.id,
      ...(dto.subscriptionId && { subscriptionId: dto.subscriptionId }),
      ...(dto.agreementId && { agreementId: dto.agreementId }),
      until: untilWithin('until', dto.until, now, MAX_SILENCE_DAYS),
      comment: dto.comment,
      createdAt: now.toISOString(),
      createdBy: actor.id,
    };
    try {
      await this.silences.insertOne(doc);
    } catch (err) {
      const earlier = isDuplicateKey(err) && derivedFromKey(doc._id) ? await this.silences.findOne({ _id: doc._id }) : null;
      if (!earlier) throw err;
      markReplayed(); // an earlier attempt of this keyed request created it
      return this.view(earlier);
    }
    this.applyWrite(doc._id, doc);
    await this.bumpGeneration();
    return this.view(doc);
  }

  private async visible(id: string, actor: Actor): Promise<Silence> {
    const doc = await this.silences.findOne({ _id: id });
    if (!doc || !mayRead(actor, doc.owner, SEE_ALL_NOTICES)) throw notFound(id);
    return doc;
  }

  async get(id: string, actor: Actor): Promise<SilenceView> {
    return this.view(await this.visible(id, actor));
  }

  /** One's own silences (monitors, auditors, admins: all), oldest first; `active` keeps those holding now (or not). */
  async list(query: ListSilencesQuery, actor: Actor): Promise<{ items: SilenceView[]; nextCursor: string | null }> {
    const limit = query.limit ?? 20;
    const now = this.clock.now().toISOString();
    const filter: mongo.Filter<Silence> = readableBy(actor, SEE_ALL_NOTICES);
    if (query.cursor) filter._id = { $gt: Cursor.decode(query.cursor) };
    if (query.active === 'true') Object.assign(filter, { until: { $gt: now }, createdAt: { $lte: now }, $or: [{ expiredAt: { $exists: false } }, { expiredAt: { $gt: now } }] });
    if (query.active === 'false') Object.assign(filter, { $or: [{ until: { $lte: now } }, { expiredAt: { $lte: now } }, { createdAt: { $gt: now } }] });
    const docs = await this.silences.find(filter).sort({ _id: 1 }).limit(limit + 1).toArray();
    const page = docs.slice(0, limit);
    return { items: page.map((d) => this.view(d)), nextCursor: docs.length > limit ? Cursor.encode(page[page.length - 1]._id) : null };
  }

  /** Ends one's own silence now (admins: any); one that ended already is answered as it is. The record stays. */
  async expire(id: string, actor: Actor): Promise<SilenceView> {
    const doc = await this.visible(id, actor);
    if (actor.role !== 'admin' && doc.owner !== actor.id) throw notFound(id);
    const now = this.clock.now();
    if (Date.parse(endOf(doc)) <= now.getTime()) return this.view(doc);
    const expired: Silence = { ...doc, expiredAt: now.toISOString(), expiredBy: actor.id };
    await updateById(this.silences, id, { $set: { expiredAt: expired.expiredAt, expiredBy: expired.expiredBy } });
    this.applyWrite(id, null);
    await this.bumpGeneration();
    return this.view(expired);
  }

  /** The owner's silences holding at `at`, read from the records (for the inbox: fresh, not the hot path's). */
  async activeOf(owner: string, at: Date): Promise<Silence[]> {
    const docs = await this.silences.find({ owner, until: { $gt: at.toISOString() } }).toArray();
    return docs.filter((s) => isActive(s, at));
  }

  /**
   * The silence covering that subscription, or that agreement for the subscription's owner, at `at`; null if none.
   * The webhook dispatcher's question before each delivery: answered from memory (see above).
   */
  async silencing(subscription: { _id: string; owner: string }, alert: { agreementId: string }, at: Date): Promise<SilenceView | null> {
    return (await this.checker())(subscription, alert, at);
  }

  /**
   * `silencing` for many questions in a row (every subscription an alert matches): the generation read once, the
   * silences as they are now, answered from memory.
   */
  async checker(): Promise<(subscription: { _id: string; owner: string }, alert: { agreementId: string }, at: Date) => SilenceView | null> {
    if (Date.now() - this.readAt >= this.refreshMs || (await this.currentGeneration()) !== this.readGeneration) await this.refresh();
    const cached = this.cached;
    return (subscription, alert, at) => {
      const found = silenceOf(cached.values(), subscription, alert, at);
      return found ? this.view(found, at) : null;
    };
  }

  /** Reads the silences not ended yet into memory (concurrent callers share one read). */
  refresh(): Promise<void> {
    this.reading ??= (async () => {
      try {
        const startedAt = Date.now();
        const generation = await this.currentGeneration();
        const docs = await this.silences.find({ until: { $gt: this.clock.now().toISOString() } }).toArray();
        this.cached = new Map(docs.filter((s) => !s.expiredAt).map((s) => [s._id, s]));
        // A write made while the query ran may be missing from its answer: applied again.
        this.writes = this.writes.filter((w) => w.at >= startedAt);
        for (const w of this.writes) this.put(w.id, w.doc);
        this.readAt = startedAt;
        this.readGeneration = generation;
      } finally {
        this.reading = null;
      }
    })();
    return this.reading;
  }

  /** Tells every instance that the silences changed (see above). */
  private async bumpGeneration(): Promise<void> {
    // Two first bumps at once: the one that lost the insert increments the other's document.
    await upsertRetryingOnce(() => this.generation.updateOne({ _id: 'silences' }, { $inc: { n: 1 } }, { upsert: true }));
  }

  private async currentGeneration(): Promise<number> {
    return (await this.generation.findOne({ _id: 'silences' }))?.n ?? 0;
  }

  /** Our own write, in memory at once (null: ended), and remembered for a read already under way. */
  private applyWrite(id: string, doc: Silence | null): void {
    this.writes.push({ at: Date.now(), id, doc });
    this.put(id, doc);
  }

  private put(id: string, doc: Silence | null): void {
    if (doc) this.cached.set(id, doc);
    else this.cached.delete(id);
  }

  view(doc: Silence, at: Date = this.clock.now()): SilenceView {
    return toSilenceView(doc, at);
  }
}

export function toSilenceView(doc: Silence, at: Date): SilenceView {
  const { _id, ...rest } = doc;
  return { id: _id, ...rest, endsAt: endOf(doc), active: isActive(doc, at) };
}
