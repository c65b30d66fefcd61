/**
 * When an agreement is active and when it is stalled: one rule for the agreements service (its derived `stalled`
 * status, live and as of a past time) and the alerts service (agreement.stalled, and its end by the next activity),
 * so that the dashboard and the inbox never disagree (issue 20). Pure.
 *
 * Activity, at its business time (`occurredAt`): every event of the agreement itself (its registration, at the
 * signing; an amendment, a source, a suspension...) and every event of a milestone that is active after it (a start,
 * a progress report, an outcome, and a reschedule or cancellation of a milestone under way). Planning a milestone,
 * or moving one nobody started, is no activity. A correction is no activity of its own: it moves the corrected
 * fact's time when it says so (`data.occurredAt`), and that new time counts. Activity only grows (both services keep
 * it as a running maximum, order-free and safe to redeliver): a correction that moves a fact earlier does not take
 * the later time back.
 */
import { businessInstant } from './business-time';
import { addDays, calendarDateOf, daysBetween } from './dates';

/** Milestone events that make a milestone active: anything beyond planning (as MilestoneSummary.active). */
const MILESTONE_PROGRESS: ReadonlySet<string> = new Set([
  'milestone.started',
  'milestone.progress-reported',
  'milestone.met',
  'milestone.partially-met',
  'milestone.not-met',
]);

/** Whether a milestone is active after an event of `type`, given whether it was before. */
export function milestoneActiveAfter(wasActive: boolean, type: string): boolean {
  if (type === 'milestone.planned') return false;
  return wasActive || MILESTONE_PROGRESS.has(type);
}

/** What of an event the rule reads (an envelope or a journal entry). */
export interface ActivityEvent {
  type: string;
  occurredAt: string;
  data?: unknown;
}

/**
 * The business time (ISO) at which `event` is activity of its agreement, or null when it is none.
 * `milestoneActive`: for a milestone event, whether its milestone is active after it (see milestoneActiveAfter).
 */
export function activityTime(event: ActivityEvent, milestoneActive = false): string | null {
  const isAgreement = event.type.startsWith('agreement.');
  if (!isAgreement && !(event.type.startsWith('milestone.') && milestoneActive)) return null;
  if (!event.type.endsWith('.corrected')) return businessInstant(event.occurredAt);
  const moved = (event.data as { occurredAt?: unknown } | undefined)?.occurredAt;
  return typeof moved === 'string' ? businessInstant(moved) : null;
}

/** The later of two activity times (ISO), either possibly unknown. */
export function laterActivity(a: string | null | undefined, b: string | null | undefined): string | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return b > a ? b : a;
}

/**
 * The UTC day an idle period is measured from (day 0): idleness counts whole UTC days from it, so activity later
 * on that same day leaves the agreement as idle as it was (and an open agreement.stalled, whose dedup key names
 * this day, stays open).
 */
export function activityDay(lastActivityAt: string): string {
  const time = new Date(lastActivityAt);
  return Number.isNaN(time.getTime()) ? lastActivityAt.slice(0, 10) : calendarDateOf(time);
}

/** Whole UTC days an agreement whose last activity was at `lastActivityAt` has been idle at `now`. */
export function idleDays(lastActivityAt: string, now: Date): number {
  return daysBetween(activityDay(lastActivityAt), calendarDateOf(now));
}

/**
 * Whether an agreement is stalled at `now`: idle for `stalledAfterDays` whole UTC days. Whole days rather than
 * hours: business times are mostly calendar dates, and the stall alert names the day it is measured from.
 * (Whether a finished agreement can stall is the caller's: a completed or ended one does not.)
 */
export function isIdleTooLong(lastActivityAt: string, now: Date, stalledAfterDays: number): boolean {
  return idleDays(lastActivityAt, now) >= stalledAfterDays;
}

/**
 * The latest last activity (ISO) of an agreement stalled at `now`: an agreement is stalled exactly when its last
 * activity is at or before it, for queries on a stored `lastActivityAt` (`$lte`).
 */
export function stalledIfActiveBy(now: Date, stalledAfterDays: number): string {
  return `${addDays(calendarDateOf(now), -stalledAfterDays)}T23:59:59.999Z`;
}
