/**
 * The milestone deadlines the scheduler watches, folded from `milestones.events` (one document per milestone,
 * version-guarded on the milestone's stream with applyOnce), and the alerts that follow from an event at once:
 * a slip alert on a reschedule to a later date, a resolved notice closing the open alerts when a milestone is met,
 * partially met or cancelled. Those effects run on every delivery, not only the first: they are idempotent (one
 * alert per dedup key, resolving a resolved alert does nothing), so a crash between the projection and the
 * effects loses nothing.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { mongo } from 'mongoose';
import { Topics, type EventEnvelope, type MilestoneEventData, type MilestoneEventEnvelope } from '@tracker/contracts';
import type { ConsumerContext } from '@tracker/messaging';
import { applyOnce } from '@tracker/mongo';
import { ReadModels, type CollectionSource, type EventReactor, type TopicProjection } from '@tracker/service-runtime';
import { deadlinePatch, isWatched, resolution, slipAlert, type MilestoneDeadline } from '@tracker/alerts-domain';
import { AlertsService, type Cause } from '../alerts/alerts.service';

export interface DeadlineDoc extends MilestoneDeadline {
  /** The milestone id. */
  _id: string;
  /** Last applied version of the milestone's stream. */
  version: number;
  /** False once met, partially met or cancelled: the scheduler skips it. */
  watched: boolean;
  updatedAt: string;
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

  /** Watched milestones due on or before `horizon` (YYYY-MM-DD), in due-date order. */
  dueBy(horizon: string) {
    return this.deadlines.find({ watched: true, dueDate: { $lte: horizon } }).sort({ dueDate: 1, _id: 1 });
  }

  /** Applies one milestone event; false for a redelivery or an event that changes nothing here. */
  async apply(event: MilestoneEventEnvelope): Promise<boolean> {
    const patch = deadlinePatch(event.type, event.data as never);
    const set: Partial<DeadlineDoc> = { ...(patch ?? {}), updatedAt: event.recordedAt };
    if (patch?.status) set.watched = isWatched({ status: patch.status });
    return applyOnce(this.deadlines as never, event.data.milestoneId, { field: 'version', value: event.streamVersion }, { $set: set });
  }
}

/** `milestone_deadlines`, folded from `milestones.events`, live and in a replay. */
export const milestoneDeadlines: TopicProjection = {
  source: 'topics',
  name: 'milestone-deadlines',
  collections: [{ name: 'milestone_deadlines', indexes: [{ key: { watched: 1, dueDate: 1, _id: 1 } }] }],
  topics: [Topics.milestones],
  async apply(into, event) {
    if (event.type.startsWith('milestone.')) await new DeadlineStore(into).apply(event as MilestoneEventEnvelope);
  },
};

/**
 * After `milestone-deadlines` applied a milestone event: a slip alert on a reschedule to a later date, and a
 * resolved notice closing the open alerts when a milestone is met, partially met or cancelled.
 */
@Injectable()
export class MilestoneAlertsReactor implements EventReactor {
  constructor(
    private readonly deadlines: DeadlineStore,
    private readonly alerts: AlertsService,
  ) {}

  async react(envelope: EventEnvelope, ctx: ConsumerContext): Promise<void> {
    if (!envelope.type.startsWith('milestone.')) return;
    const event = envelope as MilestoneEventEnvelope;
    const m = await this.deadlines.get(event.data.milestoneId);
    // A milestone event whose `planned` never reached us: nothing to alert about.
    if (!m || m.milestoneId === undefined) return;
    const cause: Cause = { correlationId: ctx.correlationId, causationId: event.eventId };
    const occurredAt = new Date(event.occurredAt);

    if (event.type === 'milestone.rescheduled') {
      const data = event.data as MilestoneEventData['milestone.rescheduled'];
      const slip = slipAlert(m, data, event.eventId);
      if (slip) await this.alerts.raise(slip, cause, occurredAt);
      for (const close of resolution(m, { kind: 'rescheduled' }, await this.alerts.openAlertsOf(m.milestoneId)).close) {
        await this.alerts.resolve(close.alertId, close.resolution, cause);
      }
      return;
    }

    if (event.type === 'milestone.corrected') {
      const data = event.data as MilestoneEventData['milestone.corrected'];
      if (!data.current || data.changes.dueDate === undefined) return;
      for (const close of resolution(m, { kind: 'dueDateCorrected' }, await this.alerts.openAlertsOf(m.milestoneId)).close) {
        await this.alerts.resolve(close.alertId, close.resolution, cause);
      }
      return;
    }

    const outcome =
      event.type === 'milestone.met' ? 'met' : event.type === 'milestone.partially-met' ? 'partiallyMet' : event.type === 'milestone.cancelled' ? 'cancelled' : null;
    if (!outcome) return;
    const on = 'metOn' in event.data ? (event.data as { metOn: string }).metOn : undefined;
    const r = resolution(m, { kind: 'outcome', outcome, ...(on && { on }), causedByEventId: event.eventId }, await this.alerts.openAlertsOf(m.milestoneId));
    if (r.notice) await this.alerts.raise(r.notice, cause, occurredAt);
    for (const close of r.close) await this.alerts.resolve(close.alertId, close.resolution, cause);
  }
}
