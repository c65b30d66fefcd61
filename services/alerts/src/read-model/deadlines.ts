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
import type { EventEnvelope, MilestoneEventData, MilestoneEventEnvelope } from '@tracker/contracts';
import type { ConsumerContext } from '@tracker/messaging';
import { applyOnce } from '@tracker/mongo';
import { type EventConsumer } from '@tracker/platform';
import { ReadModels, type CollectionSource } from '@tracker/service-runtime';
import { deadlinePatch, isWatched, resolution, slipAlert, type MilestoneDeadline } from '@tracker/alerts-domain';
import { AlertsService, type Cause } from '../alerts/alerts.service';
import { AgreementInfoStore } from './agreement-info';

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

  async init(): Promise<void> {
    await this.source.define('milestone_deadlines', [{ key: { watched: 1, dueDate: 1, _id: 1 } }]);
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

/** Consumes `milestones.events`: the deadline read model, slip alerts and resolutions. */
@Injectable()
export class MilestoneEventsHandler implements EventConsumer {
  constructor(
    private readonly deadlines: DeadlineStore,
    private readonly alerts: AlertsService,
    private readonly agreements: AgreementInfoStore,
  ) {}

  async handle(envelope: EventEnvelope, ctx: ConsumerContext): Promise<void> {
    if (!envelope.type.startsWith('milestone.')) return;
    const event = envelope as MilestoneEventEnvelope;
    await this.deadlines.apply(event);
    await this.agreements.touch(event.type, event.agreementId, event.occurredAt);
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

    const outcome =
      event.type === 'milestone.met' ? 'met' : event.type === 'milestone.partially-met' ? 'partiallyMet' : event.type === 'milestone.cancelled' ? 'cancelled' : null;
    if (!outcome) return;
    const on = 'metOn' in event.data ? (event.data as { metOn: string }).metOn : undefined;
    const r = resolution(m, { kind: 'outcome', outcome, ...(on && { on }), causedByEventId: event.eventId }, await this.alerts.openAlertsOf(m.milestoneId));
    if (r.notice) await this.alerts.raise(r.notice, cause, occurredAt);
    for (const close of r.close) await this.alerts.resolve(close.alertId, close.resolution, cause);
  }
}
