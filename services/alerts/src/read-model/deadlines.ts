/**
 * The milestone deadlines the scheduler watches, folded from `milestones.events` (one document per milestone,
 * version-guarded on the milestone's stream with applyOnce), and the alerts that follow from an event at once:
 * a slip alert on a reschedule to a later date, a resolved notice closing the open alerts when a milestone is met,
 * partially met or cancelled. Those effects run on every delivery, not only the first: they are idempotent (one
 * alert per dedup key, resolving a resolved alert does nothing), so a crash between the projection and the
 * effects loses nothing.
 *
 * The scheduler finds watched milestones by due date through `milestone_due_dates`, key-addressed: one document
 * per due date (`_id: 'due:2026-12-01'`, the milestone ids due that day, sorted) and one listing the dates in use
 * (`_id: 'dates'`). A query on `{watched, dueDate}` would read the whole `milestone_deadlines` collection at every
 * scan on FerretDB, and it grows with every milestone ever planned. A milestone is listed under its new date
 * before its deadline document shows it, every time the event is applied (a redelivery lists it again), and
 * unlisted from the old date after; the scan checks each listed milestone against its document. So a crash
 * leaves at worst a stale entry, never a watched milestone missing.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { mongo } from 'mongoose';
import { Topics, type EventEnvelope, type MilestoneEventData, type MilestoneEventEnvelope } from '@tracker/contracts';
import type { ConsumerContext } from '@tracker/messaging';
import { addToSortedList, applyOnce, removeFromSortedList, withDocumentLock } from '@tracker/mongo';
import { ReadModels, type CollectionSource, type EventReactor, type Projected, type TopicProjection } from '@tracker/service-runtime';
import {
  deadlinePatch,
  forecastAlerts,
  forecastCompletion,
  isWatched,
  resolution,
  slipAlert,
  withCorrectedReport,
  withReport,
  type ForecastPolicy,
  type KeptReport,
  type MilestoneDeadline,
} from '@tracker/alerts-domain';
import { AlertsService, type Cause } from '../alerts/alerts.service';
import { AlertsConfig } from '../config';
import { AgreementLifecycle } from '../lifecycle/agreement-lifecycle';

export interface DeadlineDoc extends MilestoneDeadline {
  /** The milestone id. */
  _id: string;
  /** Last applied version of the milestone's stream. */
  version: number;
  /** False once met, partially met or cancelled: the scheduler skips it. */
  watched: boolean;
  /** The latest progress reports (one per date, oldest first, each with its event id): the forecast's input. */
  reports?: KeptReport[];
  updatedAt: string;
}

/** `milestone_due_dates`: the milestones due on one date, or the dates in use (see above). */
export interface DueDateDoc {
  _id: string;
  ids?: string[];
  dates?: string[];
}

const DATES = 'dates';
const dueOn = (date: string) => `due:${date}`;

/** The date a deadline is listed under: its due date while watched, none otherwise. */
export function listedDate(d: Pick<DeadlineDoc, 'watched' | 'dueDate'> | null): string | null {
  return d && d.watched === true && typeof d.dueDate === 'string' ? d.dueDate : null;
}

/** On the live collections (ReadModels) or on ones a replay is filling. */
@Injectable()
export class DeadlineStore {
  constructor(@Inject(ReadModels) private readonly source: CollectionSource) {}

  get deadlines(): mongo.Collection<DeadlineDoc> {
    return this.source.collection<DeadlineDoc>('milestone_deadlines');
  }

  get(milestoneId: string): Promise<DeadlineDoc | null> {
    return this.deadlines.findOne({ _id: milestoneId });
  }

  get dueDates(): mongo.Collection<DueDateDoc> {
    return this.source.collection<DueDateDoc>('milestone_due_dates');
  }

  /** Watched milestones due on or before `horizon` (YYYY-MM-DD), in due-date order (then by id). */
  async *dueBy(horizon: string): AsyncGenerator<DeadlineDoc> {
    const index = await this.dueDates.findOne({ _id: DATES });
    const dates = (index?.dates ?? []).filter((d) => d <= horizon).sort();
    for (const date of dates) {
      const bucket = await this.dueDates.findOne({ _id: dueOn(date) });
      const ids = [...(bucket?.ids ?? [])].sort();
      if (ids.length === 0) await this.dropDate(date);
      for (const id of ids) {
        const d = await this.get(id);
        if (listedDate(d) === date) yield d!;
      }
    }
  }

  /** Applies one milestone event; false for a redelivery or an event that changes nothing here. */
  async apply(event: MilestoneEventEnvelope): Promise<boolean> {
    const id = event.data.milestoneId;
    // Under the milestone's key lock: its document and its place in the dates move together in this process.
    return withDocumentLock(this.deadlines, id, async () => {
      const before = await this.get(id);
      const set = this.setOf(event, before);
      // Listed under the date the document is about to show before it shows it: whoever sees the document (the
      // scan, a test waiting for it) finds it listed. A crash in between leaves a stale entry, which the scan
      // checks against the document and skips; the redelivery applies the event again.
      const applies = !before || typeof before.version !== 'number' || before.version < event.streamVersion;
      const expected = listedDate(applies ? ({ ...(before ?? {}), ...set } as DeadlineDoc) : before);
      // A document already showing that date was listed under it before it showed it: no second listing (most
      // events, progress reports, leave the date as it is).
      if (expected && expected !== listedDate(before)) await this.list(id, expected);
      const applied = await applyOnce(this.deadlines as never, id, { field: 'version', value: event.streamVersion }, { $set: set });
      // What the document shows now: as decided, unless another writer got there first (then as read).
      const date = applied === applies ? expected : listedDate(applied ? await this.get(id) : before);
      if (date && date !== expected) await this.list(id, date);
      for (const old of new Set([listedDate(before), expected])) if (old && old !== date) await this.unlist(id, old);
      return applied;
    });
  }

  /**
   * apply() for each of `events` in turn (a run of one partition, in order), in fewer writes: each milestone's
   * document folded in memory and written once, listed under its final date only (before it shows it, as above).
   * Returns each milestone's document as it stood after each event (by eventId), for the alerts reactor.
   */
  async applyMany(events: readonly MilestoneEventEnvelope[]): Promise<Map<string, DeadlineDoc | null>> {
    const ids = [...new Set(events.map((e) => e.data.milestoneId))];
    const stored = new Map(ids.map((id, i) => [id, i] as const));
    const before = await Promise.all(ids.map((id) => this.get(id)));
    const state = new Map(ids.map((id) => [id, before[stored.get(id)!]] as const));
    const folded = new Map<string, { set: Partial<DeadlineDoc>; version: number }>();
    const after = new Map<string, DeadlineDoc | null>();
    for (const event of events) {
      const id = event.data.milestoneId;
      const current = state.get(id) ?? null;
      if (!current || typeof current.version !== 'number' || current.version < event.streamVersion) {
        const set = this.setOf(event, current);
        state.set(id, { _id: id, ...(current ?? {}), ...set, version: event.streamVersion } as DeadlineDoc);
        folded.set(id, { set: { ...folded.get(id)?.set, ...set }, version: event.streamVersion });
      }
      after.set(event.eventId, state.get(id) ?? null);
    }
    await Promise.all(
      [...folded].map(([id, { set, version }]) =>
        withDocumentLock(this.deadlines, id, async () => {
          const was = before[stored.get(id)!];
          const expected = listedDate(state.get(id) ?? null);
          if (expected && expected !== listedDate(was)) await this.list(id, expected);
          const applied = await applyOnce(this.deadlines as never, id, { field: 'version', value: version }, { $set: set });
          // Not applied: another writer got there first; the document shows what it wrote.
          const date = applied ? expected : listedDate(await this.get(id));
          if (date && date !== expected) await this.list(id, date);
          for (const old of new Set([listedDate(was), expected])) if (old && old !== date) await this.unlist(id, old);
        }),
      ),
    );
    return after;
  }

  /** What one event writes into its milestone's document. */
  private setOf(event: MilestoneEventEnvelope, current: DeadlineDoc | null): Partial<DeadlineDoc> {
    const patch = deadlinePatch(event.type, event.data as never);
    const set: Partial<DeadlineDoc> = { ...(patch ?? {}), updatedAt: event.recordedAt };
    if (patch?.status) set.watched = isWatched({ status: patch.status });
    if (event.type === 'milestone.progress-reported') {
      // The forecast's input: the latest reports, one per date, in business time.
      const data = event.data as MilestoneEventData['milestone.progress-reported'];
      set.reports = withReport(current?.reports ?? [], { on: data.reportedOn, percent: data.percent, eventId: event.eventId });
    }
    if (event.type === 'milestone.corrected') {
      // A report's percent or date corrected: the forecast reads the corrected one (a typo no longer sets the pace).
      const data = event.data as MilestoneEventData['milestone.corrected'];
      const corrected = data.correctsType === 'milestone.progress-reported' ? withCorrectedReport(current?.reports ?? [], data.correctsEventId, data.changes) : undefined;
      if (corrected) set.reports = corrected;
    }
    return set;
  }

  // The lists are kept sorted and a date without milestones is dropped at once, so the documents depend only on
  // what is listed, not on the order events came in: a replay rebuilds them equal to the live ones.

  /** Lists milestone `id` under `date`: the date's document first, then the date among the dates. */
  private list(id: string, date: string): Promise<void> {
    return withDocumentLock(this.dueDates, dueOn(date), async () => {
      await addToSortedList(this.dueDates, dueOn(date), 'ids', id);
      await addToSortedList(this.dueDates, DATES, 'dates', date);
    });
  }

  /** Unlists milestone `id` from `date`; the date goes when nothing is left under it. */
  private unlist(id: string, date: string): Promise<void> {
    return withDocumentLock(this.dueDates, dueOn(date), async () => {
      const left = await removeFromSortedList(this.dueDates, dueOn(date), 'ids', id);
      if (left.length === 0) await removeFromSortedList(this.dueDates, DATES, 'dates', date);
    });
  }

  /**
   * Forgets a date whose document lists nothing (what the scan does with a date a crash left empty). Under the
   * date's lock, as `list`, so a milestone listed under it meanwhile is never lost.
   */
  private dropDate(date: string): Promise<void> {
    return withDocumentLock(this.dueDates, dueOn(date), async () => {
      const again = await this.dueDates.findOne({ _id: dueOn(date) });
      if (!again?.ids?.length) await removeFromSortedList(this.dueDates, DATES, 'dates', date);
    });
  }
}

/** `milestone_deadlines`, folded from `milestones.events`, live and in a replay. */
export const milestoneDeadlines: TopicProjection = {
  source: 'topics',
  name: 'milestone-deadlines',
  collections: [{ name: 'milestone_deadlines', indexes: [{ key: { watched: 1, dueDate: 1, _id: 1 } }] }, { name: 'milestone_due_dates' }],
  topics: [Topics.milestones],
  async apply(into, event) {
    if (event.type.startsWith('milestone.')) await new DeadlineStore(into).apply(event as MilestoneEventEnvelope);
  },
  // A backlog (after an outage, in a replay): each milestone's document written once per run.
  applyMany(into, events) {
    return new DeadlineStore(into).applyMany(events.filter((e): e is MilestoneEventEnvelope => e.type.startsWith('milestone.')));
  },
};

/** The outcome each outcome event records. */
const OUTCOMES: Readonly<Record<string, 'met' | 'partiallyMet' | 'notMet' | 'cancelled'>> = {
  'milestone.met': 'met',
  'milestone.partially-met': 'partiallyMet',
  'milestone.not-met': 'notMet',
  'milestone.cancelled': 'cancelled',
};

const ALERTING = new Set(['milestone.progress-reported', 'milestone.rescheduled', 'milestone.corrected', ...Object.keys(OUTCOMES)]);

/**
 * After `milestone-deadlines` applied a milestone event: a slip alert on a reschedule to a later date, and a
 * resolved notice closing the open alerts when a milestone is met, partially met or cancelled. What it raises goes
 * through the agreement's lifecycle (nothing while suspended but the outcome notice, nothing once it ended);
 * what it closes, it closes whatever the lifecycle.
 */
@Injectable()
export class MilestoneAlertsReactor implements EventReactor {
  private readonly forecastPolicy: ForecastPolicy;

  constructor(
    private readonly deadlines: DeadlineStore,
    private readonly alerts: AlertsService,
    config: AlertsConfig,
    private readonly lifecycle: AgreementLifecycle,
  ) {
    this.forecastPolicy = config.forecastPolicy();
  }

  async react(envelope: EventEnvelope, ctx: ConsumerContext): Promise<void> {
    // Only these raise or resolve anything (not a plan or a start): the others read nothing.
    if (!ALERTING.has(envelope.type)) return;
    const event = envelope as MilestoneEventEnvelope;
    await this.reactTo(event, await this.deadlines.get(event.data.milestoneId), ctx.correlationId);
  }

  /** After applyMany folded a run: each event against its milestone's document as it stood after it. */
  async reactMany(envelopes: readonly EventEnvelope[], _ctx: ConsumerContext, projected: Projected): Promise<void> {
    for (const envelope of envelopes) {
      if (!ALERTING.has(envelope.type) || !projected.has(envelope.eventId)) continue;
      await this.reactTo(envelope as MilestoneEventEnvelope, projected.get(envelope.eventId) as DeadlineDoc | null, envelope.correlationId);
    }
  }

  /** milestone.atRisk raised or resolved as the milestone's forecast says (forecast.ts). */
  private async forecast(m: DeadlineDoc, cause: Cause, occurredAt: Date): Promise<void> {
    const change = forecastAlerts(m, forecastCompletion(m, this.forecastPolicy), await this.alerts.openAlertsOf(m.milestoneId), cause.causationId ?? undefined);
    if (change.raise) await this.lifecycle.raise(change.raise, cause, occurredAt);
    for (const close of change.close) await this.alerts.resolve(close.alertId, close.resolution, cause);
  }

  private async reactTo(event: MilestoneEventEnvelope, m: DeadlineDoc | null, correlationId: string): Promise<void> {
    // A milestone event whose `planned` never reached us: nothing to alert about.
    if (!m || m.milestoneId === undefined) return;
    const cause: Cause = { correlationId, causationId: event.eventId };
    const occurredAt = new Date(event.occurredAt);

    if (event.type === 'milestone.progress-reported') {
      await this.forecast(m, cause, occurredAt);
      return;
    }

    if (event.type === 'milestone.rescheduled') {
      const data = event.data as MilestoneEventData['milestone.rescheduled'];
      const slip = slipAlert(m, data, event.eventId);
      if (slip) await this.lifecycle.raise(slip, cause, occurredAt);
      for (const close of resolution(m, { kind: 'rescheduled' }, await this.alerts.openAlertsOf(m.milestoneId)).close) {
        await this.alerts.resolve(close.alertId, close.resolution, cause);
      }
      // A new due date may put the projection inside (or outside) it.
      await this.forecast(m, cause, occurredAt);
      return;
    }

    if (event.type === 'milestone.corrected') {
      const data = event.data as MilestoneEventData['milestone.corrected'];
      const dueDateMoved = data.current && data.changes.dueDate !== undefined;
      if (dueDateMoved) {
        for (const close of resolution(m, { kind: 'dueDateCorrected' }, await this.alerts.openAlertsOf(m.milestoneId)).close) {
          await this.alerts.resolve(close.alertId, close.resolution, cause);
        }
      }
      // A corrected report moves the projection; a corrected due date, what it is compared with.
      if (dueDateMoved || data.correctsType === 'milestone.progress-reported') await this.forecast(m, cause, occurredAt);
      return;
    }

    const outcome = OUTCOMES[event.type];
    if (!outcome) return;
    const data = event.data as { metOn?: string; on?: string; reason?: string };
    const on = data.metOn ?? data.on;
    const r = resolution(
      m,
      { kind: 'outcome', outcome, ...(on && { on }), ...(outcome === 'notMet' && data.reason && { reason: data.reason }), causedByEventId: event.eventId },
      await this.alerts.openAlertsOf(m.milestoneId),
    );
    // Outcomes close the milestone's alerts whatever the agreement's lifecycle; the notice goes through it.
    const raised = r.notice && (await this.lifecycle.raise(r.notice, cause, occurredAt));
    // An info notice closes itself: it is news, not something to act on.
    if (raised && raised.alert.kind === 'milestone.resolved' && raised.alert.status !== 'resolved') await this.alerts.resolve(raised.alert._id, outcome, cause);
    for (const close of r.close) await this.alerts.resolve(close.alertId, close.resolution, cause);
  }
}
