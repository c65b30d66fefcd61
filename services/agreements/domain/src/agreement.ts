/**
 * The Agreement aggregate: registered at signing, followed until it delivers, completes or ends.
 * Lifecycle (suspended, terminated, expired) comes from commands; the implementation status (signed →
 * in implementation → delivering → completed) follows from milestone events via `deriveStatus`.
 * Pure: no framework, database or broker here.
 */
import {
  DomainError,
  type AgreementDetails,
  type AgreementEvent,
  type AgreementStatus,
  type AmendableField,
  type Decider,
  type ImplementationStatus,
  type LifecycleStatus,
  type QuantifiedTarget,
  type Source,
} from '@tracker/contracts';

export type AgreementState =
  | { exists: false }
  | ({
      exists: true;
      agreementId: string;
      lifecycle: LifecycleStatus;
      implementation: ImplementationStatus;
    } & AgreementDetails);

export type AgreementCommand =
  | { kind: 'register'; agreementId: string; details: AgreementDetails; today: string }
  | { kind: 'amend'; changes: Partial<Pick<AgreementDetails, AmendableField>>; today: string }
  | { kind: 'attachSource'; source: Source }
  | { kind: 'addObjective'; objective: string }
  | { kind: 'addTarget'; target: QuantifiedTarget }
  | { kind: 'suspend'; reason: string }
  | { kind: 'resume'; reason?: string }
  | { kind: 'terminate'; reason: string }
  | { kind: 'expire'; reason?: string }
  | {
      kind: 'deriveStatus';
      status: Exclude<ImplementationStatus, 'stalled'>;
      causedBy: { eventId: string; type: string; milestoneId: string };
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
function signedNotInFuture(signedOn: string | null | undefined, today: string) {
  if (signedOn && signedOn > today.slice(0, signedOn.length)) {
    throw new DomainError('invalid', `the signing date ${signedOn} is in the future`, 'signedOn');
  }
}

export function decide(command: AgreementCommand, state: AgreementState): AgreementEvent[] {
  switch (command.kind) {
    case 'register': {
      if (state.exists) throw new DomainError('conflict', 'agreement already exists');
      signedNotInFuture(command.details.signedOn, command.today);
      return [{ type: 'agreement.registered', schemaVersion: 1, data: { agreementId: command.agreementId, ...command.details } }];
    }
    case 'amend': {
      const s = changeable(state, 'amend');
      signedNotInFuture(command.changes.signedOn, command.today);
      const changes = Object.fromEntries(
        Object.entries(command.changes).filter(([k, v]) => JSON.stringify(s[k as AmendableField]) !== JSON.stringify(v)),
      );
      if (Object.keys(changes).length === 0) return [];
      return [{ type: 'agreement.amended', schemaVersion: 1, data: { agreementId: s.agreementId, changes } }];
    }
    case 'attachSource': {
      const s = changeable(state, 'attach a source');
      if (s.sources.some((x) => x.url && x.url === command.source.url)) {
        throw new DomainError('conflict', `source ${command.source.url} is already attached`);
      }
      return [{ type: 'agreement.source-attached', schemaVersion: 1, data: { agreementId: s.agreementId, source: command.source } }];
    }
    case 'addObjective': {
      const s = changeable(state, 'add an objective');
      if (s.objectives.includes(command.objective)) throw new DomainError('conflict', 'this objective is already recorded');
      return [{ type: 'agreement.objective-added', schemaVersion: 1, data: { agreementId: s.agreementId, objective: command.objective } }];
    }
    case 'addTarget': {
      const s = changeable(state, 'add a target');
      return [{ type: 'agreement.target-added', schemaVersion: 1, data: { agreementId: s.agreementId, target: command.target } }];
    }
    case 'suspend': {
      const s = changeable(state, 'suspend');
      if (s.lifecycle === 'suspended') throw new DomainError('invalid-transition', 'cannot suspend: the agreement is already suspended');
      return [{ type: 'agreement.suspended', schemaVersion: 1, data: { agreementId: s.agreementId, reason: command.reason } }];
    }
    case 'resume': {
      const s = changeable(state, 'resume');
      if (s.lifecycle !== 'suspended') throw new DomainError('invalid-transition', 'cannot resume: the agreement is not suspended');
      return [
        {
          type: 'agreement.resumed',
          schemaVersion: 1,
          data: { agreementId: s.agreementId, ...(command.reason !== undefined && { reason: command.reason }) },
        },
      ];
    }
    case 'terminate': {
      const s = changeable(state, 'terminate');
      return [{ type: 'agreement.terminated', schemaVersion: 1, data: { agreementId: s.agreementId, reason: command.reason } }];
    }
    case 'expire': {
      const s = changeable(state, 'expire');
      return [
        {
          type: 'agreement.expired',
          schemaVersion: 1,
          data: { agreementId: s.agreementId, ...(command.reason !== undefined && { reason: command.reason }) },
        },
      ];
    }
    case 'deriveStatus': {
      const s = existing(state);
      // Milestones keep moving after an agreement ends; its record of implementation stays as it was.
      if (s.lifecycle === 'terminated' || s.lifecycle === 'expired') return [];
      if (s.implementation === command.status) return [];
      return [
        {
          type: 'agreement.status-derived',
          schemaVersion: 1,
          data: { agreementId: s.agreementId, from: s.implementation, to: command.status, causedBy: command.causedBy },
        },
      ];
    }
  }
}

export function evolve(state: AgreementState, event: AgreementEvent): AgreementState {
  if (event.type === 'agreement.registered') {
    const { agreementId, ...details } = event.data;
    return { exists: true, agreementId, lifecycle: 'active', implementation: 'signed', ...details };
  }
  if (!state.exists) return state;
  switch (event.type) {
    case 'agreement.amended':
      return { ...state, ...event.data.changes };
    case 'agreement.source-attached':
      return { ...state, sources: [...state.sources, event.data.source] };
    case 'agreement.objective-added':
      return { ...state, objectives: [...state.objectives, event.data.objective] };
    case 'agreement.target-added':
      return { ...state, targets: [...state.targets, event.data.target] };
    case 'agreement.suspended':
      return { ...state, lifecycle: 'suspended' };
    case 'agreement.resumed':
      return { ...state, lifecycle: 'active' };
    case 'agreement.terminated':
      return { ...state, lifecycle: 'terminated' };
    case 'agreement.expired':
      return { ...state, lifecycle: 'expired' };
    case 'agreement.status-derived':
      return { ...state, implementation: event.data.to };
  }
}

export const agreementDecider: Decider<AgreementState, AgreementCommand, AgreementEvent> = {
  initialState: () => ({ exists: false }),
  decide,
  evolve,
};
