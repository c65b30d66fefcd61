/**
 * The Agreement aggregate: registered at signing, followed until it delivers, completes or ends.
 * Lifecycle (suspended, terminated, expired) comes from commands; the implementation status (signed →
 * in implementation → delivering → completed) follows from milestone events via `deriveStatus`.
 * Every command states when its fact happened (business time, ADR 0008): checked against the recording clock
 * and the signing date, it becomes the event's occurredAt. Facts entered wrongly are corrected by events.
 * Pure: no framework, database or broker here.
 */
import {
  AgreementSchemaVersions as V,
  businessInstant,
  checkedBusinessTime,
  DomainError,
  signingPeriodStart,
  type AgreementCorrectableType,
  type AgreementCorrection,
  type AgreementDetails,
  type AgreementEvent,
  type AgreementStatus,
  type AmendableField,
  type Decider,
  type ImplementationStatus,
  type LifecycleStatus,
  type QuantifiedTarget,
  type Source,
  type SourceChanges,
  type TargetChanges,
} from '@tracker/contracts';

/** A correction as the agreement shows it: which event, what changed, why. */
export interface AppliedCorrection {
  correctsEventId: string;
  correctsType: AgreementCorrectableType;
  changes: AgreementCorrection;
  reason: string;
}

export type AgreementState =
  | { exists: false }
  | ({
      exists: true;
      agreementId: string;
      lifecycle: LifecycleStatus;
      /** The date the current lifecycle state took effect (unset while active since registration). */
      lifecycleSince?: string;
      implementation: ImplementationStatus;
      corrections?: AppliedCorrection[];
      /** The highest target and source numbers given so far (T<n>, S<n>): a removed one's id is never reused. */
      lastTargetNumber?: number;
      lastSourceNumber?: number;
      /** Readable without a key at /public/... once a monitor says so; private by default (unset). */
      public?: boolean;
    } & AgreementDetails);

/** When a command is decided: the recording time, and when its fact happened if the client said (ISO or date). */
export interface BusinessTime {
  now: string;
  occurredAt?: string;
}

/** An event of this agreement as stored, for a correction to name. */
export interface CorrectedEvent {
  eventId: string;
  type: string;
  data: Record<string, unknown>;
  occurredAt: string;
}

export type AgreementCommand =
  | ({ kind: 'register'; agreementId: string; details: AgreementDetails } & Pick<BusinessTime, 'now'>)
  | ({ kind: 'amend'; changes: Partial<Pick<AgreementDetails, AmendableField>> } & BusinessTime)
  | ({ kind: 'attachSource'; source: Source } & BusinessTime)
  | ({ kind: 'addObjective'; objective: string } & BusinessTime)
  | ({ kind: 'addTarget'; target: QuantifiedTarget } & BusinessTime)
  | ({ kind: 'correctTarget'; targetId: string; changes: TargetChanges; reason: string } & Pick<BusinessTime, 'now'>)
  | ({ kind: 'removeTarget'; targetId: string; reason: string } & Pick<BusinessTime, 'now'>)
  | ({ kind: 'correctSource'; sourceId: string; changes: SourceChanges; reason: string } & Pick<BusinessTime, 'now'>)
  | ({ kind: 'removeSource'; sourceId: string; reason: string } & Pick<BusinessTime, 'now'>)
  | ({ kind: 'correctObjective'; objective: string; correctedTo: string; reason: string } & Pick<BusinessTime, 'now'>)
  | ({ kind: 'removeObjective'; objective: string; reason: string } & Pick<BusinessTime, 'now'>)
  | ({ kind: 'suspend'; reason: string } & BusinessTime)
  | ({ kind: 'resume'; reason?: string } & BusinessTime)
  | ({ kind: 'terminate'; reason: string } & BusinessTime)
  | ({ kind: 'expire'; reason?: string } & BusinessTime)
  /** A decision of the tracker's monitors, not a fact of the world: it happens when it is recorded. */
  | ({ kind: 'changeVisibility'; public: boolean; reason: string } & Pick<BusinessTime, 'now'>)
  | ({
      kind: 'correct';
      /** The event named, as stored; null when it is not one of this agreement's. */
      target: CorrectedEvent | null;
      correctsEventId: string;
      changes: AgreementCorrection;
      reason: string;
    } & Pick<BusinessTime, 'now'>)
  | {
      kind: 'deriveStatus';
      status: Exclude<ImplementationStatus, 'stalled'>;
      causedBy: { eventId: string; type: string; milestoneId: string };
      /** The business time of the milestone event that moved it. */
      occurredAt?: string;
    };

/** The status users see: a lifecycle state when the agreement is not active, else its implementation status. */
export function statusOf(state: AgreementState & { exists: true }): AgreementStatus {
  return state.lifecycle === 'active' ? state.implementation : state.lifecycle;
}

function existing(state: AgreementState) {
  if (!state.exists) throw new DomainError('not-found', 'agreement not found');
  return state;
}

/** Terminated and expired agreements are closed records: they can be read, never changed. */
function changeable(state: AgreementState, action: string) {
  const s = existing(state);
  if (s.lifecycle === 'terminated' || s.lifecycle === 'expired') {
    throw new DomainError('invalid-transition', `cannot ${action}: the agreement is ${s.lifecycle}`);
  }
  return s;
}

/** The signing date as precise as known must not lie after today. */
function signedNotInFuture(signedOn: string | null | undefined, now: string) {
  if (signedOn && signedOn > now.slice(0, signedOn.length)) {
    throw new DomainError('invalid', `the signing date ${signedOn} is in the future`, 'signedOn');
  }
}

/** The command's business time, checked against now and the agreement's signing; `{ occurredAt }` when given. */
function when(s: AgreementState & { exists: true }, command: BusinessTime): { occurredAt?: string } {
  const occurredAt = checkedBusinessTime(command.occurredAt, { now: command.now, signedOn: s.signedOn, datePrecision: s.datePrecision });
  return occurredAt ? { occurredAt } : {};
}

/** A lifecycle change's effective date and business time (today and the recording time when not given). */
function effective(s: AgreementState & { exists: true }, command: BusinessTime): { effectiveOn: string; time: { occurredAt?: string } } {
  const time = when(s, command);
  const effectiveOn = (time.occurredAt ?? command.now).slice(0, 10);
  // States follow each other in the world as in the record: a change cannot take effect before the one it follows.
  if (s.lifecycleSince && effectiveOn < s.lifecycleSince) {
    throw new DomainError('unprocessable', `occurredAt ${effectiveOn} is before the agreement's last change of state, effective on ${s.lifecycleSince}`, 'occurredAt');
  }
  return { effectiveOn, time };
}

/** Ids of targets and sources: T1, T2, … and S1, S2, … in the order they were recorded. */
const idNumber = (id: string | undefined) => (id ? Number(id.slice(1)) || 0 : 0);
function numbered<T extends object>(items: readonly T[], field: 'targetId' | 'sourceId', prefix: string, last: number): { items: T[]; last: number } {
  let n = last;
  const withIds = items.map((item) => {
    const given = (item as Record<string, unknown>)[field] as string | undefined;
    n = given ? Math.max(n, idNumber(given)) : n + 1;
    return { ...item, [field]: given ?? `${prefix}${n}` };
  });
  return { items: withIds, last: n };
}

/** The fields that differ from what the list entry says (a field present but undefined is not sent). */
function changed<T extends object>(entry: T, changes: Partial<T>): Partial<T> {
  // A correction sets values; a field to drop is corrected by removing the entry and adding it again.
  const cleared = Object.entries(changes).find(([, v]) => v === null);
  if (cleared) throw new DomainError('invalid', `${cleared[0]} cannot be cleared by a correction: send its right value, or remove the entry and add it again`, cleared[0]);
  return Object.fromEntries(
    Object.entries(changes).filter(([k, v]) => v !== undefined && JSON.stringify((entry as Record<string, unknown>)[k]) !== JSON.stringify(v)),
  ) as Partial<T>;
}

function targetOf(s: AgreementState & { exists: true }, targetId: string) {
  const target = s.targets.find((t) => t.targetId === targetId);
  if (!target) throw new DomainError('not-found', `target ${targetId} not found on this agreement (targets: ${s.targets.map((t) => t.targetId).join(', ') || 'none'})`, 'targetId');
  return target;
}

function sourceOf(s: AgreementState & { exists: true }, sourceId: string) {
  const source = s.sources.find((x) => x.sourceId === sourceId);
  if (!source) throw new DomainError('not-found', `source ${sourceId} not found on this agreement (sources: ${s.sources.map((x) => x.sourceId).join(', ') || 'none'})`, 'sourceId');
  return source;
}

function objectiveOf(s: AgreementState & { exists: true }, objective: string) {
  if (!s.objectives.includes(objective)) throw new DomainError('not-found', `objective "${objective}" is not recorded on this agreement`, 'objective');
  return objective;
}

type ListCorrection = Extract<AgreementCommand, { kind: 'correctTarget' | 'removeTarget' | 'correctSource' | 'removeSource' | 'correctObjective' | 'removeObjective' }>;

/** Corrections and removals of the lists: events with reasons; like other corrections, a closed record too. */
function decideListCorrection(s: AgreementState & { exists: true }, command: ListCorrection): AgreementEvent[] {
  const agreementId = s.agreementId;
  const nothing = (what: string, field: string) => new DomainError('invalid', `the correction changes nothing: the ${what} already says so`, field);
  switch (command.kind) {
    case 'correctTarget': {
      const changes = changed(targetOf(s, command.targetId), command.changes);
      if (Object.keys(changes).length === 0) throw nothing('target', 'changes');
      return [{ type: 'agreement.target-corrected', schemaVersion: V['agreement.target-corrected'], data: { agreementId, targetId: command.targetId, changes, reason: command.reason } }];
    }
    case 'removeTarget':
      targetOf(s, command.targetId);
      return [{ type: 'agreement.target-removed', schemaVersion: V['agreement.target-removed'], data: { agreementId, targetId: command.targetId, reason: command.reason } }];
    case 'correctSource': {
      const changes = changed(sourceOf(s, command.sourceId), command.changes);
      if (Object.keys(changes).length === 0) throw nothing('source', 'changes');
      if (changes.url && s.sources.some((x) => x.sourceId !== command.sourceId && x.url === changes.url)) {
        throw new DomainError('conflict', `source ${changes.url} is already attached`, 'url');
      }
      return [{ type: 'agreement.source-corrected', schemaVersion: V['agreement.source-corrected'], data: { agreementId, sourceId: command.sourceId, changes, reason: command.reason } }];
    }
    case 'removeSource':
      sourceOf(s, command.sourceId);
      return [{ type: 'agreement.source-removed', schemaVersion: V['agreement.source-removed'], data: { agreementId, sourceId: command.sourceId, reason: command.reason } }];
    case 'correctObjective': {
      objectiveOf(s, command.objective);
      if (command.correctedTo === command.objective) throw nothing('objective', 'correctedTo');
      if (s.objectives.includes(command.correctedTo)) throw new DomainError('conflict', 'this objective is already recorded', 'correctedTo');
      return [
        {
          type: 'agreement.objective-corrected',
          schemaVersion: V['agreement.objective-corrected'],
          data: { agreementId, objective: command.objective, correctedTo: command.correctedTo, reason: command.reason },
        },
      ];
    }
    case 'removeObjective':
      objectiveOf(s, command.objective);
      return [{ type: 'agreement.objective-removed', schemaVersion: V['agreement.objective-removed'], data: { agreementId, objective: command.objective, reason: command.reason } }];
  }
}

const CORRECTABLE: Record<AgreementCorrectableType, ReadonlyArray<keyof AgreementCorrection>> = {
  'agreement.registered': ['signedOn', 'datePrecision'],
  'agreement.suspended': ['effectiveOn'],
  'agreement.resumed': ['effectiveOn'],
  'agreement.terminated': ['effectiveOn'],
  'agreement.expired': ['effectiveOn'],
};

function decideCorrection(s: AgreementState & { exists: true }, command: Extract<AgreementCommand, { kind: 'correct' }>): AgreementEvent[] {
  const target = command.target;
  if (!target) throw new DomainError('unprocessable', `event ${command.correctsEventId} is not one of this agreement's events`, 'eventId');
  const fields = CORRECTABLE[target.type as AgreementCorrectableType];
  if (!fields) throw new DomainError('unprocessable', `a ${target.type} event cannot be corrected (correctable: ${Object.keys(CORRECTABLE).join(', ')})`, 'eventId');
  // Fields sent (a field present but undefined, as a DTO instance carries them, is not sent).
  const named = (Object.keys(command.changes) as Array<keyof AgreementCorrection>).filter((f) => command.changes[f] !== undefined);
  const wrong = named.filter((f) => !fields.includes(f));
  if (wrong.length > 0) throw new DomainError('unprocessable', `${wrong.join(', ')} cannot be corrected on a ${target.type} event (only ${fields.join(', ')})`, wrong[0]);
  const changes = Object.fromEntries(named.filter((f) => JSON.stringify(target.data[f]) !== JSON.stringify(command.changes[f])).map((f) => [f, command.changes[f]])) as AgreementCorrection;
  if (Object.keys(changes).length === 0) throw new DomainError('unprocessable', 'the correction changes nothing: the event already says so', named[0]);
  let occurredAt: string | undefined;
  if (target.type === 'agreement.registered') {
    const signedOn = changes.signedOn !== undefined ? changes.signedOn : s.signedOn;
    signedNotInFuture(signedOn, command.now);
    const start = signingPeriodStart(signedOn, changes.datePrecision ?? s.datePrecision);
    if (start) occurredAt = businessInstant(start);
  } else if (changes.effectiveOn !== undefined) {
    occurredAt = checkedBusinessTime(changes.effectiveOn, { now: command.now, signedOn: s.signedOn, datePrecision: s.datePrecision }, 'effectiveOn');
  }
  return [
    {
      type: 'agreement.corrected',
      schemaVersion: V['agreement.corrected'],
      data: {
        agreementId: s.agreementId,
        correctsEventId: target.eventId,
        correctsType: target.type as AgreementCorrectableType,
        changes,
        ...(occurredAt !== undefined && occurredAt !== target.occurredAt && { occurredAt }),
        reason: command.reason,
      },
    },
  ];
}

export function decide(command: AgreementCommand, state: AgreementState): AgreementEvent[] {
  switch (command.kind) {
    case 'register': {
      if (state.exists) throw new DomainError('conflict', 'agreement already exists');
      signedNotInFuture(command.details.signedOn, command.now);
      // The registration happened at the signing, as precisely as it is known.
      const start = signingPeriodStart(command.details.signedOn, command.details.datePrecision);
      const targets = numbered(command.details.targets, 'targetId', 'T', 0).items;
      const sources = numbered(command.details.sources, 'sourceId', 'S', 0).items;
      return [
        {
          type: 'agreement.registered',
          schemaVersion: V['agreement.registered'],
          data: { agreementId: command.agreementId, ...command.details, targets, sources },
          ...(start && { occurredAt: businessInstant(start) }),
        },
      ];
    }
    case 'amend': {
      const s = changeable(state, 'amend');
      signedNotInFuture(command.changes.signedOn, command.now);
      const time = when(s, command);
      const changes = Object.fromEntries(
        Object.entries(command.changes).filter(([k, v]) => v !== undefined && JSON.stringify(s[k as AmendableField]) !== JSON.stringify(v)),
      );
      if (Object.keys(changes).length === 0) throw new DomainError('invalid', 'the amendment changes nothing: the agreement already says so');
      return [{ type: 'agreement.amended', schemaVersion: V['agreement.amended'], data: { agreementId: s.agreementId, changes }, ...time }];
    }
    case 'attachSource': {
      const s = changeable(state, 'attach a source');
      const time = when(s, command);
      if (s.sources.some((x) => x.url && x.url === command.source.url)) {
        throw new DomainError('conflict', `source ${command.source.url} is already attached`);
      }
      const source = { ...command.source, sourceId: `S${(s.lastSourceNumber ?? s.sources.length) + 1}` };
      return [{ type: 'agreement.source-attached', schemaVersion: V['agreement.source-attached'], data: { agreementId: s.agreementId, source }, ...time }];
    }
    case 'addObjective': {
      const s = changeable(state, 'add an objective');
      const time = when(s, command);
      if (s.objectives.includes(command.objective)) throw new DomainError('conflict', 'this objective is already recorded');
      return [{ type: 'agreement.objective-added', schemaVersion: V['agreement.objective-added'], data: { agreementId: s.agreementId, objective: command.objective }, ...time }];
    }
    case 'addTarget': {
      const s = changeable(state, 'add a target');
      const time = when(s, command);
      const target = { ...command.target, targetId: `T${(s.lastTargetNumber ?? s.targets.length) + 1}` };
      return [{ type: 'agreement.target-added', schemaVersion: V['agreement.target-added'], data: { agreementId: s.agreementId, target }, ...time }];
    }
    case 'correctTarget':
    case 'removeTarget':
    case 'correctSource':
    case 'removeSource':
    case 'correctObjective':
    case 'removeObjective':
      return decideListCorrection(existing(state), command);
    case 'suspend': {
      const s = changeable(state, 'suspend');
      if (s.lifecycle === 'suspended') throw new DomainError('invalid-transition', 'cannot suspend: the agreement is already suspended');
      const { effectiveOn, time } = effective(s, command);
      return [{ type: 'agreement.suspended', schemaVersion: V['agreement.suspended'], data: { agreementId: s.agreementId, reason: command.reason, effectiveOn }, ...time }];
    }
    case 'resume': {
      const s = changeable(state, 'resume');
      if (s.lifecycle !== 'suspended') throw new DomainError('invalid-transition', 'cannot resume: the agreement is not suspended');
      const { effectiveOn, time } = effective(s, command);
      return [
        {
          type: 'agreement.resumed',
          schemaVersion: V['agreement.resumed'],
          data: { agreementId: s.agreementId, ...(command.reason !== undefined && { reason: command.reason }), effectiveOn },
          ...time,
        },
      ];
    }
    case 'terminate': {
      const s = changeable(state, 'terminate');
      const { effectiveOn, time } = effective(s, command);
      return [{ type: 'agreement.terminated', schemaVersion: V['agreement.terminated'], data: { agreementId: s.agreementId, reason: command.reason, effectiveOn }, ...time }];
    }
    case 'expire': {
      const s = changeable(state, 'expire');
      const { effectiveOn, time } = effective(s, command);
      return [
        {
          type: 'agreement.expired',
          schemaVersion: V['agreement.expired'],
          data: { agreementId: s.agreementId, ...(command.reason !== undefined && { reason: command.reason }), effectiveOn },
          ...time,
        },
      ];
    }
    case 'changeVisibility': {
      // Closed records too: publishing is about who may read the record, not a change of the agreement.
      const s = existing(state);
      if ((s.public ?? false) === command.public) return [];
      return [
        {
          type: 'agreement.visibility-changed',
          schemaVersion: V['agreement.visibility-changed'],
          data: { agreementId: s.agreementId, public: command.public, reason: command.reason },
        },
      ];
    }
    case 'correct':
      // A closed record can still be corrected: a correction changes what is known, not the agreement.
      return decideCorrection(existing(state), command);
    case 'deriveStatus': {
      const s = existing(state);
      // Milestones keep moving after an agreement ends; its record of implementation stays as it was.
      if (s.lifecycle === 'terminated' || s.lifecycle === 'expired') return [];
      if (s.implementation === command.status) return [];
      return [
        {
          type: 'agreement.status-derived',
          schemaVersion: V['agreement.status-derived'],
          data: { agreementId: s.agreementId, from: s.implementation, to: command.status, causedBy: command.causedBy },
          ...(command.occurredAt && { occurredAt: command.occurredAt }),
        },
      ];
    }
  }
}

export function evolve(state: AgreementState, event: AgreementEvent): AgreementState {
  if (event.type === 'agreement.registered') {
    const { agreementId, ...details } = event.data;
    // Ids by order where an older event has none.
    const targets = numbered(details.targets, 'targetId', 'T', 0);
    const sources = numbered(details.sources, 'sourceId', 'S', 0);
    return {
      exists: true,
      agreementId,
      lifecycle: 'active',
      implementation: 'signed',
      ...details,
      targets: targets.items,
      sources: sources.items,
      lastTargetNumber: targets.last,
      lastSourceNumber: sources.last,
    };
  }
  if (!state.exists) return state;
  switch (event.type) {
    case 'agreement.amended':
      return { ...state, ...event.data.changes };
    case 'agreement.source-attached': {
      const { items, last } = numbered([event.data.source], 'sourceId', 'S', state.lastSourceNumber ?? state.sources.length);
      return { ...state, sources: [...state.sources, ...items], lastSourceNumber: last };
    }
    case 'agreement.objective-added':
      return { ...state, objectives: [...state.objectives, event.data.objective] };
    case 'agreement.target-added': {
      const { items, last } = numbered([event.data.target], 'targetId', 'T', state.lastTargetNumber ?? state.targets.length);
      return { ...state, targets: [...state.targets, ...items], lastTargetNumber: last };
    }
    case 'agreement.target-corrected':
      return { ...state, targets: state.targets.map((t) => (t.targetId === event.data.targetId ? { ...t, ...event.data.changes } : t)) };
    case 'agreement.target-removed':
      return { ...state, targets: state.targets.filter((t) => t.targetId !== event.data.targetId) };
    case 'agreement.source-corrected':
      return { ...state, sources: state.sources.map((x) => (x.sourceId === event.data.sourceId ? { ...x, ...event.data.changes } : x)) };
    case 'agreement.source-removed':
      return { ...state, sources: state.sources.filter((x) => x.sourceId !== event.data.sourceId) };
    case 'agreement.objective-corrected':
      return { ...state, objectives: state.objectives.map((o) => (o === event.data.objective ? event.data.correctedTo : o)) };
    case 'agreement.objective-removed':
      return { ...state, objectives: state.objectives.filter((o) => o !== event.data.objective) };
    case 'agreement.suspended':
      return { ...state, lifecycle: 'suspended', lifecycleSince: event.data.effectiveOn };
    case 'agreement.resumed':
      return { ...state, lifecycle: 'active', lifecycleSince: event.data.effectiveOn };
    case 'agreement.terminated':
      return { ...state, lifecycle: 'terminated', lifecycleSince: event.data.effectiveOn };
    case 'agreement.expired':
      return { ...state, lifecycle: 'expired', lifecycleSince: event.data.effectiveOn };
    case 'agreement.status-derived':
      return { ...state, implementation: event.data.to };
    case 'agreement.visibility-changed':
      return { ...state, public: event.data.public };
    case 'agreement.corrected': {
      const { correctsEventId, correctsType, changes, reason } = event.data;
      const corrections = [...(state.corrections ?? []), { correctsEventId, correctsType, changes, reason }];
      if (correctsType === 'agreement.registered') {
        return {
          ...state,
          ...(changes.signedOn !== undefined && { signedOn: changes.signedOn }),
          ...(changes.datePrecision !== undefined && { datePrecision: changes.datePrecision }),
          corrections,
        };
      }
      // A lifecycle date: the current state's, when it is the one corrected (the last lifecycle event of its kind).
      const current = correctsType === `agreement.${lifecycleEventOf[state.lifecycle]}`;
      return { ...state, ...(current && changes.effectiveOn !== undefined && { lifecycleSince: changes.effectiveOn }), corrections };
    }
  }
}

const lifecycleEventOf: Record<LifecycleStatus, string> = { active: 'resumed', suspended: 'suspended', terminated: 'terminated', expired: 'expired' };

export const agreementDecider: Decider<AgreementState, AgreementCommand, AgreementEvent> = {
  initialState: () => ({ exists: false }),
  decide,
  evolve,
};
