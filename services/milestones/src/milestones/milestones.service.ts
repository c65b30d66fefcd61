/**
 * Use cases of the milestones service: run the Milestone decider against the event store, keep the milestone
 * list current, answer queries, and tell an agreement's path from signing to outcome (its timeline).
 */
import { Inject, Injectable } from '@nestjs/common';
import type { mongo } from 'mongoose';

type Filter<T> = mongo.Filter<T>;
import {
  calendarDateOf,
  deriveImplementationStatus,
  DomainError,
  kindOf,
  milestoneSourcing,
  MilestoneEventTypes,
  OpenMilestoneStatuses,
  summarizeMilestoneEvent,
  agreementStatusChange,
  recordedLateDays,
  type AgreementEventEnvelope,
  type EventEnvelope,
  type LifecycleStatus,
  type MilestoneEventEnvelope,
  type MilestoneCorrection,
  type MilestoneSummary,
  type MilestoneSourcing,
} from '@tracker/contracts';
import type { EventStore } from '@tracker/event-store';
import { CLOCK, Cursor, newResourceId, type Clock } from '@tracker/platform';
import {
  Aggregates,
  effectiveTimes,
  EVENT_STORE,
  isCorrection,
  knownBy,
  ReadModels,
  type CommandContext,
  type ExecuteOptions,
  type TwoClocks,
} from '@tracker/service-runtime';
import type { MilestoneCommand } from '@tracker/milestones-domain';
import { AgreementDirectory } from '../agreement-directory/agreement-directory';
import { evidenceOf, type ExportMilestonesQuery, type ListMilestonesQuery, type PlanMilestoneDto } from './dto';
import { milestoneAggregate, milestoneViews, type ExistingMilestone, type MilestoneViewDoc } from './milestone-views';

export type MilestoneView = Omit<ExistingMilestone, 'exists' | 'claimEvidence' | 'progressReports'> & {
  /** How well it is sourced: all its evidence, and what backs its current status. */
  sourcing: MilestoneSourcing;
  id: string;
  version: number;
  overdue: boolean;
  /** True once the milestone slipped three times or more: a pattern worth a stakeholder's attention. */
  repeatedlySlipped: boolean;
  plannedAt: string;
  updatedAt: string;
};

type WithoutContext<C> = C extends unknown ? Omit<C, 'now' | 'agreement'> : never;

/** Commands after planning, as the controller builds them (with the client's business time); now and the agreement are added here. */
export type MilestoneChange = WithoutContext<Exclude<MilestoneCommand, { kind: 'plan' } | { kind: 'correct' }>>;

@Injectable()
export class MilestonesService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly directory: AgreementDirectory,
    private readonly aggregates: Aggregates,
    private readonly readModels: ReadModels,
  ) {}

  private get views() {
    return this.readModels.collection<MilestoneViewDoc>(milestoneViews.collections[0].name);
  }

  private today(): string {
    return calendarDateOf(this.clock.now());
  }

  /** The recording time commands are decided at (the business clock). */
  private now(): string {
    return this.clock.now().toISOString();
  }

  /** What the business-time checks need of the milestone's agreement (null: the milestone or agreement is unknown). */
  private async agreementOf(milestoneId: string) {
    // A milestone never changes agreement: the cached state names it as well as the view does.
    const cached = this.aggregates.cachedState(milestoneAggregate, milestoneId);
    const agreementId = cached?.exists
      ? cached.agreementId
      : (await this.views.findOne({ _id: milestoneId }, { projection: { 'state.agreementId': 1 } }))?.state.agreementId;
    return agreementId ? this.directory.facts(agreementId) : null;
  }

  async plan(dto: PlanMilestoneDto, ctx: CommandContext): Promise<MilestoneView> {
    // Derived from an Idempotency-Key when given: a retry after a crash finds this milestone instead of adding one.
    const milestoneId = newResourceId('milestone');
    const agreement = await this.directory.facts(dto.agreementId);
    await this.aggregates.execute(
      milestoneAggregate,
      milestoneId,
      {
        kind: 'plan',
        milestoneId,
        agreement,
        agreementId: dto.agreementId,
        type: dto.type,
        title: dto.title,
        ...(dto.description !== undefined && { description: dto.description }),
        ...(dto.responsibleParty !== undefined && { responsibleParty: dto.responsibleParty }),
        ...(dto.expectedOutcome !== undefined && {
          expectedOutcome: {
            description: dto.expectedOutcome.description,
            ...(dto.expectedOutcome.quantity && { quantity: { ...dto.expectedOutcome.quantity } }),
          },
        }),
        dueDate: dto.dueDate,
        evidence: evidenceOf(dto.evidence),
        ...(dto.contributesTo !== undefined && { contributesTo: [...dto.contributesTo] }),
        now: this.now(),
        ...(dto.occurredAt !== undefined && { occurredAt: dto.occurredAt }),
      },
      { ...ctx, expectedVersion: 0 },
    );
    return this.get(milestoneId);
  }

  /** A change with the client's If-Match version (`change.expectedVersion`). */
  async change(milestoneId: string, change: MilestoneChange, ctx: ExecuteOptions): Promise<MilestoneView> {
    const command = { ...change, now: this.now(), agreement: await this.agreementOf(milestoneId) } as MilestoneCommand;
    await this.aggregates.execute(milestoneAggregate, milestoneId, command, {
      actor: ctx.actor,
      correlationId: ctx.correlationId,
      expectedVersion: ctx.expectedVersion,
    });
    return this.get(milestoneId);
  }

  /**
   * Corrects a fact entered wrongly (a met date, a progress percentage, a due date typed wrongly) with an event
   * naming the event it corrects; the history keeps both.
   */
  async correct(milestoneId: string, correction: { eventId: string; changes: MilestoneCorrection; reason: string }, ctx: ExecuteOptions): Promise<MilestoneView> {
    // A reschedule's due date is its newDueDate.
    const found = await this.aggregates.event(milestoneAggregate, milestoneId, correction.eventId, (type, field) =>
      type === 'milestone.rescheduled' && field === 'dueDate' ? 'newDueDate' : field,
    );
    const target = found && {
      eventId: found.event.eventId,
      type: found.event.type,
      ...found.now,
      current: stillInForce(found.event.type, found.laterOfType),
    };
    await this.aggregates.execute(
      milestoneAggregate,
      milestoneId,
      {
        kind: 'correct',
        target,
        correctsEventId: correction.eventId,
        changes: correction.changes,
        reason: correction.reason,
        now: this.now(),
        agreement: await this.agreementOf(milestoneId),
      },
      { actor: ctx.actor, correlationId: ctx.correlationId, expectedVersion: ctx.expectedVersion },
    );
    return this.get(milestoneId);
  }

  private toView(doc: MilestoneViewDoc): MilestoneView {
    // The reports are the state's means to tell the one in force: the history lists them (GET .../events).
    const { exists: _exists, claimEvidence, progressReports: _reports, ...state } = doc.state;
    return {
      ...state,
      evidence: state.evidence.map((e) => ({ ...e, kind: kindOf(e) })),
      // A view written before claims were kept: its evidence as a whole.
      sourcing: milestoneSourcing(state.evidence, claimEvidence ?? state.evidence),
      id: doc._id,
      version: doc.version,
      overdue: OpenMilestoneStatuses.includes(state.status) && state.dueDate < this.today(),
      repeatedlySlipped: state.slipCount >= 3,
      plannedAt: doc.plannedAt,
      updatedAt: doc.updatedAt,
    };
  }

  async get(milestoneId: string): Promise<MilestoneView> {
    let doc = await this.views.findOne({ _id: milestoneId });
    if (!doc) {
      // Written to the store but not yet to the view: repair now rather than answer 404.
      await this.aggregates.refresh(milestoneAggregate, milestoneId, 1);
      doc = await this.views.findOne({ _id: milestoneId });
      if (!doc) throw new DomainError('not-found', `milestone ${milestoneId} not found`);
    }
    return this.toView(doc);
  }

  /** The milestone at business time `validAt` as recorded by `knownAt` (ADR 0008). */
  async getAt(milestoneId: string, clocks: TwoClocks) {
    const { state, version, validAt, knownAt } = await this.aggregates.at(milestoneAggregate, milestoneId, clocks, { recorded: 'planned', happened: 'planned' });
    const { exists: _exists, claimEvidence, progressReports: _reports, ...rest } = state;
    const evidence = rest.evidence.map((e) => ({ ...e, kind: kindOf(e) }));
    // `asOf`: the record time, under its former name (knownAt or, with validAt only, now).
    return { ...rest, evidence, sourcing: milestoneSourcing(evidence, claimEvidence ?? evidence), id: milestoneId, version, asOf: knownAt ?? this.now(), validAt, knownAt };
  }

  async list(query: ListMilestonesQuery): Promise<{ items: MilestoneView[]; nextCursor: string | null }> {
    const limit = query.limit ?? 20;
    const filter = this.filterFor(query);
    if (!filter) return { items: [], nextCursor: null };
    if (query.cursor) filter._id = { $gt: Cursor.decode(query.cursor) };
    const docs = await this.views.find(filter).sort({ _id: 1 }).limit(limit + 1).toArray();
    const page = docs.slice(0, limit);
    return {
      items: page.map((d) => this.toView(d)),
      nextCursor: docs.length > limit ? Cursor.encode(page.at(-1)!._id) : null,
    };
  }

  /**
   * Every milestone the filters match, by id, read a hundred at a time (the CSV export), each with its
   * agreement's reference when this service knows it.
   */
  async *matching(query: ExportMilestonesQuery): AsyncGenerator<MilestoneView & { agreementReference: string | null }> {
    const filter = this.filterFor(query);
    if (!filter) return;
    const references = new Map<string, string | null>();
    const referenceOf = async (agreementId: string) => {
      if (!references.has(agreementId)) {
        const entry = await this.directory.entries.findOne({ _id: agreementId }, { projection: { reference: 1 } });
        references.set(agreementId, entry?.reference ?? null);
      }
      return references.get(agreementId)!;
    };
    const cursor = this.views.find(filter).sort({ _id: 1 }).batchSize(100);
    try {
      for await (const doc of cursor) {
        const view = this.toView(doc);
        yield { ...view, agreementReference: await referenceOf(view.agreementId) };
      }
    } finally {
      await cursor.close();
    }
  }

  /** The view filter of GET /milestones; null when the filters contradict each other (nothing can match). */
  private filterFor(query: ExportMilestonesQuery): Filter<MilestoneViewDoc> | null {
    const filter: Filter<MilestoneViewDoc> = {};
    if (query.agreementId) filter['state.agreementId'] = query.agreementId;
    if (query.type) filter['state.type'] = query.type;
    if (query.status) filter['state.status'] = query.status;
    if (query.dueBefore || query.dueAfter) {
      filter['state.dueDate'] = { ...(query.dueBefore && { $lt: query.dueBefore }), ...(query.dueAfter && { $gte: query.dueAfter }) };
    }
    if (query.slipped === true) filter['state.slipCount'] = { $gt: 0 };
    if (query.slipped === false) filter['state.slipCount'] = 0;
    if (query.overdue !== undefined) {
      const today = this.today();
      const overdue = { 'state.status': { $in: [...OpenMilestoneStatuses] }, 'state.dueDate': { $lt: today } };
      if (query.overdue) {
        if (query.status && !OpenMilestoneStatuses.includes(query.status)) return null;
        filter['state.status'] = query.status ?? overdue['state.status'];
        filter['state.dueDate'] = { ...(filter['state.dueDate'] as object), ...overdue['state.dueDate'] };
      } else {
        filter.$or = [{ 'state.status': { $nin: [...OpenMilestoneStatuses] } }, { 'state.dueDate': { $gte: today } }];
      }
    }
    return filter;
  }

  events(milestoneId: string, from: number, limit: number) {
    return this.aggregates.history(milestoneAggregate, milestoneId, from, limit);
  }

  /**
   * The agreement's path from signing to outcome, in real-world order (business time, ADR 0008): its own steps
   * (signing, suspension, resumption, termination, expiry) and every milestone event, each with when it was
   * recorded, how late, the corrections that apply to it, and the agreement's status after it (lifecycle first,
   * else the implementation status the agreements service derives). `clocks`: the path as it was at validAt, as
   * recorded by knownAt.
   */
  async timeline(agreementId: string, clocks: TwoClocks = {}) {
    const agreement = await this.directory.get(agreementId);
    const streams = new Map<string, EventEnvelope[]>();
    for await (const event of this.store.readAll({ agreementId, types: MilestoneEventTypes })) {
      streams.set(event.streamId, [...(streams.get(event.streamId) ?? []), event]);
    }
    // The agreement's steps are a selection of its stream (no amendments): known by record time alone.
    const known = (agreement?.steps ?? []).filter((e) => !clocks.knownAt || Date.parse(e.recordedAt) <= clocks.knownAt.getTime());
    const facts: TimelineFact[] = factsOf(known as unknown as EventEnvelope[], clocks);
    for (const stream of streams.values()) facts.push(...factsOf(knownBy(stream, clocks.knownAt), clocks));
    if (!agreement && facts.length === 0) throw new DomainError('not-found', `agreement ${agreementId} not found`);
    // Business time, then (at equal times) the agreement's own steps first, then the order of recording.
    const agreementFirst = (f: TimelineFact) => (f.event.type.startsWith('agreement.') ? 0 : 1);
    facts.sort(
      (a, b) =>
        compare(a.occurredAt, b.occurredAt) ||
        agreementFirst(a) - agreementFirst(b) ||
        compare(a.event.recordedAt, b.event.recordedAt) ||
        (a.event.position ?? 0) - (b.event.position ?? 0),
    );

    const summaries = new Map<string, MilestoneSummary>();
    const titles = new Map<string, string>();
    let lifecycle: LifecycleStatus | null = null;
    const statusNow = () => (lifecycle && lifecycle !== 'active' ? lifecycle : deriveImplementationStatus([...summaries.values()]));
    const steps = facts.map(({ event, occurredAt, corrections }) => {
      const milestoneId = (event.data as { milestoneId?: string }).milestoneId ?? null;
      for (const e of [event, ...corrections]) {
        if (e.type.startsWith('agreement.')) {
          lifecycle = agreementStatusChange(e as AgreementEventEnvelope).lifecycle ?? lifecycle;
        } else if (milestoneId) {
          const me = e as MilestoneEventEnvelope;
          if (me.type === 'milestone.planned') titles.set(milestoneId, me.data.title);
          const next = summarizeMilestoneEvent(summaries.get(milestoneId), me.type, me.data as never);
          if (next) summaries.set(milestoneId, next);
        }
      }
      return {
        at: event.recordedAt,
        occurredAt,
        recordedAt: event.recordedAt,
        recordedLateDays: recordedLateDays(occurredAt, event.recordedAt),
        source: event.type.startsWith('agreement.') ? ('agreement' as const) : ('milestone' as const),
        type: event.type,
        milestoneId,
        milestoneTitle: milestoneId ? (titles.get(milestoneId) ?? '') : null,
        eventId: event.eventId,
        actor: event.actor,
        data: event.data,
        corrections: corrections.map((c) => ({ eventId: c.eventId, recordedAt: c.recordedAt, actor: c.actor, data: c.data })),
        agreementStatus: statusNow(),
      };
    });
    return {
      agreementId,
      ...(agreement && { reference: agreement.reference, title: agreement.title, signedOn: agreement.signedOn, datePrecision: agreement.datePrecision ?? null }),
      validAt: clocks.validAt?.toISOString() ?? null,
      knownAt: clocks.knownAt?.toISOString() ?? null,
      currentStatus: statusNow(),
      steps,
    };
  }
}

interface TimelineFact {
  event: EventEnvelope;
  /** Its business time, corrections applied. */
  occurredAt: string;
  corrections: EventEnvelope[];
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** One stream's facts with their corrections, as of validAt (business time) when given. */
function factsOf(known: readonly EventEnvelope[], clocks: TwoClocks): TimelineFact[] {
  const times = effectiveTimes(known);
  const validAt = clocks.validAt?.toISOString();
  return known
    .filter((e) => !isCorrection(e) && (!validAt || times.get(e.eventId)! <= validAt))
    .map((event) => ({
      event,
      occurredAt: times.get(event.eventId)!,
      corrections: known.filter((c) => isCorrection(c) && (c.data as { correctsEventId: string }).correctsEventId === event.eventId),
    }));
}

/**
 * Whether a corrected event's value is still the one in force (no later event of a kind that replaces it). A
 * progress report's is the latest by date, not by record: the decider rules on it from the reports its state keeps
 * (every stored one); record order here is only its fallback.
 */
function stillInForce(type: string, later: ReadonlySet<string>): boolean {
  if (type === 'milestone.progress-reported') return !later.has('milestone.progress-reported');
  if (type === 'milestone.planned' || type === 'milestone.rescheduled') return !later.has('milestone.rescheduled');
  return true; // started, met, partially met, not met, cancelled happen once
}
