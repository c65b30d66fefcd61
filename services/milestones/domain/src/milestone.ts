/**
 * The Milestone aggregate: one concrete step by which an agreement turns into an outcome.
 * Every command states when its fact happened (business time, ADR 0008), checked against the recording clock and
 * the agreement's signing; facts entered wrongly are corrected by `milestone.corrected` events.
 * Pure: no framework, database or broker here. Refusals are DomainErrors with the reason in users' words.
 */
import {
  checkedBusinessTime,
  DomainError,
  MilestoneSchemaVersions as V,
  type DatePrecision,
  type MilestoneCorrectableType,
  type MilestoneCorrection,
  daysBetween,
  isTerminalMilestoneStatus,
  type Decider,
  type EvidenceLink,
  type ExpectedOutcome,
  type MilestoneEvent,
  type MilestoneStatus,
  type MilestoneType,
  type Quantity,
  claimEvidenceAfter,
  latestProgressReport,
  percentInForce,
  withCorrectedProgressReport,
  type MilestoneProgressReport as ProgressReport,
} from '@tracker/contracts';

export interface Slip {
  previousDueDate: string;
  newDueDate: string;
  slipDays: number;
  reason: string;
  /** When it was recorded, and when the decision was taken. */
  at?: string;
  decidedOn?: string;
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
      /** The percent of the report in force (the latest by reportedOn); 100 once met. */
      percent: number;
      /** The date that report describes; unset before any report (and in views written before it was kept). */
      percentOn?: string;
      /** The note of the latest report by date that has one, or a partial outcome's. */
      lastNote?: string;
      /** Every progress report, in the order folded (record order for the live state), corrections applied. */
      progressReports?: ProgressReport[];
      /** Every evidence link recorded, in order: at planning, with progress reports and outcomes. */
      evidence: EvidenceLink[];
      /** The evidence that backs the current status (see claimEvidenceAfter); unset in views written before it. */
      claimEvidence?: EvidenceLink[];
      /** Ids of the agreement's targets the outcome counts towards. */
      contributesTo?: string[];
      /** The quantity the outcome reached (met or partially met). */
      achieved?: Quantity;
      slips: Slip[];
      slipCount: number;
      /** Date work started. */
      startedOn?: string;
      /** Date the outcome was reached (met or partially met). */
      outcomeOn?: string;
      /** Why it was cancelled or not met, and on which date. */
      closingReason?: string;
      closedOn?: string;
      /** Corrections applied, in the order they were recorded. */
      corrections?: Array<{ correctsEventId: string; correctsType: MilestoneCorrectableType; changes: MilestoneCorrection; reason: string }>;
    };

/** What the milestones service knows of the agreement, from its read model of `agreements.events`. */
export interface AgreementFacts {
  agreementId: string;
  status: string;
  terminated: boolean;
  /** The signing date as known (null: unknown), for the business-time check. */
  signedOn?: string | null;
  datePrecision?: DatePrecision;
  /** Ids of the agreement's targets (unset: not known here, not checked). */
  targetIds?: string[];
}

/** When a command is decided: the recording time, and when its fact happened if the client said. */
export interface BusinessTime {
  now: string;
  occurredAt?: string;
  /** The agreement as this service knows it (null: unknown here). */
  agreement?: AgreementFacts | null;
}

/**
 * An event of this milestone as stored, for a correction to name; `current`: no later event replaced its value (a
 * progress report's is decided here from the reports the state keeps, by date).
 */
export interface CorrectedEvent {
  eventId: string;
  type: string;
  data: Record<string, unknown>;
  occurredAt: string;
  current: boolean;
}

/** What an outcome reached, and (when given) the targets it counts towards instead of the planned ones. */
interface Outcome {
  achieved?: Quantity;
  contributesTo?: string[];
}

/** The outcome's optional fields as its event carries them. */
const outcomeOf = (command: Outcome) => ({
  ...(command.achieved !== undefined && { achieved: command.achieved }),
  ...(command.contributesTo !== undefined && { contributesTo: command.contributesTo }),
});

export type MilestoneCommand =
  | ({
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
      contributesTo?: string[];
    } & Omit<BusinessTime, 'agreement'>)
  | ({ kind: 'start' } & BusinessTime)
  | ({ kind: 'reportProgress'; percent: number; note?: string; evidence?: EvidenceLink[] } & BusinessTime)
  | ({ kind: 'reschedule'; newDueDate: string; reason: string } & BusinessTime)
  | ({ kind: 'markMet'; metOn: string; evidence: EvidenceLink[]; note?: string } & Outcome & Omit<BusinessTime, 'occurredAt'>)
  | ({ kind: 'markPartiallyMet'; metOn: string; evidence: EvidenceLink[]; note: string } & Outcome & Omit<BusinessTime, 'occurredAt'>)
  | ({ kind: 'markNotMet'; reason: string } & BusinessTime)
  | ({ kind: 'cancel'; reason: string } & BusinessTime)
  | ({
      kind: 'correct';
      /** The event named, as stored; null when it is not one of this milestone's. */
      target: CorrectedEvent | null;
      correctsEventId: string;
      changes: MilestoneCorrection;
      reason: string;
    } & Omit<BusinessTime, 'occurredAt'>);

const statusWords: Record<MilestoneStatus, string> = {
  scheduled: 'scheduled',
  inProgress: 'in progress',
  met: 'met',
  partiallyMet: 'partially met',
  notMet: 'not met',
  cancelled: 'cancelled',
};

type Existing = MilestoneState & { exists: true };

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

/** A command's business time checked against now and the agreement's signing; `{ occurredAt }` when given. */
function when(command: Omit<BusinessTime, 'occurredAt'> & { occurredAt?: string }, value = command.occurredAt, field = 'occurredAt'): { occurredAt?: string } {
  const occurredAt = checkedBusinessTime(value, { now: command.now, signedOn: command.agreement?.signedOn, datePrecision: command.agreement?.datePrecision }, field);
  return occurredAt ? { occurredAt } : {};
}

/** The calendar date a command's fact happened on (today when it did not say). */
const dayOf = (time: { occurredAt?: string }, command: { now: string }) => (time.occurredAt ?? command.now).slice(0, 10);

/** What each correctable event's fields may be corrected to; the business time follows the date fields. */
const CORRECTABLE: Record<MilestoneCorrectableType, ReadonlyArray<keyof MilestoneCorrection>> = {
  'milestone.planned': ['dueDate'],
  'milestone.started': ['startedOn'],
  'milestone.progress-reported': ['percent', 'reportedOn'],
  'milestone.rescheduled': ['dueDate', 'decidedOn'],
  'milestone.met': ['metOn', 'achieved'],
  'milestone.partially-met': ['metOn', 'achieved'],
  'milestone.not-met': ['on'],
  'milestone.cancelled': ['on'],
};
/** The date field of each type that is its business time. */
const DATE_OF: Partial<Record<MilestoneCorrectableType, keyof MilestoneCorrection>> = {
  'milestone.started': 'startedOn',
  'milestone.progress-reported': 'reportedOn',
  'milestone.rescheduled': 'decidedOn',
  'milestone.met': 'metOn',
  'milestone.partially-met': 'metOn',
  'milestone.not-met': 'on',
  'milestone.cancelled': 'on',
};
/** How the corrected event names a corrected field in its data (a reschedule's due date is its newDueDate). */
const dataField = (type: string, field: keyof MilestoneCorrection) => (type === 'milestone.rescheduled' && field === 'dueDate' ? 'newDueDate' : field);

function decideCorrection(state: MilestoneState, command: Extract<MilestoneCommand, { kind: 'correct' }>): MilestoneEvent[] {
  const s = existing(state);
  const target = command.target;
  if (!target) throw new DomainError('unprocessable', `event ${command.correctsEventId} is not one of this milestone's events`, 'eventId');
  const type = target.type as MilestoneCorrectableType;
  const fields = CORRECTABLE[type];
  if (!fields) throw new DomainError('unprocessable', `a ${target.type} event cannot be corrected (correctable: ${Object.keys(CORRECTABLE).join(', ')})`, 'eventId');
  // Fields sent (a field present but undefined, as a DTO instance carries them, is not sent).
  const named = (Object.keys(command.changes) as Array<keyof MilestoneCorrection>).filter((f) => command.changes[f] !== undefined);
  const wrong = named.filter((f) => !fields.includes(f));
  if (wrong.length > 0) throw new DomainError('unprocessable', `${wrong.join(', ')} cannot be corrected on a ${target.type} event (only ${fields.join(', ')})`, wrong[0]);
  const changes = Object.fromEntries(
    named.filter((f) => JSON.stringify(target.data[dataField(type, f)]) !== JSON.stringify(command.changes[f])).map((f) => [f, command.changes[f]]),
  ) as MilestoneCorrection;
  if (Object.keys(changes).length === 0) throw new DomainError('unprocessable', 'the correction changes nothing: the event already says so', named[0]);
  const dateField = DATE_OF[type];
  const newDate = dateField ? changes[dateField] : undefined;
  const moved = newDate !== undefined ? when(command, newDate as string, dateField).occurredAt : undefined;
  return [
    {
      type: 'milestone.corrected',
      schemaVersion: V['milestone.corrected'],
      data: {
        milestoneId: s.milestoneId,
        agreementId: s.agreementId,
        correctsEventId: target.eventId,
        correctsType: type,
        changes,
        ...(moved !== undefined && moved !== target.occurredAt && { occurredAt: moved }),
        current: type === 'milestone.progress-reported' ? (inForceAfter(s, target.eventId, changes) ?? target.current) : target.current,
        reason: command.reason,
      },
    },
  ];
}

/** Whether the corrected report is the one in force once corrected; undefined when the state does not keep it. */
function inForceAfter(state: Existing, eventId: string, changes: MilestoneCorrection): boolean | undefined {
  const reports = withCorrectedProgressReport(state.progressReports, eventId, changes);
  return reports && latestProgressReport(reports)?.eventId === eventId;
}

/** What the reports decide of the state: percent, its date and the latest note (met keeps 100, a partial outcome its note). */
function progressOf(state: Existing, reports: ProgressReport[]) {
  const inForce = latestProgressReport(reports);
  const noted = latestProgressReport(reports.filter((r) => r.note !== undefined));
  return {
    progressReports: reports,
    percent: percentInForce(state.status, state.percent, reports),
    ...(inForce && { percentOn: inForce.reportedOn }),
    ...(noted && state.status !== 'partiallyMet' && { lastNote: noted.note }),
  };
}

/** Targets named must be the agreement's, when this service knows them. */
function knownTargets(contributesTo: string[] | undefined, agreement: AgreementFacts | null | undefined) {
  const unknown = (contributesTo ?? []).filter((t) => agreement?.targetIds && !agreement.targetIds.includes(t));
  if (unknown.length > 0) {
    const known = agreement?.targetIds?.join(', ') || 'none';
    throw new DomainError('unprocessable', `${unknown.join(', ')} ${unknown.length > 1 ? 'are not targets' : 'is not a target'} of agreement ${agreement?.agreementId} (its targets: ${known})`, 'contributesTo');
  }
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
    knownTargets(command.contributesTo, command.agreement);
    const time = when(command);
    return [
      {
        type: 'milestone.planned',
        schemaVersion: V['milestone.planned'],
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
          ...(command.contributesTo !== undefined && { contributesTo: command.contributesTo }),
        },
        ...time,
      },
    ];
  }

  const ids = () => {
    const s = existing(state);
    return { milestoneId: s.milestoneId, agreementId: s.agreementId };
  };

  // A terminated agreement's milestones take no new progress (its outcomes and corrections are still recorded).
  if ((command.kind === 'start' || command.kind === 'reportProgress' || command.kind === 'reschedule') && command.agreement?.terminated) {
    existing(state);
    throw new DomainError(
      'conflict',
      `agreement ${ids().agreementId} is terminated: this milestone takes no new progress (no start, progress report or reschedule); record its outcome (not met, cancelled) or correct a fact instead`,
    );
  }

  switch (command.kind) {
    case 'start': {
      const s = open(state, 'start');
      if (s.status !== 'scheduled') throw new DomainError('invalid-transition', 'cannot start: the milestone is already in progress');
      const time = when(command);
      return [{ type: 'milestone.started', schemaVersion: V['milestone.started'], data: { ...ids(), startedOn: dayOf(time, command) }, ...time }];
    }
    case 'reportProgress': {
      open(state, 'report progress');
      const time = when(command);
      return [
        {
          type: 'milestone.progress-reported',
          schemaVersion: V['milestone.progress-reported'],
          data: {
            ...ids(),
            percent: command.percent,
            ...(command.note !== undefined && { note: command.note }),
            evidence: command.evidence ?? [],
            reportedOn: dayOf(time, command),
          },
          ...time,
        },
      ];
    }
    case 'reschedule': {
      const s = open(state, 'reschedule');
      if (command.newDueDate === s.dueDate) {
        throw new DomainError('invalid', `the milestone is already due on ${s.dueDate}`, 'newDueDate');
      }
      const time = when(command);
      // Decisions follow each other in the world as in the record: the last one decided is the one in force.
      const lastDecided = s.slips.at(-1)?.decidedOn;
      if (lastDecided && dayOf(time, command) < lastDecided) {
        throw new DomainError('unprocessable', `occurredAt ${dayOf(time, command)} is before the last reschedule, decided on ${lastDecided}`, 'occurredAt');
      }
      const slipDays = daysBetween(s.dueDate, command.newDueDate);
      return [
        {
          type: 'milestone.rescheduled',
          schemaVersion: V['milestone.rescheduled'],
          data: {
            ...ids(),
            previousDueDate: s.dueDate,
            newDueDate: command.newDueDate,
            slipDays,
            reason: command.reason,
            slipCount: s.slipCount + (slipDays > 0 ? 1 : 0),
            decidedOn: dayOf(time, command),
          },
          ...time,
        },
      ];
    }
    case 'markMet': {
      open(state, 'mark as met');
      requireEvidence(command.evidence, 'marking a milestone met');
      knownTargets(command.contributesTo, command.agreement);
      const time = when(command, command.metOn, 'metOn');
      return [
        {
          type: 'milestone.met',
          schemaVersion: V['milestone.met'],
          data: { ...ids(), metOn: command.metOn, evidence: command.evidence, ...(command.note !== undefined && { note: command.note }), ...outcomeOf(command) },
          ...time,
        },
      ];
    }
    case 'markPartiallyMet': {
      open(state, 'mark as partially met');
      requireEvidence(command.evidence, 'marking a milestone partially met');
      knownTargets(command.contributesTo, command.agreement);
      const time = when(command, command.metOn, 'metOn');
      return [
        {
          type: 'milestone.partially-met',
          schemaVersion: V['milestone.partially-met'],
          data: { ...ids(), metOn: command.metOn, evidence: command.evidence, note: command.note, ...outcomeOf(command) },
          ...time,
        },
      ];
    }
    case 'markNotMet': {
      open(state, 'mark as not met');
      const time = when(command);
      return [{ type: 'milestone.not-met', schemaVersion: V['milestone.not-met'], data: { ...ids(), reason: command.reason, on: dayOf(time, command) }, ...time }];
    }
    case 'cancel': {
      open(state, 'cancel');
      const time = when(command);
      return [{ type: 'milestone.cancelled', schemaVersion: V['milestone.cancelled'], data: { ...ids(), reason: command.reason, on: dayOf(time, command) }, ...time }];
    }
    case 'correct':
      return decideCorrection(state, command);
  }
}

export function evolve(state: MilestoneState, event: MilestoneEvent & { eventId?: string; recordedAt?: string }): MilestoneState {
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
      ...(d.contributesTo !== undefined && { contributesTo: d.contributesTo }),
      claimEvidence: claimEvidenceAfter([], undefined, event.type, d.evidence),
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
  const claimEvidence = claimEvidenceAfter(state.claimEvidence ?? [], state.status, event.type, (event.data as { evidence?: EvidenceLink[] }).evidence);
  switch (event.type) {
    // Folded in business order (a past state), a start or report can follow the outcome it preceded in the
    // record: it moves nothing back.
    case 'milestone.started':
      return { ...state, status: isTerminalMilestoneStatus(state.status) ? state.status : 'inProgress', startedOn: event.data.startedOn, claimEvidence };
    case 'milestone.progress-reported': {
      // A report back-filled for an earlier date joins the history and the evidence; the percent stays the latest's.
      const d = event.data;
      const report: ProgressReport = { ...(event.eventId && { eventId: event.eventId }), reportedOn: d.reportedOn, percent: d.percent, ...(d.note !== undefined && { note: d.note }) };
      return {
        ...state,
        status: isTerminalMilestoneStatus(state.status) ? state.status : 'inProgress',
        ...progressOf(state, [...(state.progressReports ?? []), report]),
        evidence: [...state.evidence, ...d.evidence],
        claimEvidence,
      };
    }
    case 'milestone.rescheduled': {
      const d = event.data;
      const slip: Slip = {
        previousDueDate: d.previousDueDate,
        newDueDate: d.newDueDate,
        slipDays: d.slipDays,
        reason: d.reason,
        ...(event.recordedAt && { at: event.recordedAt }),
        ...(d.decidedOn && { decidedOn: d.decidedOn }),
      };
      return { ...state, dueDate: d.newDueDate, slips: [...state.slips, slip], slipCount: d.slipCount };
    }
    case 'milestone.met':
      return {
        ...state,
        status: 'met',
        percent: 100,
        outcomeOn: event.data.metOn,
        evidence: [...state.evidence, ...event.data.evidence],
        claimEvidence,
        ...outcomeOf(event.data),
      };
    case 'milestone.partially-met':
      return {
        ...state,
        status: 'partiallyMet',
        outcomeOn: event.data.metOn,
        lastNote: event.data.note,
        evidence: [...state.evidence, ...event.data.evidence],
        claimEvidence,
        ...outcomeOf(event.data),
      };
    case 'milestone.not-met':
      return { ...state, status: 'notMet', closingReason: event.data.reason, ...(event.data.on && { closedOn: event.data.on }), claimEvidence };
    case 'milestone.cancelled':
      return { ...state, status: 'cancelled', closingReason: event.data.reason, ...(event.data.on && { closedOn: event.data.on }), claimEvidence };
    case 'milestone.corrected': {
      const { correctsEventId, correctsType, changes, reason, current } = event.data;
      const corrections = [...(state.corrections ?? []), { correctsEventId, correctsType, changes, reason }];
      // Only a value still in force changes the state (a corrected report that a later one replaced does not).
      const next: MilestoneState = { ...state, corrections };
      // The first due date is the planning's whatever came after it.
      if (changes.dueDate !== undefined && correctsType === 'milestone.planned') next.plannedDueDate = changes.dueDate;
      // A report's percent or date: the reports decide again which one is in force (whatever `current` said when
      // the correction was recorded, which before business dates counted meant "no later-recorded report").
      const reports = withCorrectedProgressReport(state.progressReports, correctsEventId, changes);
      if (correctsType === 'milestone.progress-reported' && reports) return { ...next, ...progressOf(state, reports) };
      if (!current) return next;
      if (changes.dueDate !== undefined) next.dueDate = changes.dueDate;
      if (changes.startedOn !== undefined) next.startedOn = changes.startedOn;
      if (changes.percent !== undefined && state.status !== 'met') next.percent = changes.percent;
      if (changes.metOn !== undefined) next.outcomeOn = changes.metOn;
      if (changes.on !== undefined) next.closedOn = changes.on;
      if (changes.achieved !== undefined) next.achieved = changes.achieved;
      return next;
    }
  }
}

export const milestoneDecider: Decider<MilestoneState, MilestoneCommand, MilestoneEvent> = {
  initialState: () => ({ exists: false }),
  decide,
  evolve,
};
