/**
 * Use cases of the agreements service: run the Agreement decider against the event store, keep the read model
 * current, answer queries. HTTP concerns (ETag, If-Match, Idempotency-Key) stay in the controller.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Connection, Collection } from 'mongoose';
import {
  agreementStreamId,
  DomainError,
  kindOf,
  type AgreementCorrection,
  type AgreementDetails,
  type EventEnvelope,
} from '@tracker/contracts';
import type { EventStore } from '@tracker/event-store';
import { deleteIf, isDuplicateKey, updateIf } from '@tracker/mongo';
import { CLOCK, Cursor, newResourceId, type Clock } from '@tracker/platform';
import { Aggregates, EVENT_STORE, MONGO_CONNECTION, ReadModels, type CommandContext, type ExecuteOptions, type TwoClocks } from '@tracker/service-runtime';
import type { AgreementCommand } from '@tracker/agreements-domain';

import { AgreementsConfig } from '../config';
import { agreementAggregate, AgreementReadModel, type AgreementView, type AgreementViewDoc } from './agreement-read-model';
import { REFERENCE, type AgreementFilters, type ListAgreementsQuery, type RegisterAgreementDto } from './dto';
import { searchQueryOf, searchRank } from './search';

/** Agreements read at once by the CSV export. */
const EXPORT_BATCH = 100;

interface ReferenceDoc {
  _id: string;
  agreementId: string;
}

type WithoutNow<C> = C extends unknown ? Omit<C, 'now'> : never;

/** Changes as the controller builds them (with the client's business time); the recording time is added here. */
export type AgreementChange = WithoutNow<Exclude<AgreementCommand, { kind: 'register' } | { kind: 'correct' } | { kind: 'deriveStatus' }>>;

@Injectable()
export class AgreementsService {
  readonly readModel: AgreementReadModel;
  private readonly references: Collection<ReferenceDoc>;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(MONGO_CONNECTION) connection: Connection,
    @Inject(CLOCK) private readonly clock: Clock,
    config: AgreementsConfig,
    readModels: ReadModels,
    private readonly aggregates: Aggregates,
  ) {
    this.readModel = new AgreementReadModel(readModels, config.STALLED_AFTER_DAYS);
    this.references = connection.collection<ReferenceDoc>('agreement_references');
  }

  /** The recording time commands are decided at (the business clock). */
  private now(): string {
    return this.clock.now().toISOString();
  }

  /** Registers an agreement; its reference is reserved first so that two registrations can never share it. */
  async register(dto: RegisterAgreementDto, ctx: CommandContext): Promise<AgreementView> {
    // Derived from an Idempotency-Key when given: a retry after a crash finds this agreement instead of adding one.
    const agreementId = newResourceId('agreement');
    await this.reserveReference(dto.reference, agreementId);
    const details: AgreementDetails = {
      reference: dto.reference,
      title: dto.title,
      kind: dto.kind,
      parties: dto.parties.map((p) => ({ ...p })),
      signatories: (dto.signatories ?? []).map((s) => ({ ...s })),
      signedOn: dto.signedOn ?? null,
      datePrecision: dto.datePrecision,
      ...(dto.place !== undefined && { place: dto.place }),
      ...(dto.context !== undefined && { context: dto.context }),
      sectors: dto.sectors ?? [],
      commodities: dto.commodities ?? [],
      objectives: dto.objectives ?? [],
      targets: (dto.targets ?? []).map((t) => ({ ...t })),
      sources: (dto.sources ?? []).map((s) => ({ ...s })),
    };
    try {
      await this.aggregates.execute(agreementAggregate, agreementId, { kind: 'register', agreementId, details, now: this.now() }, { ...ctx, expectedVersion: 0 });
    } catch (err) {
      await deleteIf(this.references, dto.reference, (r) => r.agreementId === agreementId, (r) => ({ agreementId: r.agreementId }));
      throw err;
    }
    return this.get(agreementId);
  }

  private async reserveReference(reference: string, agreementId: string): Promise<void> {
    try {
      await this.references.insertOne({ _id: reference, agreementId });
      return;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const holder = await this.references.findOne({ _id: reference });
    if (holder?.agreementId === agreementId) return; // a retry of the same keyed registration
    if (holder && (await this.store.streamVersion(agreementStreamId(holder.agreementId))) > 0) {
      throw new DomainError('conflict', `reference ${reference} is already registered (agreement ${holder.agreementId})`, 'reference');
    }
    // The holder never got its agreement stored (it failed or crashed): take the reference over.
    // By `_id` and in process one at a time (a conditional filter would scan on FerretDB; compare-and-set on MongoDB).
    const taken = await updateIf(this.references, reference, (r) => r.agreementId === holder?.agreementId, (r) => ({ agreementId: r.agreementId }), { $set: { agreementId } });
    if (!taken) throw new DomainError('conflict', `reference ${reference} is being registered right now`, 'reference');
  }

  /** A change with the client's If-Match version (`ctx.expectedVersion`). */
  async change(agreementId: string, change: AgreementChange, ctx: ExecuteOptions): Promise<AgreementView> {
    const command = { ...change, now: this.now() } as AgreementCommand;
    await this.aggregates.execute(agreementAggregate, agreementId, command, {
      actor: ctx.actor,
      correlationId: ctx.correlationId,
      expectedVersion: ctx.expectedVersion,
    });
    return this.get(agreementId);
  }

  /**
   * Corrects a fact entered wrongly (a wrong signing date, a wrong effective date) with an event naming the event
   * it corrects; the history keeps both.
   */
  async correct(agreementId: string, correction: { eventId: string; changes: AgreementCorrection; reason: string }, ctx: ExecuteOptions): Promise<AgreementView> {
    const found = await this.aggregates.event(agreementAggregate, agreementId, correction.eventId);
    const target = found && { eventId: found.event.eventId, type: found.event.type, ...found.now };
    await this.aggregates.execute(
      agreementAggregate,
      agreementId,
      { kind: 'correct', target, correctsEventId: correction.eventId, changes: correction.changes, reason: correction.reason, now: this.now() },
      { actor: ctx.actor, correlationId: ctx.correlationId, expectedVersion: ctx.expectedVersion },
    );
    return this.get(agreementId);
  }

  /** The status that follows from the milestones, recorded on the agreement's own stream when it changes. */
  async deriveStatus(
    agreementId: string,
    command: Extract<AgreementCommand, { kind: 'deriveStatus' }>,
    ctx: CommandContext & { causationId: string },
  ): Promise<EventEnvelope[]> {
    return (await this.aggregates.execute(agreementAggregate, agreementId, command, ctx)).newEvents;
  }

  async get(agreementId: string): Promise<AgreementView> {
    const doc = await this.readModel.views.findOne({ _id: agreementId });
    if (!doc) {
      // Written to the store but not yet to the read model: repair now rather than answer 404.
      await this.aggregates.refresh(agreementAggregate, agreementId, 1);
      const repaired = await this.readModel.views.findOne({ _id: agreementId });
      if (!repaired) throw new DomainError('not-found', `agreement ${agreementId} not found`);
      return this.get(agreementId);
    }
    const milestones = await this.readModel.milestonesOf([agreementId]);
    return this.readModel.toView(doc, milestones.get(agreementId) ?? [], this.clock.now());
  }

  /** The agreement at business time `validAt` as recorded by `knownAt` (its own events; milestone counts are today's). */
  async getAt(agreementId: string, clocks: TwoClocks) {
    const { state, version, validAt, knownAt } = await this.aggregates.at(agreementAggregate, agreementId, clocks, { recorded: 'registered', happened: 'signed' });
    const { exists: _e, agreementId: _id, lifecycle, implementation, lastTargetNumber: _t, lastSourceNumber: _s, ...rest } = state;
    return {
      ...rest,
      targets: rest.targets.map((t, i) => ({ ...t, targetId: t.targetId ?? `T${i + 1}` })),
      sources: rest.sources.map((x, i) => ({ ...x, sourceId: x.sourceId ?? `S${i + 1}`, kind: kindOf(x) })),
      id: agreementId,
      version,
      // `asOf`: the record time, under its former name (knownAt or, with validAt only, now).
      asOf: knownAt ?? this.clock.now().toISOString(),
      validAt,
      knownAt,
      status: lifecycle === 'active' ? implementation : lifecycle,
      lifecycle,
      implementationStatus: implementation,
    };
  }

  async list(query: ListAgreementsQuery): Promise<{ items: AgreementView[]; nextCursor: string | null }> {
    const now = this.clock.now();
    const limit = query.limit ?? 20;
    if (query.q) return this.searchPage(query, query.q, limit, now);
    const filter = this.readModel.filterFor(query, now);
    if (query.cursor) {
      filter._id = { $gt: Cursor.decode(query.cursor) };
    }
    const docs = await this.readModel.views.find(filter).sort({ _id: 1 }).limit(limit + 1).toArray();
    const page = docs.slice(0, limit);
    const milestones = await this.readModel.milestonesOf(page.map((d) => d._id));
    return {
      items: page.map((d) => this.readModel.toView(d, milestones.get(d._id) ?? [], now)),
      nextCursor: docs.length > limit ? Cursor.encode(page.at(-1)!._id) : null,
    };
  }

  /**
   * A page of a search (`q`), best match first (search.ts), then by id. The cursor is the rank and id of the
   * page's last agreement, so the next page starts after it.
   */
  private async searchPage(query: ListAgreementsQuery, q: string, limit: number, now: Date): Promise<{ items: AgreementView[]; nextCursor: string | null }> {
    const ranked = await this.ranked(query, q, now);
    let start = 0;
    if (query.cursor) {
      const at = /^(\d+):(.+)$/.exec(Cursor.decode(query.cursor));
      if (!at) throw new DomainError('invalid', 'cursor is not one of a search: send the nextCursor of the page before, with the same q', 'cursor');
      const [rank, id] = [Number(at[1]), at[2]];
      start = ranked.findIndex((r) => r.rank < rank || (r.rank === rank && r.id > id));
      if (start < 0) start = ranked.length;
    }
    const page = ranked.slice(start, start + limit);
    const last = page.at(-1);
    return {
      items: await this.viewsOf(await this.byIds(page.map((r) => r.id)), now),
      nextCursor: last && start + limit < ranked.length ? Cursor.encode(`${last.rank}:${last.id}`) : null,
    };
  }

  /**
   * The ids of the agreements the filters and `q` match, ranked. One read of the matching views' search words
   * only; the page's documents are then read by `_id`.
   */
  private async ranked(query: AgreementFilters, q: string, now: Date): Promise<Array<{ id: string; rank: number }>> {
    const search = searchQueryOf(q);
    const found = await this.readModel.views.find(this.readModel.filterFor(query, now), { projection: { _id: 1, search: 1 } }).toArray();
    return found
      .map((d) => ({ id: d._id, rank: d.search ? searchRank(d.search, search) : 0 }))
      .filter((r) => r.rank > 0)
      .sort((a, b) => b.rank - a.rank || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  private async byIds(ids: string[]): Promise<AgreementViewDoc[]> {
    const docs = await Promise.all(ids.map((id) => this.readModel.views.findOne({ _id: id })));
    return docs.filter((d): d is AgreementViewDoc => d !== null);
  }

  private async viewsOf(docs: AgreementViewDoc[], now: Date): Promise<AgreementView[]> {
    const milestones = await this.readModel.milestonesOf(docs.map((d) => d._id));
    return docs.map((d) => this.readModel.toView(d, milestones.get(d._id) ?? [], now));
  }

  /**
   * Every agreement the filters match, in the list's order (by id; best match first with `q`), read a hundred at
   * a time: the CSV export, however many there are.
   */
  async *matching(query: AgreementFilters): AsyncGenerator<AgreementView> {
    const now = this.clock.now();
    if (query.q) {
      const ranked = await this.ranked(query, query.q, now);
      for (let i = 0; i < ranked.length; i += EXPORT_BATCH) yield* await this.viewsOf(await this.byIds(ranked.slice(i, i + EXPORT_BATCH).map((r) => r.id)), now);
      return;
    }
    const cursor = this.readModel.views.find(this.readModel.filterFor(query, now)).sort({ _id: 1 }).batchSize(EXPORT_BATCH);
    try {
      let batch: AgreementViewDoc[] = [];
      for await (const doc of cursor) {
        batch.push(doc);
        if (batch.length === EXPORT_BATCH) {
          yield* await this.viewsOf(batch, now);
          batch = [];
        }
      }
      yield* await this.viewsOf(batch, now);
    } finally {
      await cursor.close();
    }
  }

  /**
   * The agreement a reference names. References are registered in upper case, so the match ignores case
   * (tr-uz-2026-mining finds TR-UZ-2026-MINING); found through the reservation kept by `_id` at registration.
   */
  async byReference(reference: string): Promise<AgreementView> {
    const wanted = reference.trim().toUpperCase();
    const unknown = () =>
      new DomainError('not-found', `no agreement has the reference ${wanted}: check it, or search with GET /agreements?q= and part of it (e.g. ?q=${wanted.split('-')[0]})`);
    if (!REFERENCE.test(wanted)) throw new DomainError('invalid', 'reference must be 2-64 letters, digits or dashes, e.g. TR-UZ-2026-MINING', 'reference');
    const holder = await this.references.findOne({ _id: wanted });
    // A reservation whose registration was never stored (it failed or crashed) names no agreement.
    if (!holder || (await this.store.streamVersion(agreementStreamId(holder.agreementId))) === 0) throw unknown();
    return this.get(holder.agreementId);
  }

  events(agreementId: string, from: number, limit: number) {
    return this.aggregates.history(agreementAggregate, agreementId, from, limit);
  }
}
