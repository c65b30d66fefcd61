/**
 * The Alert aggregate: one stream `alert-<id>` per dedup key, raised once, then acknowledged and/or resolved.
 * Pure: no framework, database, broker or id generator here (the caller derives the alert id from the dedup key).
 * Refusals are DomainErrors with the reason in users' words; a command with nothing left to do decides nothing.
 */
import {
  DomainError,
  type AlertEvent,
  type AlertEventData,
  type AlertResolution,
  type AlertStatus,
  type Decider,
} from '@tracker/contracts';
import type { AlertDraft } from './rules';

/** An alert that was raised: its raised data, as `alert.raised` carried it, and where it stands now. */
export interface RaisedAlert extends AlertDraft {
  exists: true;
  alertId: string;
  status: AlertStatus;
  /** Who acknowledged it (kept even when the acknowledgement came after the resolution). */
  acknowledgedBy?: string;
  /** Why it was closed, once resolved. */
  resolution?: AlertResolution;
}

export type AlertState = { exists: false } | RaisedAlert;

export type AlertCommand =
  | {
      kind: 'raise';
      /** Derived by the caller from `draft.dedupKey` (UUID v5), so every raiser names the same stream. */
      alertId: string;
      draft: AlertDraft;
      /** ISO time the alert is about (e.g. the scheduler's "now"); the store's time when absent. */
      occurredAt?: string;
    }
  | { kind: 'acknowledge'; alertId: string; by: string; note?: string }
  | { kind: 'resolve'; alertId: string; resolution: AlertResolution; causedByEventId?: string | null };

function existing(state: AlertState, alertId: string): RaisedAlert {
  if (!state.exists) throw new DomainError('not-found', `alert ${alertId} not found`);
  return state;
}

export function decide(command: AlertCommand, state: AlertState): AlertEvent[] {
  switch (command.kind) {
    case 'raise': {
      // At most one alert per dedup key: raising it again is "already there", not an error.
      if (state.exists) return [];
      return [
        {
          type: 'alert.raised',
          schemaVersion: 1,
          data: { alertId: command.alertId, ...command.draft } satisfies AlertEventData['alert.raised'],
          ...(command.occurredAt && { occurredAt: command.occurredAt }),
        },
      ];
    }
    case 'acknowledge': {
      const s = existing(state, command.alertId);
      if (s.status === 'acknowledged') return [];
      if (s.status === 'resolved') {
        throw new DomainError('invalid-transition', `alert ${s.alertId} is already resolved (${s.resolution})`);
      }
      return [
        {
          type: 'alert.acknowledged',
          schemaVersion: 1,
          data: {
            alertId: s.alertId,
            agreementId: s.agreementId,
            by: command.by,
            ...(command.note && { note: command.note }),
          } satisfies AlertEventData['alert.acknowledged'],
        },
      ];
    }
    case 'resolve': {
      const s = existing(state, command.alertId);
      if (s.status === 'resolved') return [];
      return [
        {
          type: 'alert.resolved',
          schemaVersion: 1,
          data: {
            alertId: s.alertId,
            agreementId: s.agreementId,
            resolution: command.resolution,
            ...(command.causedByEventId && { causedByEventId: command.causedByEventId }),
          } satisfies AlertEventData['alert.resolved'],
        },
      ];
    }
  }
}

export function evolve(state: AlertState, event: AlertEvent): AlertState {
  if (event.type === 'alert.raised') {
    const { alertId, ...draft } = event.data;
    return { exists: true, alertId, ...draft, status: 'open' };
  }
  if (!state.exists) return state;
  switch (event.type) {
    case 'alert.acknowledged':
      // An acknowledgement never reopens a resolved alert.
      return { ...state, status: state.status === 'resolved' ? 'resolved' : 'acknowledged', acknowledgedBy: event.data.by };
    case 'alert.resolved':
      return { ...state, status: 'resolved', resolution: event.data.resolution };
    default:
      return state;
  }
}

export const alertDecider: Decider<AlertState, AlertCommand, AlertEvent> = {
  initialState: () => ({ exists: false }),
  decide,
  evolve,
};
