/**
 * Use cases of the agreements service: run the Agreement decider against the event store, keep the read model
 * current, answer queries. HTTP concerns (ETag, If-Match, Idempotency-Key) stay in the controller.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Connection, Collection } from 'mongoose';
import {
  agreementStreamId,
  DomainError,
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
import { agreementAggregate, AgreementReadModel, type AgreementView } from './agreement-read-model';
import type { ListAgreementsQuery, RegisterAgreementDto } from './dto';

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
    const { exists: _e, agreementId: _id, lifecycle, implementation, ...rest } = state;
    return {
      ...rest,
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

  events(agreementId: string, from: number, limit: number) {
    return this.aggregates.history(agreementAggregate, agreementId, from, limit);
  }
}
