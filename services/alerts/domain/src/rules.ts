/**
 * Which alerts a milestone's state and the current date give. Pure: no clock, no I/O. The service feeds it the
 * read model of milestone deadlines and today's date (from the platform Clock) and stores what it returns; the
 * dedup key makes raising the same alert twice impossible however often it asks.
 */
import {
  activityDay,
  type AlertEventData,
  AlertSeverities,
  daysBetween,
  idleDays,
  isIdleTooLong,
  type AlertKind,
  type AlertResolution,
  type AlertSeverity,
  type MilestoneEventData,
  type MilestoneStatus,
  type MilestoneType,
} from '@tracker/contracts';

/** What the alerts service knows of one milestone (folded from `milestone.*` events). */
export interface MilestoneDeadline {
  milestoneId: string;
  agreementId: string;
  type: MilestoneType;
  title: string;
  status: MilestoneStatus;
  /** YYYY-MM-DD */
  dueDate: string;
  slipCount: number;
}

export interface AlertPolicy {
  /** Days before the due date at which deadline.approaching is raised, e.g. [30, 7, 1]. */
  approachWindows: readonly number[];
  /** agreement.stalled after this many whole days without activity (the shared rule in libs/contracts). */
  stalledAfterDays: number;
}

export const DEFAULT_ALERT_POLICY: AlertPolicy = { approachWindows: [30, 7, 1], stalledAfterDays: 180 };

/** An alert before the store gives it an id and a time: the `alert.raised` payload without its id. */
export type AlertDraft = Omit<AlertEventData['alert.raised'], 'alertId'>;

/** One alert per (milestone or agreement, kind, due date, window), ever. */
export function dedupKey(subject: string, kind: AlertKind, dueDate: string | null, window: number | null): string {
  return `${subject}|${kind}|${dueDate ?? '-'}|${window ?? '-'}`;
}

export function severityRank(severity: AlertSeverity): number {
  return AlertSeverities.indexOf(severity);
}

export function atLeast(severity: AlertSeverity, minimum: AlertSeverity | undefined): boolean {
  return minimum === undefined || severityRank(severity) >= severityRank(minimum);
}

function bump(severity: AlertSeverity, levels: number): AlertSeverity {
  return AlertSeverities[Math.min(AlertSeverities.length - 1, Math.max(0, severityRank(severity) + levels))];
}

/** The closer the deadline, the more severe: more than 7 days low, 2 to 7 medium, 1 day or less high. */
export function approachSeverity(window: number): AlertSeverity {
  if (window > 7) return 'low';
  if (window > 1) return 'medium';
  return 'high';
}

/** Up to 30 days low, up to 90 medium, up to 180 high, beyond critical; each earlier slip adds a level. */
export function slipSeverity(slipDays: number, slipCount: number): AlertSeverity {
  const base: AlertSeverity = slipDays <= 30 ? 'low' : slipDays <= 90 ? 'medium' : slipDays <= 180 ? 'high' : 'critical';
  return bump(base, Math.max(0, slipCount - 1));
}

/** A missed deadline is high; critical once the milestone had already slipped twice or more. */
export function missedSeverity(slipCount: number): AlertSeverity {
  return slipCount >= 2 ? 'critical' : 'high';
}

const APPROACHING: ReadonlySet<MilestoneStatus> = new Set(['scheduled', 'inProgress']);
const NOT_MISSABLE: ReadonlySet<MilestoneStatus> = new Set(['met', 'partiallyMet', 'cancelled']);

/** Whether the scheduler must still look at this milestone (false once it is met, partially met or cancelled). */
export function isWatched(m: Pick<MilestoneDeadline, 'status'>): boolean {
  return !NOT_MISSABLE.has(m.status);
}

/** The scheduler looks at milestones due up to this many days after today. */
export function lookAheadDays(policy: AlertPolicy): number {
  return Math.max(0, ...policy.approachWindows);
}

/** What every alert about milestone `m` says of it. */
export function base(m: MilestoneDeadline) {
  return {
    agreementId: m.agreementId,
    milestoneId: m.milestoneId,
    milestoneType: m.type,
    milestoneTitle: m.title,
  };
}

/**
 * What the deadline scheduler raises for a milestone today: the tightest approach window the due date is in
 * (only that one: a milestone first seen 5 days before its due date gets the 7-day alert, not the 30-day one
 * too), or deadline.missed once the due date has passed. Nothing for met, partially met or cancelled ones.
 */
export function deadlineAlerts(m: MilestoneDeadline, today: string, policy: AlertPolicy = DEFAULT_ALERT_POLICY): AlertDraft[] {
  const daysLeft = daysBetween(today, m.dueDate);
  if (daysLeft < 0) {
    if (NOT_MISSABLE.has(m.status)) return [];
    return [
      {
        dedupKey: dedupKey(m.milestoneId, 'deadline.missed', m.dueDate, null),
        kind: 'deadline.missed',
        severity: missedSeverity(m.slipCount),
        ...base(m),
        dueDate: m.dueDate,
        window: null,
        facts: { milestoneStatus: m.status, daysOverdue: -daysLeft, slipCount: m.slipCount },
      },
    ];
  }
  if (!APPROACHING.has(m.status)) return [];
  const windows = [...new Set(policy.approachWindows)].filter((w) => w >= 0 && daysLeft <= w).sort((a, b) => a - b);
  const window = windows[0];
  if (window === undefined) return [];
  return [
    {
      dedupKey: dedupKey(m.milestoneId, 'deadline.approaching', m.dueDate, window),
      kind: 'deadline.approaching',
      severity: approachSeverity(window),
      ...base(m),
      dueDate: m.dueDate,
      window,
      facts: { milestoneStatus: m.status, daysLeft },
    },
  ];
}

/** A reschedule to a later date raises milestone.slipped (one per slip: the slip number is the window). */
export function slipAlert(
  m: MilestoneDeadline,
  reschedule: MilestoneEventData['milestone.rescheduled'],
  causedByEventId?: string,
): AlertDraft | null {
  if (reschedule.slipDays <= 0) return null;
  return {
    dedupKey: dedupKey(m.milestoneId, 'milestone.slipped', reschedule.newDueDate, reschedule.slipCount),
    kind: 'milestone.slipped',
    severity: slipSeverity(reschedule.slipDays, reschedule.slipCount),
    ...base(m),
    dueDate: reschedule.newDueDate,
    window: reschedule.slipCount,
    facts: {
      milestoneStatus: m.status,
      previousDueDate: reschedule.previousDueDate,
      slipDays: reschedule.slipDays,
      slipCount: reschedule.slipCount,
      reason: reschedule.reason,
      ...(causedByEventId && { causedByEventId }),
    },
  };
}

/** An open alert, as far as resolution is concerned. */
export interface OpenAlertRef {
  alertId: string;
  kind: AlertKind;
  dueDate: string | null;
}

export interface Resolution {
  /** The milestone.resolved notice, if the milestone reached an outcome. */
  notice: AlertDraft | null;
  /** Open alerts to close, and why. */
  close: Array<{ alertId: string; resolution: AlertResolution }>;
}

/**
 * What a milestone outcome or reschedule closes. Met, partially met or cancelled: a milestone.resolved notice and
 * every open alert of the milestone closes. Rescheduled: the deadline alerts of other due dates close (they are
 * about a date that no longer holds); slip alerts stay until acknowledged or the milestone is resolved.
 */
export function resolution(
  m: MilestoneDeadline,
  change:
    | { kind: 'outcome'; outcome: 'met' | 'partiallyMet' | 'notMet' | 'cancelled'; on?: string; reason?: string; causedByEventId?: string }
    | { kind: 'rescheduled' }
    | { kind: 'dueDateCorrected' },
  open: readonly OpenAlertRef[],
): Resolution {
  if (change.kind === 'rescheduled' || change.kind === 'dueDateCorrected') {
    // Deadline alerts of another due date no longer apply; the scheduler raises those of the new one.
    return {
      notice: null,
      close: open
        .filter((a) => (a.kind === 'deadline.approaching' || a.kind === 'deadline.missed') && a.dueDate !== m.dueDate)
        .map((a) => ({ alertId: a.alertId, resolution: change.kind })),
    };
  }
  // Reached by the due date but recorded late: the miss raised meanwhile was no miss.
  const onTime = (a: OpenAlertRef) =>
    a.kind === 'deadline.missed' &&
    (change.outcome === 'met' || change.outcome === 'partiallyMet') &&
    change.on !== undefined &&
    a.dueDate !== null &&
    change.on <= a.dueDate;
  // Not met needs someone to act: milestone.notMet (high), open until acknowledged. The others are an info notice,
  // which closes itself (the reactor resolves it once raised).
  const kind = change.outcome === 'notMet' ? 'milestone.notMet' : 'milestone.resolved';
  return {
    notice: {
      dedupKey: dedupKey(m.milestoneId, kind, m.dueDate, null),
      kind,
      severity: kind === 'milestone.notMet' ? 'high' : 'info',
      ...base(m),
      dueDate: m.dueDate,
      window: null,
      facts: {
        milestoneStatus: m.status,
        outcome: change.outcome,
        ...(change.on && { outcomeOn: change.on }),
        ...(change.reason && { reason: change.reason }),
        ...(change.causedByEventId && { causedByEventId: change.causedByEventId }),
      },
    },
    close: open
      .filter((a) => a.kind !== 'milestone.resolved' && a.kind !== 'milestone.notMet')
      .map((a) => ({ alertId: a.alertId, resolution: onTime(a) ? ('metOnTime' as const) : change.outcome })),
  };
}

/** What the service knows of an agreement's activity, for agreement.stalled. */
export interface AgreementActivity {
  agreementId: string;
  /** ISO time of its last activity (the shared rule, activityTime in libs/contracts). */
  lastActivityAt: string;
  /** Completed, terminated or expired agreements do not stall. */
  finished: boolean;
}

/**
 * agreement.stalled once an unfinished agreement has been idle for `stalledAfterDays` whole UTC days, as the
 * agreements service's `stalled` status (isIdleTooLong). The dedup key names the day idleness is measured from:
 * one stall per idle period.
 */
export function stallAlert(a: AgreementActivity, today: string, policy: AlertPolicy = DEFAULT_ALERT_POLICY): AlertDraft | null {
  if (a.finished) return null;
  const now = new Date(`${today}T00:00:00.000Z`);
  if (!isIdleTooLong(a.lastActivityAt, now, policy.stalledAfterDays)) return null;
  return {
    dedupKey: dedupKey(a.agreementId, 'agreement.stalled', activityDay(a.lastActivityAt), policy.stalledAfterDays),
    kind: 'agreement.stalled',
    severity: 'medium',
    agreementId: a.agreementId,
    milestoneId: null,
    milestoneType: null,
    milestoneTitle: null,
    dueDate: null,
    window: policy.stalledAfterDays,
    facts: { lastActivityAt: a.lastActivityAt, idleDays: idleDays(a.lastActivityAt, now) },
  };
}

/**
 * What a milestone event changes in its deadline, as a plain patch (so a projection can apply it with one
 * version-guarded `$set`); null for events that change nothing here.
 */
export function deadlinePatch<K extends keyof MilestoneEventData>(type: K, data: MilestoneEventData[K]): Partial<MilestoneDeadline> | null {
  switch (type) {
    case 'milestone.planned': {
      const d = data as MilestoneEventData['milestone.planned'];
      return { milestoneId: d.milestoneId, agreementId: d.agreementId, type: d.type, title: d.title, status: 'scheduled', dueDate: d.dueDate, slipCount: 0 };
    }
    case 'milestone.started':
    case 'milestone.progress-reported':
      return { status: 'inProgress' };
    case 'milestone.rescheduled': {
      const d = data as MilestoneEventData['milestone.rescheduled'];
      return { dueDate: d.newDueDate, slipCount: d.slipCount };
    }
    case 'milestone.met':
      return { status: 'met' };
    case 'milestone.partially-met':
      return { status: 'partiallyMet' };
    case 'milestone.not-met':
      return { status: 'notMet' };
    case 'milestone.cancelled':
      return { status: 'cancelled' };
    case 'milestone.corrected': {
      // A due date entered wrongly, corrected (not a slip): the deadline moves.
      const d = data as MilestoneEventData['milestone.corrected'];
      return d.current && d.changes.dueDate !== undefined ? { dueDate: d.changes.dueDate } : null;
    }
    default:
      return null;
  }
}

/** Folds a milestone event into the deadline it describes (undefined before `milestone.planned`). */
export function evolveDeadline<K extends keyof MilestoneEventData>(
  m: MilestoneDeadline | undefined,
  type: K,
  data: MilestoneEventData[K],
): MilestoneDeadline | undefined {
  const patch = deadlinePatch(type, data);
  if (type === 'milestone.planned') return patch as MilestoneDeadline;
  if (!m) return undefined;
  return patch ? { ...m, ...patch } : m;
}
