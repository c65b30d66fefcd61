import { DeciderSpecification, type AlertEvent } from '@tracker/contracts';
import { alertDecider, type AlertCommand, type AlertState } from './alert';
import type { AlertDraft } from './rules';

const spec = DeciderSpecification(alertDecider);
const alertId = 'al-1';
const agreementId = 'a-1';
const draft: AlertDraft = {
  dedupKey: 'm-1|deadline.missed|2026-10-31|-',
  kind: 'deadline.missed',
  severity: 'high',
  agreementId,
  milestoneId: 'm-1',
  milestoneType: 'geological_survey',
  milestoneTitle: 'Joint exploration programme launched',
  dueDate: '2026-10-31',
  window: null,
  facts: { milestoneStatus: 'inProgress', daysOverdue: 22, slipCount: 0 },
};

const raised: AlertEvent = { type: 'alert.raised', schemaVersion: 1, data: { alertId, ...draft } };
const acknowledged: AlertEvent = { type: 'alert.acknowledged', schemaVersion: 1, data: { alertId, agreementId, by: 'u-1' } };
const resolvedMet: AlertEvent = { type: 'alert.resolved', schemaVersion: 1, data: { alertId, agreementId, resolution: 'met' } };

const raise: AlertCommand = { kind: 'raise', alertId, draft };
const acknowledge: AlertCommand = { kind: 'acknowledge', alertId, by: 'u-1' };
const resolve: AlertCommand = { kind: 'resolve', alertId, resolution: 'met' };

describe('Alert decider', () => {
  describe('accepted commands', () => {
    const accepted: Array<[string, AlertEvent[], AlertCommand, AlertEvent[]]> = [
      ['raise a new alert', [], raise, [raised]],
      ['raise at a given time', [], { ...raise, occurredAt: '2026-11-22T06:00:00.000Z' }, [{ ...raised, occurredAt: '2026-11-22T06:00:00.000Z' }]],
      ['acknowledge an open alert', [raised], acknowledge, [acknowledged]],
      [
        'acknowledge with a note',
        [raised],
        { ...acknowledge, note: 'looking into it' },
        [{ type: 'alert.acknowledged', schemaVersion: 1, data: { alertId, agreementId, by: 'u-1', note: 'looking into it' } }],
      ],
      ['an empty note is left out', [raised], { ...acknowledge, note: '' }, [acknowledged]],
      ['resolve an open alert', [raised], resolve, [resolvedMet]],
      [
        'resolve an acknowledged alert, naming the event that closed it',
        [raised, acknowledged],
        { kind: 'resolve', alertId, resolution: 'rescheduled', causedByEventId: 'e-9' },
        [{ type: 'alert.resolved', schemaVersion: 1, data: { alertId, agreementId, resolution: 'rescheduled', causedByEventId: 'e-9' } }],
      ],
      ['a null cause is left out', [raised], { ...resolve, causedByEventId: null }, [resolvedMet]],
    ];
    it.each(accepted)('%s', (_name, given, command, then) => {
      spec.given(given).when(command).then(then);
    });
  });

  describe('nothing decided', () => {
    const nothing: Array<[string, AlertEvent[], AlertCommand]> = [
      ['raise an alert already raised', [raised], raise],
      ['raise an alert already resolved', [raised, resolvedMet], raise],
      ['acknowledge twice', [raised, acknowledged], { ...acknowledge, by: 'u-2', note: 'me too' }],
      ['resolve twice', [raised, resolvedMet], { ...resolve, resolution: 'cancelled' }],
      ['resolve an acknowledged and resolved alert', [raised, acknowledged, resolvedMet], resolve],
      ['resolve an alert acknowledged after it was resolved', [raised, resolvedMet, acknowledged], resolve],
    ];
    it.each(nothing)('%s', (_name, given, command) => {
      spec.given(given).when(command).then([]);
    });
  });

  describe('refused commands', () => {
    const refused: Array<[string, AlertEvent[], AlertCommand, string, RegExp]> = [
      ['acknowledge an unknown alert', [], acknowledge, 'not-found', /^alert al-1 not found$/],
      ['resolve an unknown alert', [], resolve, 'not-found', /^alert al-1 not found$/],
      ['acknowledge a resolved alert', [raised, resolvedMet], acknowledge, 'invalid-transition', /^alert al-1 is already resolved \(met\)$/],
      [
        'acknowledge an acknowledged and resolved alert',
        [raised, acknowledged, { type: 'alert.resolved', schemaVersion: 1, data: { alertId, agreementId, resolution: 'cancelled' } }],
        acknowledge,
        'invalid-transition',
        /already resolved \(cancelled\)/,
      ],
    ];
    it.each(refused)('%s', (_name, given, command, code, message) => {
      spec.given(given).when(command).thenThrows(code as never, message);
    });
  });

  describe('evolve', () => {
    const fold = (events: AlertEvent[]): AlertState => events.reduce(alertDecider.evolve, alertDecider.initialState());

    it('starts with no alert', () => {
      expect(alertDecider.initialState()).toEqual({ exists: false });
    });

    it('a raised alert is open and carries its raised data', () => {
      expect(fold([raised])).toEqual({ exists: true, alertId, ...draft, status: 'open' });
    });

    it('an acknowledged alert records who acknowledged it', () => {
      expect(fold([raised, acknowledged])).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'u-1' });
    });

    it('a resolved alert records its resolution', () => {
      expect(fold([raised, acknowledged, resolvedMet])).toMatchObject({ status: 'resolved', resolution: 'met', acknowledgedBy: 'u-1' });
    });

    it('an acknowledgement after the resolution keeps the alert resolved', () => {
      expect(fold([raised, resolvedMet, acknowledged])).toMatchObject({ status: 'resolved', resolution: 'met' });
    });

    it('events before alert.raised leave no alert', () => {
      expect(fold([acknowledged, resolvedMet])).toEqual({ exists: false });
    });
  });
});
