/** Events of the Milestone aggregate, published on `milestones.events`, keyed by agreement id. */
import type { CorrectionData } from './agreement-events';
import type { EventEnvelope } from './envelope';
import type { ArchivedCopy, EvidenceKind } from './evidence';

export const MilestoneTypes = [
  'joint_venture',
  'geological_survey',
  'processing_plant',
  'refinery',
  'workforce_training',
  'financing',
  'rd_programme',
  'information_sharing',
  'offtake_agreement',
  'regulatory_step',
  'other',
] as const;
export type MilestoneType = (typeof MilestoneTypes)[number];

/** The Open Contracting Data Standard's milestone status codes, extended with inProgress and cancelled. */
export const MilestoneStatuses = ['scheduled', 'inProgress', 'met', 'partiallyMet', 'notMet', 'cancelled'] as const;
export type MilestoneStatus = (typeof MilestoneStatuses)[number];
export const OpenMilestoneStatuses: readonly MilestoneStatus[] = ['scheduled', 'inProgress'];

/** An amount of something: tonnes a year, people trained, or money (with its ISO 4217 currency). */
export interface Quantity {
  amount: number;
  unit: string;
  currency?: string;
}
export interface ExpectedOutcome {
  description: string;
  quantity?: Quantity;
}
export interface EvidenceLink {
  url: string;
  title?: string;
  /** Who published it; `other` when not said (older events). */
  kind?: EvidenceKind;
  /** As precise as known: YYYY, YYYY-MM or YYYY-MM-DD. */
  published?: string;
  archived?: ArchivedCopy;
}

export interface MilestoneEventData {
  'milestone.planned': {
    milestoneId: string;
    agreementId: string;
    type: MilestoneType;
    title: string;
    description?: string;
    responsibleParty?: string;
    expectedOutcome?: ExpectedOutcome;
    /** Calendar date YYYY-MM-DD, in the agreement's context, stored as a UTC date. */
    dueDate: string;
    evidence: EvidenceLink[];
    /** The agreement's targets (their ids) this milestone's outcome counts towards. */
    contributesTo?: string[];
  };
  'milestone.started': { milestoneId: string; agreementId: string; startedOn: string };
  /** v2: `reportedOn`, the date the report describes (v1 events read it from their occurredAt). */
  'milestone.progress-reported': {
    milestoneId: string;
    agreementId: string;
    percent: number;
    note?: string;
    evidence: EvidenceLink[];
    reportedOn: string;
  };
  'milestone.rescheduled': {
    milestoneId: string;
    agreementId: string;
    previousDueDate: string;
    newDueDate: string;
    /** Positive: later (a slip); negative: earlier. */
    slipDays: number;
    reason: string;
    /** How many times the milestone has slipped later, this one included. */
    slipCount: number;
    /** v2: the date the decision to reschedule was taken (v1 events read it from their occurredAt). */
    decidedOn: string;
  };
  /** `achieved`: the quantity the outcome reached; `contributesTo`, when given, replaces the planned targets. */
  'milestone.met': {
    milestoneId: string;
    agreementId: string;
    metOn: string;
    evidence: EvidenceLink[];
    note?: string;
    achieved?: Quantity;
    contributesTo?: string[];
  };
  'milestone.partially-met': {
    milestoneId: string;
    agreementId: string;
    metOn: string;
    evidence: EvidenceLink[];
    note: string;
    achieved?: Quantity;
    contributesTo?: string[];
  };
  /** v2: `on`, the date it was found not met (v1: from occurredAt). */
  'milestone.not-met': { milestoneId: string; agreementId: string; reason: string; on: string };
  /** v2: `on`, the date it was cancelled (v1: from occurredAt). */
  'milestone.cancelled': { milestoneId: string; agreementId: string; reason: string; on: string };
  /** A fact entered wrongly, corrected (see CorrectionData); `current`: the corrected value is the one in force. */
  'milestone.corrected': CorrectionData<MilestoneCorrectableType, MilestoneCorrection> & {
    milestoneId: string;
    agreementId: string;
    current: boolean;
  };
}

/** Milestone events whose facts can be corrected, and what of them (named as in their data). */
export type MilestoneCorrectableType =
  | 'milestone.planned'
  | 'milestone.started'
  | 'milestone.progress-reported'
  | 'milestone.rescheduled'
  | 'milestone.met'
  | 'milestone.partially-met'
  | 'milestone.not-met'
  | 'milestone.cancelled';
export interface MilestoneCorrection {
  /** planned: the due date entered; rescheduled: the new due date (as `dueDate`). Not a slip. */
  dueDate?: string;
  startedOn?: string;
  percent?: number;
  reportedOn?: string;
  decidedOn?: string;
  metOn?: string;
  on?: string;
  /** met, partially met: the quantity achieved. */
  achieved?: Quantity;
}
export type MilestoneEventType = keyof MilestoneEventData;

/** The schema version each milestone event type is written with now. */
export const MilestoneSchemaVersions = {
  'milestone.planned': 1,
  'milestone.started': 1,
  'milestone.progress-reported': 2,
  'milestone.rescheduled': 2,
  'milestone.met': 1,
  'milestone.partially-met': 1,
  'milestone.not-met': 2,
  'milestone.cancelled': 2,
  'milestone.corrected': 1,
} as const satisfies Record<MilestoneEventType, number>;

/** Every milestone event type (the keys of the versions above: one list to extend). */
export const MilestoneEventTypes = Object.keys(MilestoneSchemaVersions) as MilestoneEventType[];

export type MilestoneEvent = {
  [K in MilestoneEventType]: { type: K; schemaVersion: (typeof MilestoneSchemaVersions)[K]; data: MilestoneEventData[K]; occurredAt?: string };
}[MilestoneEventType];
export type MilestoneEventEnvelope = {
  [K in MilestoneEventType]: EventEnvelope<K, MilestoneEventData[K]>;
}[MilestoneEventType];

/**
 * A progress report as a fold keeps it to tell which one is in force: the latest by the date it describes, not
 * the last recorded (a report back-filled for an earlier date does not replace a later one's percent).
 * `eventId`: for a correction to name it (unset when folded from decided events not yet stored).
 */
export interface MilestoneProgressReport {
  eventId?: string;
  reportedOn: string;
  percent: number;
  note?: string;
}

/**
 * The report in force: the latest by reportedOn; at equal dates the one folded last (reports are kept in the
 * order folded: the later recorded, in a live fold).
 */
export function latestProgressReport<R extends Pick<MilestoneProgressReport, 'reportedOn'>>(reports: readonly R[]): R | undefined {
  return reports.reduce<R | undefined>((latest, r) => (!latest || r.reportedOn >= latest.reportedOn ? r : latest), undefined);
}

/** The percent the reports put a milestone at: the report in force's; `percent` (as it was) once met or before any report. */
export function percentInForce(status: MilestoneStatus, percent: number, reports: readonly Pick<MilestoneProgressReport, 'reportedOn' | 'percent'>[]): number {
  const inForce = latestProgressReport(reports);
  return status === 'met' || !inForce ? percent : inForce.percent;
}

/** The reports with the correction of report `eventId` applied; undefined when they do not hold that report. */
export function withCorrectedProgressReport(
  reports: readonly MilestoneProgressReport[] | undefined,
  eventId: string,
  changes: Pick<MilestoneCorrection, 'percent' | 'reportedOn'>,
): MilestoneProgressReport[] | undefined {
  if (!reports?.some((r) => r.eventId === eventId)) return undefined;
  return reports.map((r) =>
    r.eventId === eventId
      ? { ...r, ...(changes.percent !== undefined && { percent: changes.percent }), ...(changes.reportedOn !== undefined && { reportedOn: changes.reportedOn }) }
      : r,
  );
}

export function milestoneStreamId(milestoneId: string): string {
  return `milestone-${milestoneId}`;
}
