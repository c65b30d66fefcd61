/** Events of the Milestone aggregate, published on `milestones.events`, keyed by agreement id. */
import type { EventEnvelope } from './envelope';

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

export interface ExpectedOutcome {
  description: string;
  quantity?: { amount: number; unit: string; currency?: string };
}
export interface EvidenceLink {
  url: string;
  title?: string;
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
  };
  'milestone.started': { milestoneId: string; agreementId: string; startedOn: string };
  'milestone.progress-reported': {
    milestoneId: string;
    agreementId: string;
    percent: number;
    note?: string;
    evidence: EvidenceLink[];
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
  };
  'milestone.met': { milestoneId: string; agreementId: string; metOn: string; evidence: EvidenceLink[]; note?: string };
  'milestone.partially-met': {
    milestoneId: string;
    agreementId: string;
    metOn: string;
    evidence: EvidenceLink[];
    note: string;
  };
  'milestone.not-met': { milestoneId: string; agreementId: string; reason: string };
  'milestone.cancelled': { milestoneId: string; agreementId: string; reason: string };
}
export type MilestoneEventType = keyof MilestoneEventData;
export const MilestoneEventTypes = Object.keys({
  'milestone.planned': 1,
  'milestone.started': 1,
  'milestone.progress-reported': 1,
  'milestone.rescheduled': 1,
  'milestone.met': 1,
  'milestone.partially-met': 1,
  'milestone.not-met': 1,
  'milestone.cancelled': 1,
} satisfies Record<MilestoneEventType, 1>) as MilestoneEventType[];

export type MilestoneEvent = {
  [K in MilestoneEventType]: { type: K; schemaVersion: 1; data: MilestoneEventData[K]; occurredAt?: string };
}[MilestoneEventType];
export type MilestoneEventEnvelope = {
  [K in MilestoneEventType]: EventEnvelope<K, MilestoneEventData[K]>;
}[MilestoneEventType];

export function milestoneStreamId(milestoneId: string): string {
  return `milestone-${milestoneId}`;
}
