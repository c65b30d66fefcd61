/**
 * The Alert aggregate: one stream `alert-<id>` per dedup key, raised once, then resolved. The alert itself is a
 * shared fact about a milestone or an agreement; acknowledging, snoozing and marking it done are each recipient's
 * own (`by`: the subscription owner), so one stakeholder's acknowledgement is not another's. While its agreement
 * is suspended an open alert is inhibited (held back, not deleted) and released on resumption.
 * Pure: no framework, database, broker or id generator here (the caller derives the alert id from the dedup key).
 * Refusals are DomainErrors with the reason in users' words; a command with nothing left to do decides nothing.
 */
import {
  DomainError,
  type AlertEvent,
  type AlertEventData,
  type AlertInhibition,
  type AlertResolution,
  type AlertStatus,
  type Decider,
  type RecipientState,
} from '@tracker/contracts';
import type { AlertDraft } from './rules';

/** An alert that was raised: its raised data, as `alert.raised` carried it, and where it stands now. */
export interface RaisedAlert extends AlertDraft {
  exists: true;
  alertId: string;
  status: AlertStatus;
  /** Who acknowledged it last (kept even when the acknowledgement came after the resolution). */
  acknowledgedBy?: string;
  /** Why it was closed, once resolved. */
  resolution?: AlertResolution;
  /** Why it is held back, while it is. */
  inhibited?: AlertInhibition;
  /** Each recipient that acted on it: where it stands (snoozed: until when). */
  recipients?: Record<string, { state: RecipientState; until?: string }>;
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
  /** `now`: the caller's clock, so that a snooze into the past is refused without the decider reading a clock. */
  | { kind: 'snooze'; alertId: string; by: string; until: string; now: string; note?: string }
  | { kind: 'markDone'; alertId: string; by: string; note?: string }
  | { kind: 'inhibit'; alertId: string; reason: AlertInhibition; causedByEventId?: string | null }
  | { kind: 'release'; alertId: string; causedByEventId?: string | null }
  | { kind: 'resolve'; alertId: string; resolution: AlertResolution; causedByEventId?: string | null };

function existing(state: AlertState, alertId: string): RaisedAlert {
  if (!state.exists) throw new DomainError('not-found', `alert ${alertId} not found`);
  return state;
}

function stillOpen(s: RaisedAlert, doing: string): void {
  if (s.status === 'resolved') throw new DomainError('invalid-transition', `alert ${s.alertId} is already resolved (${s.resolution}): nothing to ${doing}`);
}

const recipientOf = (s: RaisedAlert, by: string) => s.recipients?.[by];

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
      const mine = recipientOf(s, command.by)?.state;
      // Acknowledged (or done) by this recipient already: nothing to do. Others' acknowledgements do not count.
      if (mine === 'acknowledged' || mine === 'done') return [];
      stillOpen(s, 'acknowledge');
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
    case 'snooze': {
      const s = existing(state, command.alertId);
      stillOpen(s, 'snooze');
      if (recipientOf(s, command.by)?.state === 'done') {
        throw new DomainError('invalid-transition', `alert ${s.alertId} is marked done by ${command.by}: nothing to snooze`);
      }
      if (Date.parse(command.until) <= Date.parse(command.now)) {
        throw new DomainError('invalid', `until must be later than now (${command.now})`, 'until');
      }
      return [
        {
          type: 'alert.snoozed',
          schemaVersion: 1,
          data: {
            alertId: s.alertId,
            agreementId: s.agreementId,
            by: command.by,
            until: command.until,
            ...(command.note && { note: command.note }),
          } satisfies AlertEventData['alert.snoozed'],
        },
      ];
    }
    case 'markDone': {
      const s = existing(state, command.alertId);
      // Done is allowed on a resolved alert too: it takes it out of the recipient's inbox.
      if (recipientOf(s, command.by)?.state === 'done') return [];
      return [
        {
          type: 'alert.markedDone',
          schemaVersion: 1,
          data: { alertId: s.alertId, agreementId: s.agreementId, by: command.by, ...(command.note && { note: command.note }) } satisfies AlertEventData['alert.markedDone'],
        },
      ];
    }
    case 'inhibit': {
      const s = existing(state, command.alertId);
      if (s.status === 'resolved' || s.inhibited) return [];
      return [
        {
          type: 'alert.inhibited',
          schemaVersion: 1,
          data: {
            alertId: s.alertId,
            agreementId: s.agreementId,
            reason: command.reason,
            ...(command.causedByEventId && { causedByEventId: command.causedByEventId }),
          } satisfies AlertEventData['alert.inhibited'],
        },
      ];
    }
    case 'release': {
      const s = existing(state, command.alertId);
      if (s.status === 'resolved' || !s.inhibited) return [];
      return [
        {
          type: 'alert.released',
          schemaVersion: 1,
          data: {
            alertId: s.alertId,
            agreementId: s.agreementId,
            ...(command.causedByEventId && { causedByEventId: command.causedByEventId }),
          } satisfies AlertEventData['alert.released'],
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
      // The shared status says someone acknowledged it; each recipient's own stand is in `recipients`.
      // An acknowledgement never reopens a resolved alert.
      return {
        ...withRecipient(state, event.data.by, { state: 'acknowledged' }),
        status: state.status === 'resolved' ? 'resolved' : 'acknowledged',
        acknowledgedBy: event.data.by,
      };
    case 'alert.snoozed':
      return withRecipient(state, event.data.by, { state: 'snoozed', until: event.data.until });
    case 'alert.markedDone':
      return withRecipient(state, event.data.by, { state: 'done' });
    case 'alert.inhibited':
      return { ...state, inhibited: event.data.reason };
    case 'alert.released': {
      const { inhibited: _released, ...rest } = state;
      return rest;
    }
    case 'alert.resolved': {
      // A resolved alert is no longer held back: it is closed.
      const { inhibited: _closed, ...rest } = state;
      return { ...rest, status: 'resolved', resolution: event.data.resolution };
    }
    default:
      return state;
  }
}

function withRecipient(state: RaisedAlert, by: string, stand: { state: RecipientState; until?: string }): RaisedAlert {
  return { ...state, recipients: { ...state.recipients, [by]: stand } };
}

export const alertDecider: Decider<AlertState, AlertCommand, AlertEvent> = {
  initialState: () => ({ exists: false }),
  decide,
  evolve,
};
