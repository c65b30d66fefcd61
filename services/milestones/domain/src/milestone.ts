/**
 * The Milestone aggregate: one concrete step by which an agreement turns into an outcome.
 * Pure: no framework, database or broker here. Refusals are DomainErrors with the reason in users' words.
 */
import {
  DomainError,
  daysBetween,
  isTerminalMilestoneStatus,
  type Decider,
  type EvidenceLink,
  type ExpectedOutcome,
  type MilestoneEvent,
  type MilestoneStatus,
  type MilestoneType,
} from '@tracker/contracts';

export interface Slip {
  previousDueDate: string;
  newDueDate: string;
  slipDays: number;
  reason: string;
  at?: string;
}

export type MilestoneState =
  | { exists: false }
  | {
      exists: true;
      milestoneId: string;
      agreementId: string;
      type: MilestoneType;
      title: string;
      description?: string;
      responsibleParty?: string;
      expectedOutcome?: ExpectedOutcome;
      status: MilestoneStatus;
      /** The original due date, before any reschedule. */
      plannedDueDate: string;
      dueDate: string;
      percent: number;
      lastNote?: string;
      /** Every evidence link recorded, in order: at planning, with progress reports and outcomes. */
      evidence: EvidenceLink[];
      slips: Slip[];
      slipCount: number;
      /** Date the outcome was reached (met or partially met). */
      outcomeOn?: string;
      /** Why it was cancelled or not met. */
      closingReason?: string;
    };

/** What the milestones service knows of the agreement, from its read model of `agreements.events`. */
export interface AgreementFacts {
  agreementId: string;
  status: string;
  terminated: boolean;
}

export type MilestoneCommand =
  | {
      kind: 'plan';
      milestoneId: string;
      /** null when the agreement is unknown to the read model. */
      agreement: AgreementFacts | null;
      agreementId: string;
      type: MilestoneType;
      title: string;
      description?: string;
      responsibleParty?: string;
      expectedOutcome?: ExpectedOutcome;
      dueDate: string;
      evidence?: EvidenceLink[];
    }
  | { kind: 'start'; today: string }
  | { kind: 'reportProgress'; percent: number; note?: string; evidence?: EvidenceLink[] }
  | { kind: 'reschedule'; newDueDate: string; reason: string }
  | { kind: 'markMet'; metOn: string; today: string; evidence: EvidenceLink[]; note?: string }
  | { kind: 'markPartiallyMet'; metOn: string; today: string; evidence: EvidenceLink[]; note: string }
  | { kind: 'markNotMet'; reason: string }
  | { kind: 'cancel'; reason: string };

const statusWords: Record<MilestoneStatus, string> = {
  scheduled: 'scheduled',
  inProgress: 'in progress',
  met: 'met',
  partiallyMet: 'partially met',
  notMet: 'not met',
  cancelled: 'cancelled',
};

function existing(state: MilestoneState) {
  if (!state.exists) throw new DomainError('not-found', 'milestone not found');
  return state;
}

function open(state: MilestoneState, action: string) {
  const s = existing(state);
  if (isTerminalMilestoneStatus(s.status)) {
    throw new DomainError('invalid-transition', `cannot ${action}: the milestone is already ${statusWords[s.status]}`);
  }
  return s;
}

function outcomeDate(metOn: string, today: string) {
  if (metOn > today) throw new DomainError('invalid', `the outcome date ${metOn} is in the future`, 'metOn');
}

function requireEvidence(evidence: EvidenceLink[] | undefined, what: string) {
  if (!evidence || evidence.length === 0) {
    throw new DomainError('invalid-transition', `${what} requires evidence: attach at least one evidence link`);
  }
}

export function decide(command: MilestoneCommand, state: MilestoneState): MilestoneEvent[] {
  if (command.kind === 'plan') {
    if (state.exists) throw new DomainError('conflict', 'milestone already exists');
    if (!command.agreement) {
      throw new DomainError(
        'unprocessable',
        `agreement ${command.agreementId} is unknown: register it in the agreements service first (or wait a moment if it was just registered)`,
        'agreementId',
      );
    }
    if (command.agreement.terminated) {
      throw new DomainError('conflict', `agreement ${command.agreementId} is terminated: no new milestones can be planned`);
    }
    return [
      {
        type: 'milestone.planned',
        schemaVersion: 1,
        data: {
          milestoneId: command.milestoneId,
          agreementId: command.agreementId,
          type: command.type,
          title: command.title,
          ...(command.description !== undefined && { description: command.description }),
          ...(command.responsibleParty !== undefined && { responsibleParty: command.responsibleParty }),
          ...(command.expectedOutcome !== undefined && { expectedOutcome: command.expectedOutcome }),
          dueDate: command.dueDate,
          evidence: command.evidence ?? [],
        },
      },
    ];
  }

  const ids = () => {
    const s = existing(state);
    return { milestoneId: s.milestoneId, agreementId: s.agreementId };
  };

  switch (command.kind) {
    case 'start': {
      const s = open(state, 'start');
      if (s.status !== 'scheduled') throw new DomainError('invalid-transition', 'cannot start: the milestone is already in progress');
      return [{ type: 'milestone.started', schemaVersion: 1, data: { ...ids(), startedOn: command.today } }];
    }
    case 'reportProgress': {
      open(state, 'report progress');
      return [
        {
          type: 'milestone.progress-reported',
          schemaVersion: 1,
          data: {
            ...ids(),
            percent: command.percent,
            ...(command.note !== undefined && { note: command.note }),
            evidence: command.evidence ?? [],
          },
        },
      ];
    }
    case 'reschedule': {
      const s = open(state, 'reschedule');
      if (command.newDueDate === s.dueDate) {
        throw new DomainError('invalid', `the milestone is already due on ${s.dueDate}`, 'newDueDate');
      }
      const slipDays = daysBetween(s.dueDate, command.newDueDate);
      return [
        {
          type: 'milestone.rescheduled',
          schemaVersion: 1,
          data: {
            ...ids(),
            previousDueDate: s.dueDate,
            newDueDate: command.newDueDate,
            slipDays,
            reason: command.reason,
            slipCount: s.slipCount + (slipDays > 0 ? 1 : 0),
          },
        },
      ];
    }
    case 'markMet': {
      open(state, 'mark as met');
      requireEvidence(command.evidence, 'marking a milestone met');
      outcomeDate(command.metOn, command.today);
      return [
        {
          type: 'milestone.met',
          schemaVersion: 1,
          data: { ...ids(), metOn: command.metOn, evidence: command.evidence, ...(command.note !== undefined && { note: command.note }) },
        },
      ];
    }
    case 'markPartiallyMet': {
      open(state, 'mark as partially met');
      requireEvidence(command.evidence, 'marking a milestone partially met');
      outcomeDate(command.metOn, command.today);
      return [
        {
          type: 'milestone.partially-met',
          schemaVersion: 1,
          data: { ...ids(), metOn: command.metOn, evidence: command.evidence, note: command.note },
        },
      ];
    }
    case 'markNotMet':
      open(state, 'mark as not met');
      return [{ type: 'milestone.not-met', schemaVersion: 1, data: { ...ids(), reason: command.reason } }];
    case 'cancel':
      open(state, 'cancel');
      return [{ type: 'milestone.cancelled', schemaVersion: 1, data: { ...ids(), reason: command.reason } }];
  }
}

export function evolve(state: MilestoneState, event: MilestoneEvent & { recordedAt?: string }): MilestoneState {
  if (event.type === 'milestone.planned') {
    const d = event.data;
    return {
      exists: true,
      milestoneId: d.milestoneId,
      agreementId: d.agreementId,
      type: d.type,
      title: d.title,
      ...(d.description !== undefined && { description: d.description }),
      ...(d.responsibleParty !== undefined && { responsibleParty: d.responsibleParty }),
      ...(d.expectedOutcome !== undefined && { expectedOutcome: d.expectedOutcome }),
      status: 'scheduled',
      plannedDueDate: d.dueDate,
      dueDate: d.dueDate,
      percent: 0,
      evidence: d.evidence,
      slips: [],
      slipCount: 0,
    };
  }
  if (!state.exists) return state;
  switch (event.type) {
    case 'milestone.started':
      return { ...state, status: 'inProgress' };
    case 'milestone.progress-reported':
      return {
        ...state,
        status: 'inProgress',
        percent: event.data.percent,
        ...(event.data.note !== undefined && { lastNote: event.data.note }),
        evidence: [...state.evidence, ...event.data.evidence],
      };
    case 'milestone.rescheduled': {
      const d = event.data;
      const slip: Slip = { previousDueDate: d.previousDueDate, newDueDate: d.newDueDate, slipDays: d.slipDays, reason: d.reason, ...(event.recordedAt && { at: event.recordedAt }) };
      return { ...state, dueDate: d.newDueDate, slips: [...state.slips, slip], slipCount: d.slipCount };
    }
    case 'milestone.met':
      return { ...state, status: 'met', percent: 100, outcomeOn: event.data.metOn, evidence: [...state.evidence, ...event.data.evidence] };
    case 'milestone.partially-met':
      return {
        ...state,
        status: 'partiallyMet',
        outcomeOn: event.data.metOn,
        lastNote: event.data.note,
        evidence: [...state.evidence, ...event.data.evidence],
      };
    case 'milestone.not-met':
      return { ...state, status: 'notMet', closingReason: event.data.reason };
    case 'milestone.cancelled':
      return { ...state, status: 'cancelled', closingReason: event.data.reason };
  }
}

export const milestoneDecider: Decider<MilestoneState, MilestoneCommand, MilestoneEvent> = {
  initialState: () => ({ exists: false }),
  decide,
  evolve,
};
