/** What the services answer, as far as the dashboard reads it (their OpenAPI documents are the reference). */
import type {
  AgreementDetails,
  Forecast as ContractForecast,
  AlertDetails,
  AlertKind,
  AlertSeverity,
  AlertStatus,
  DatePrecision,
  EvidenceLink,
  ImplementationStatus,
  MilestoneCounts,
  MilestoneStatus,
  MilestoneType,
  SilenceView,
} from '@tracker/contracts';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** GET /agreements/{id}: the agreement's details (as registered and amended) and what the service derives. */
export interface Agreement extends AgreementDetails {
  id: string;
  version: number;
  status: string;
  lifecycle: string;
  implementationStatus: ImplementationStatus;
  milestones: MilestoneCounts;
  registeredAt: string;
  lastActivityAt: string;
}

export interface Slip {
  previousDueDate: string;
  newDueDate: string;
  slipDays: number;
  reason: string;
  decidedOn?: string;
}

export interface Milestone {
  id: string;
  version: number;
  agreementId: string;
  type: MilestoneType;
  title: string;
  description?: string;
  responsibleParty?: string;
  status: MilestoneStatus;
  plannedDueDate: string;
  dueDate: string;
  percent: number;
  evidence: EvidenceLink[];
  slips: Slip[];
  slipCount: number;
  overdue: boolean;
  repeatedlySlipped: boolean;
  plannedAt: string;
  updatedAt: string;
}

export interface TimelineStep {
  occurredAt: string;
  recordedAt: string;
  recordedLateDays: number;
  source: 'agreement' | 'milestone';
  type: string;
  milestoneId: string | null;
  milestoneTitle: string | null;
  eventId: string;
  actor: { id: string; role: string };
  data: Record<string, unknown>;
  corrections: {
    eventId: string;
    recordedAt: string;
    data: { changes?: Record<string, unknown>; reason?: string };
  }[];
  agreementStatus: string;
}

export interface Timeline {
  agreementId: string;
  reference?: string;
  title?: string;
  signedOn?: string | null;
  datePrecision?: DatePrecision | null;
  currentStatus: string;
  steps: TimelineStep[];
}

/** An alert, with the details the alerts service adds so a person can act without another lookup (optional: older answers lack them). */
export interface Alert extends Partial<AlertDetails> {
  id: string;
  kind: AlertKind;
  severity: AlertSeverity;
  status: AlertStatus;
  agreementId: string;
  milestoneId: string | null;
  milestoneTitle: string | null;
  milestoneType: MilestoneType | null;
  dueDate: string | null;
  window: number | null;
  facts: Record<string, unknown>;
  /** Business time: when its cause happened. */
  raisedAt: string;
  /** System time: when the tracker recorded it (the inbox is newest recorded first). */
  recordedAt?: string;
  acknowledgedAt?: string | null;
  acknowledgedBy?: string | null;
  resolvedAt?: string | null;
  resolution?: string | null;
  version?: number;
  /** Stakeholders: where they stand on it (each recipient's own). */
  mine?: { state: MineState; at?: string; note?: string; until?: string };
  /** Stakeholders: the silence of theirs that holds it back (recorded, not delivered). */
  silenced?: { id: string; until: string; comment: string };
  /** Monitors, auditors: every recipient's acknowledgement, with its note. */
  acknowledgements?: { by: string; at: string; note?: string }[];
  /** Held back while its agreement is suspended. */
  inhibited?: string;
}

/** Where a stakeholder stands on an alert: `open` until it acts (or its snooze runs out). */
export const MineStates = ['open', 'acknowledged', 'snoozed', 'done'] as const;
export type MineState = (typeof MineStates)[number];

/** A message of a subscription's live stream (`alert.raised`): the alert with its details, no stand of anyone. */
export type LiveAlert = Pick<
  Alert,
  'id' | 'kind' | 'severity' | 'status' | 'raisedAt' | 'dueDate' | 'facts'
> &
  Required<Pick<Alert, 'reason' | 'agreement' | 'milestone'>>;

/** GET /silences: a stakeholder's silence of a subscription or of an agreement in all its subscriptions. */
export type Silence = SilenceView;

export interface SubscriptionFilters {
  agreementIds?: string[];
  partyCountries?: string[];
  commodities?: string[];
  milestoneTypes?: MilestoneType[];
  kinds?: AlertKind[];
  minSeverity?: AlertSeverity;
}

export interface Subscription {
  id: string;
  name?: string;
  owner?: string;
  filters: SubscriptionFilters;
  channel: { type: 'inbox' | 'webhook'; url?: string };
  createdAt?: string;
}

export interface HistoryEntry {
  eventId: string;
  type: string;
  occurredAt: string;
  recordedAt: string;
  source?: string;
  actor?: { id: string; role: string };
  data: Record<string, unknown>;
  [key: string]: unknown;
}

export interface Verification {
  service: string;
  streamsChecked: number;
  eventsChecked: number;
  /** The first broken event of each broken stream. */
  broken: { streamId: string; streamVersion: number; eventId: string; reason: string }[];
  ok: boolean;
  tookMs: number;
}

export interface Me {
  service: string;
  name: string;
  roles: string[];
}

/**
 * GET /forecasts/{milestoneId} (alerts service): when the milestone would be complete at the pace of its progress
 * reports, the band around that date, and whether that puts it at risk.
 */
export type Forecast = ContractForecast & { milestoneId: string; milestoneVersion: number };
