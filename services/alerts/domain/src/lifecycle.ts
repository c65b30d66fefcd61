/**
 * What an agreement's lifecycle does to its alerts. Pure: the service feeds it the agreement's lifecycle as the
 * `agreement_info` read model shows it now (after the event) and the agreement's open alerts, and carries out
 * what it returns. Decided on the state, not on the event type, so a redelivered or late event decides the same
 * as the latest one did (nothing to do), and a newly raised alert is settled by the same rule.
 *
 * - suspended: every open alert is held back (inhibited, kept open), and nothing new is raised, except the
 *   `milestone.resolved` notice (news of an outcome, closed at once: nothing to hold back).
 * - active again (resumed): each inhibited alert that still holds comes back (released). A deadline alert whose
 *   milestone reached an outcome, or moved to another due date, meanwhile was closed by the resolution rules
 *   when that happened (they run while suspended too); should one be found open, it is closed as they would
 *   have closed it. A deadline.approaching whose window passed while suspended (a tighter window reached, or the
 *   due date passed) comes back too: the rules keep an approach alert open until an outcome or a new due date,
 *   and the next scan raises the alert for where the deadline stands now (the tighter window, or the miss),
 *   which supersedes it in the inbox, as it would have without the suspension.
 * - terminated or expired: every open alert closes with that reason (agreement.stalled too), and nothing more
 *   is raised for the agreement.
 * - activity of the agreement (the shared rule, activityTime in libs/contracts: its own events, those of its
 *   active milestones) on a day after the one a stall was measured from: the open agreement.stalled closes
 *   (activityResumed), whatever the lifecycle. Activity later on that same day leaves it open: the agreement is as
 *   idle as it was, and a stall closed then could not be raised again (its dedup key names the day).
 */
import { activityDay, type AlertKind, type AlertResolution, type LifecycleStatus, type MilestoneStatus } from '@tracker/contracts';

/** An open (or acknowledged) alert of the agreement, as the lifecycle rules see it. */
export interface LifecycleAlert {
  alertId: string;
  kind: AlertKind;
  dueDate: string | null;
  /** Held back while the agreement is suspended. */
  inhibited: boolean;
  /** agreement.stalled: the last activity it was raised on (ISO time). */
  lastActivityAt?: string;
  /** Deadline alerts: the milestone as the service knows it now (absent: not looked up or unknown). */
  milestone?: { status: MilestoneStatus; dueDate: string } | null;
}

/**
 * What happened to the agreement: its lifecycle as it stands now, or its last activity as it stands now (`at`:
 * business time, ISO).
 */
export type AgreementChange = { kind: 'lifecycle'; lifecycle: LifecycleStatus } | { kind: 'activity'; at: string };

export interface LifecycleDecision {
  inhibit: string[];
  release: string[];
  close: Array<{ alertId: string; resolution: AlertResolution }>;
}

/** A decision that changes nothing (a fresh one each time: callers may add to it). */
export function noChange(): LifecycleDecision {
  return { inhibit: [], release: [], close: [] };
}

export function changesNothing(d: LifecycleDecision): boolean {
  return d.inhibit.length === 0 && d.release.length === 0 && d.close.length === 0;
}

const ENDED: Readonly<Partial<Record<LifecycleStatus, AlertResolution>>> = { terminated: 'agreementTerminated', expired: 'agreementExpired' };

/**
 * The outcomes that close a milestone's deadline alerts for good (as `resolution` in rules.ts closes them). Not
 * met closes only the approach alerts: the scan still raises deadline.missed for a milestone marked not met.
 */
const OUTCOME: Readonly<Partial<Record<MilestoneStatus, AlertResolution>>> = { met: 'met', partiallyMet: 'partiallyMet', cancelled: 'cancelled' };

const isDeadline = (kind: AlertKind) => kind === 'deadline.approaching' || kind === 'deadline.missed';

/** Whether an alert of `kind` may be raised for an agreement in `lifecycle` (unknown agreement: yes). */
export function mayRaise(lifecycle: LifecycleStatus | undefined, kind: AlertKind): boolean {
  if (lifecycle === undefined || lifecycle === 'active') return true;
  if (lifecycle === 'suspended') return kind === 'milestone.resolved';
  return false;
}

/** Why an inhibited alert should not come back on resumption (the resolution rules would have closed it), if so. */
function noLongerHolds(a: LifecycleAlert): AlertResolution | null {
  if (!isDeadline(a.kind) || !a.milestone) return null;
  const outcome = OUTCOME[a.milestone.status] ?? (a.kind === 'deadline.approaching' && a.milestone.status === 'notMet' ? 'notMet' : undefined);
  if (outcome) return outcome;
  if (a.dueDate !== null && a.dueDate !== a.milestone.dueDate) return 'rescheduled';
  return null;
}

/** Which of the agreement's open alerts to inhibit, release or close after `change`, and why. */
export function lifecycleDecision(change: AgreementChange, open: readonly LifecycleAlert[]): LifecycleDecision {
  if (change.kind === 'activity') {
    // Activity on a later day than the one the stall was measured from ends it; activity entered late, dated
    // before or on that day, does not.
    const over = (a: LifecycleAlert) => a.kind === 'agreement.stalled' && (a.lastActivityAt === undefined || activityDay(change.at) > activityDay(a.lastActivityAt));
    return { ...noChange(), close: open.filter(over).map((a) => ({ alertId: a.alertId, resolution: 'activityResumed' as const })) };
  }
  const ended = ENDED[change.lifecycle];
  if (ended) return { ...noChange(), close: open.map((a) => ({ alertId: a.alertId, resolution: ended })) };
  if (change.lifecycle === 'suspended') return { ...noChange(), inhibit: open.filter((a) => !a.inhibited).map((a) => a.alertId) };
  // Active: what was held back comes back, unless it no longer holds.
  const decision = noChange();
  for (const a of open) {
    if (!a.inhibited) continue;
    const resolution = noLongerHolds(a);
    if (resolution) decision.close.push({ alertId: a.alertId, resolution });
    else decision.release.push(a.alertId);
  }
  return decision;
}
