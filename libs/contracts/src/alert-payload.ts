/**
 * An alert as a person reads it, wherever the alerts service sends it (webhooks, the live stream, the digest), and
 * the details every inbox item carries: the contract for receivers and for the dashboard. Its JSON Schema is the
 * alerts service's ALERT_PAYLOAD_SCHEMA (services/alerts/src/alerts/payload.ts).
 */
import type { AlertFacts, AlertKind, AlertResolution, AlertSeverity, AlertStatus } from './alert-events';
import type { MilestoneStatus, MilestoneType } from './milestone-events';

export const AgreementLifecycles = ['active', 'suspended', 'terminated', 'expired'] as const;
export type AgreementLifecycle = (typeof AgreementLifecycles)[number];

export interface PayloadParty {
  /** ISO 3166-1 alpha-2. */
  country: string;
  /** Absent where the agreement's record has none (recorded before names were kept). */
  name?: string;
}

export interface PayloadAgreement {
  id: string;
  /** Null while the agreement's registration has not reached this service yet. */
  reference: string | null;
  title: string | null;
  parties: PayloadParty[];
  lifecycle: AgreementLifecycle | null;
}

export interface PayloadMilestone {
  id: string;
  title: string | null;
  type: MilestoneType | null;
  /** The milestone's due date now (the alert's `dueDate` is the one it was raised about). */
  dueDate: string | null;
  /** Now, not when the alert was raised (that is `facts.milestoneStatus`); null while not known here. */
  status: MilestoneStatus | null;
  slipCount: number | null;
}

export interface PayloadLinks {
  alert: string;
  agreement: string;
  milestone: string | null;
}

export interface AlertPayload {
  id: string;
  kind: AlertKind;
  severity: AlertSeverity;
  status: AlertStatus;
  /** The alert in words. */
  reason: string;
  raisedAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  resolution: AlertResolution | null;
  /** The due date the alert is about. */
  dueDate: string | null;
  /** Days, where the alert's window is days: approaching (the window), stalled (idle days), atRisk (days late). */
  windowDays: number | null;
  /** milestone.slipped: the how-manieth slip. */
  slipNumber: number | null;
  /** As raised. */
  facts: AlertFacts;
  agreement: PayloadAgreement;
  /** Null for agreement-level alerts (agreement.stalled). */
  milestone: PayloadMilestone | null;
  links: PayloadLinks;
}

/** What a payload adds to an alert's stored fields: enough to act on it without another lookup. */
export type AlertDetails = Pick<AlertPayload, 'reason' | 'windowDays' | 'slipNumber' | 'agreement' | 'milestone' | 'links'>;

