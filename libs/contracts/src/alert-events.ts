/** Events of the Alert aggregate, published on `alerts.events`, keyed by agreement id (all schema version 1). */
import type { EventEnvelope } from './envelope';
import type { MilestoneStatus, MilestoneType } from './milestone-events';

/**
 * deadline.approaching: an open milestone is due within an approach window (default 30, 7, 1 days);
 * deadline.missed: the due date passed and the milestone is not met, partially met or cancelled;
 * milestone.slipped: rescheduled to a later date; agreement.stalled: no milestone progress for a while;
 * milestone.resolved: a notice that a milestone was met, partially met or cancelled (its open alerts close);
 * milestone.atRisk: its progress reports project completion after the due date (the forecast);
 * milestone.notMet: it was marked not met (its other open alerts close; this one stays open until acknowledged).
 */
export const AlertKinds = [
  'deadline.approaching',
  'deadline.missed',
  'milestone.slipped',
  'agreement.stalled',
  'milestone.resolved',
  'milestone.atRisk',
  'milestone.notMet',
] as const;
export type AlertKind = (typeof AlertKinds)[number];

/** Ascending: `minSeverity=high` means high and critical. */
export const AlertSeverities = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type AlertSeverity = (typeof AlertSeverities)[number];

export const AlertStatuses = ['open', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof AlertStatuses)[number];

/**
 * Why an alert was closed. metOnTime: a missed deadline whose outcome, recorded late, was reached by the due date
 * (so not missed after all); dueDateCorrected: the due date was entered wrongly and corrected; forecastOnTime: the
 * forecast came back inside the due date; agreementTerminated / agreementExpired: the agreement ended, its
 * milestone alerts with it; activityResumed: a stalled agreement's milestones moved again.
 */
export const AlertResolutions = [
  'met',
  'partiallyMet',
  'notMet',
  'cancelled',
  'rescheduled',
  'metOnTime',
  'dueDateCorrected',
  'forecastOnTime',
  'agreementTerminated',
  'agreementExpired',
  'activityResumed',
] as const;
export type AlertResolution = (typeof AlertResolutions)[number];

/** Why an open alert is held back (Alertmanager's inhibition): raised nothing new, delivered nothing, kept. */
export const AlertInhibitions = ['agreementSuspended'] as const;
export type AlertInhibition = (typeof AlertInhibitions)[number];

/**
 * Where one recipient (a subscription owner) stands on an alert; absent: not acted on yet. Acknowledged: seen,
 * someone is on it (no reminders); snoozed: out of the inbox and reminders until `until`; done: dealt with, for
 * good. Each recipient's own: one stakeholder's acknowledgement is not another's.
 */
export const RecipientStates = ['acknowledged', 'snoozed', 'done'] as const;
export type RecipientState = (typeof RecipientStates)[number];

/** The facts that raised an alert, as they were at that moment. */
export interface AlertFacts {
  /** The milestone's status when the alert was raised. */
  milestoneStatus?: MilestoneStatus;
  /** deadline.approaching: days left until the due date (0 = due today). */
  daysLeft?: number;
  /** deadline.missed: days past the due date. */
  daysOverdue?: number;
  /** milestone.slipped */
  previousDueDate?: string;
  slipDays?: number;
  slipCount?: number;
  reason?: string;
  /** milestone.resolved: the outcome and its date. */
  outcome?: AlertResolution;
  outcomeOn?: string;
  /** agreement.stalled: the last milestone activity and the idle days since. */
  lastActivityAt?: string;
  idleDays?: number;
  /** milestone.atRisk: the forecast (projected completion, its band, the pace and the reports it used). */
  projectedOn?: string | null;
  projectedEarliest?: string | null;
  projectedLatest?: string | null;
  velocityPerDay?: number | null;
  reportsUsed?: Array<{ on: string; percent: number }>;
  /** The event that raised the alert, when an event did (not the scheduler). */
  causedByEventId?: string;
}

export interface AlertEventData {
  'alert.raised': {
    alertId: string;
    /** `<milestone or agreement id>|<kind>|<due date or ->|<window or ->`: one alert per key, ever. */
    dedupKey: string;
    kind: AlertKind;
    severity: AlertSeverity;
    agreementId: string;
    /** Null for agreement-level alerts (agreement.stalled). */
    milestoneId: string | null;
    milestoneType: MilestoneType | null;
    milestoneTitle: string | null;
    /** The due date the alert is about (YYYY-MM-DD), null for agreement-level alerts. */
    dueDate: string | null;
    /**
     * Approach window in days (deadline.approaching), slip number (milestone.slipped), idle days (stalled),
     * projected days late (milestone.atRisk), else null.
     */
    window: number | null;
    facts: AlertFacts;
  };
  /** `by` (a subscription owner, the actor id) acknowledged the alert, for itself. */
  'alert.acknowledged': { alertId: string; agreementId: string; by: string; note?: string };
  /** `by` put the alert out of its inbox and reminders until `until` (ISO time). */
  'alert.snoozed': { alertId: string; agreementId: string; by: string; until: string; note?: string };
  /** `by` dealt with the alert: out of its inbox and reminders for good. */
  'alert.markedDone': { alertId: string; agreementId: string; by: string; note?: string };
  /** The alert is held back while the cause lasts (its agreement suspended): kept open, not delivered. */
  'alert.inhibited': { alertId: string; agreementId: string; reason: AlertInhibition; causedByEventId?: string };
  /** The cause of the inhibition went away (the agreement resumed) and the alert still holds: it is back. */
  'alert.released': { alertId: string; agreementId: string; causedByEventId?: string };
  'alert.resolved': {
    alertId: string;
    agreementId: string;
    resolution: AlertResolution;
    /** The milestone event that closed the alert. */
    causedByEventId?: string;
  };
}
export type AlertEventType = keyof AlertEventData;
export const AlertEventTypes = Object.keys({
  'alert.raised': 1,
  'alert.acknowledged': 1,
  'alert.snoozed': 1,
  'alert.markedDone': 1,
  'alert.inhibited': 1,
  'alert.released': 1,
  'alert.resolved': 1,
} satisfies Record<AlertEventType, 1>) as AlertEventType[];

export type AlertEvent = {
  [K in AlertEventType]: { type: K; schemaVersion: 1; data: AlertEventData[K]; occurredAt?: string };
}[AlertEventType];
export type AlertEventEnvelope = {
  [K in AlertEventType]: EventEnvelope<K, AlertEventData[K]>;
}[AlertEventType];

export function alertStreamId(alertId: string): string {
  return `alert-${alertId}`;
}

/** Delivery channels of a subscription: the inbox (GET /alerts) or a signed webhook. */
export const AlertChannels = ['inbox', 'webhook'] as const;
export type AlertChannel = (typeof AlertChannels)[number];
