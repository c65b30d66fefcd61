/**
 * Use cases of the milestones service: run the Milestone decider against the event store, keep the milestone
 * list current, answer queries, and tell an agreement's path from signing to outcome (its timeline).
 */
import { Inject, Injectable } from '@nestjs/common';
import type { mongo } from 'mongoose';

type Filter<T> = mongo.Filter<T>;
import { v7 as uuidv7 } from 'uuid';
import {
  calendarDateOf,
  deriveImplementationStatus,
  DomainError,
  MilestoneEventTypes,
  OpenMilestoneStatuses,
  summarizeMilestoneEvent,
  type Actor,
  type MilestoneEventEnvelope,
  type MilestoneSummary,
} from '@tracker/contracts';
import type { EventStore } from '@tracker/event-store';
import { CLOCK, Cursor, type Clock } from '@tracker/platform';
import { Aggregates, EVENT_STORE, ReadModels, type CommandContext, type ExecuteOptions } from '@tracker/service-runtime';
import type { MilestoneCommand } from '@tracker/milestones-domain';
import { AgreementDirectory } from '../agreement-directory/agreement-directory';
import type { ListMilestonesQuery, PlanMilestoneDto } from './dto';
import { milestoneAggregate, milestoneViews, type ExistingMilestone, type MilestoneViewDoc } from './milestone-views';

export type MilestoneView = Omit<ExistingMilestone, 'exists'> & {
  id: string;
  version: number;
  overdue: boolean;
  /** True once the milestone slipped three times or more: a pattern worth a stakeholder's attention. */
  repeatedlySlipped: boolean;
  plannedAt: string;
  updatedAt: string;
};

/** Commands after planning, as the controller builds them; today's date is added here. */
export type MilestoneChange =
  | { kind: 'start' }
  | Extract<MilestoneCommand, { kind: 'reportProgress' | 'reschedule' | 'markNotMet' | 'cancel' }>
  | Omit<Extract<MilestoneCommand, { kind: 'markMet' }>, 'today'>
  | Omit<Extract<MilestoneCommand, { kind: 'markPartiallyMet' }>, 'today'>;

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

  async plan(dto: PlanMilestoneDto, ctx: CommandContext): Promise<MilestoneView> {
    const milestoneId = uuidv7();
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
        evidence: (dto.evidence ?? []).map((e) => ({ ...e })),
      },
      { ...ctx, expectedVersion: 0 },
    );
    return this.get(milestoneId);
  }

  /** A change with the client's If-Match version (`change.expectedVersion`). */
  async change(milestoneId: string, change: MilestoneChange, ctx: ExecuteOptions): Promise<MilestoneView> {
    const today = this.today();
    const command: MilestoneCommand =
      change.kind === 'start' || change.kind === 'markMet' || change.kind === 'markPartiallyMet'
        ? ({ ...change, today } as MilestoneCommand)
        : change;
    await this.aggregates.execute(milestoneAggregate, milestoneId, command, {
      actor: ctx.actor,
      correlationId: ctx.correlationId,
      expectedVersion: ctx.expectedVersion,
    });
    return this.get(milestoneId);
  }

  private toView(doc: MilestoneViewDoc): MilestoneView {
    const { exists: _exists, ...state } = doc.state;
    return {
      ...state,
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

  async getAsOf(milestoneId: string, asOf: Date) {
    const { state, version } = await this.aggregates.asOf(milestoneAggregate, milestoneId, asOf, 'planned');
    const { exists: _exists, ...rest } = state;
    return { ...rest, id: milestoneId, version, asOf: asOf.toISOString() };
  }

  async list(query: ListMilestonesQuery): Promise<{ items: MilestoneView[]; nextCursor: string | null }> {
    const limit = query.limit ?? 20;
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
        if (query.status && !OpenMilestoneStatuses.includes(query.status)) return { items: [], nextCursor: null };
        filter['state.status'] = query.status ?? overdue['state.status'];
        filter['state.dueDate'] = { ...(filter['state.dueDate'] as object), ...overdue['state.dueDate'] };
      } else {
        filter.$or = [{ 'state.status': { $nin: [...OpenMilestoneStatuses] } }, { 'state.dueDate': { $gte: today } }];
      }
    }
    if (query.cursor) filter._id = { $gt: Cursor.decode(query.cursor) };
    const docs = await this.views.find(filter).sort({ _id: 1 }).limit(limit + 1).toArray();
    const page = docs.slice(0, limit);
    return {
      items: page.map((d) => this.toView(d)),
      nextCursor: docs.length > limit ? Cursor.encode(page.at(-1)!._id) : null,
    };
  }

  events(milestoneId: string, from: number, limit: number) {
    return this.aggregates.history(milestoneAggregate, milestoneId, from, limit);
  }

  /**
   * The agreement's path from signing to outcome: every milestone event in the order it was recorded, each with
   * the agreement's implementation status after that step (the same rule the agreements service applies).
   */
  async timeline(agreementId: string) {
    const agreement = await this.directory.get(agreementId);
    const summaries = new Map<string, MilestoneSummary>();
    const steps: Array<{
      at: string;
      occurredAt: string;
      type: string;
      milestoneId: string;
      milestoneTitle: string;
      eventId: string;
      actor: Actor;
      data: unknown;
      agreementStatus: string;
    }> = [];
    const titles = new Map<string, string>();
    for await (const event of this.store.readAll({ agreementId, types: MilestoneEventTypes })) {
      const e = event as MilestoneEventEnvelope;
      const { milestoneId } = e.data;
      if (e.type === 'milestone.planned') titles.set(milestoneId, e.data.title);
      const next = summarizeMilestoneEvent(summaries.get(milestoneId), e.type, e.data as never);
      if (next) summaries.set(milestoneId, next);
      steps.push({
        at: e.recordedAt,
        occurredAt: e.occurredAt,
        type: e.type,
        milestoneId,
        milestoneTitle: titles.get(milestoneId) ?? '',
        eventId: e.eventId,
        actor: e.actor,
        data: e.data,
        agreementStatus: deriveImplementationStatus([...summaries.values()]),
      });
    }
    if (!agreement && steps.length === 0) throw new DomainError('not-found', `agreement ${agreementId} not found`);
    return {
      agreementId,
      ...(agreement && { reference: agreement.reference, title: agreement.title, signedOn: agreement.signedOn }),
      currentStatus: deriveImplementationStatus([...summaries.values()]),
      steps,
    };
  }
}
