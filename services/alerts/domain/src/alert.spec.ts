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

const ackBy = (by: string, note?: string): AlertEvent => ({ type: 'alert.acknowledged', schemaVersion: 1, data: { alertId, agreementId, by, ...(note && { note }) } });
const snoozed = (by: string, until: string): AlertEvent => ({ type: 'alert.snoozed', schemaVersion: 1, data: { alertId, agreementId, by, until } });
const done = (by: string): AlertEvent => ({ type: 'alert.markedDone', schemaVersion: 1, data: { alertId, agreementId, by } });
const inhibited: AlertEvent = { type: 'alert.inhibited', schemaVersion: 1, data: { alertId, agreementId, reason: 'agreementSuspended', causedByEventId: 'e-s' } };
const released: AlertEvent = { type: 'alert.released', schemaVersion: 1, data: { alertId, agreementId, causedByEventId: 'e-r' } };
const now = '2026-12-01T09:00:00.000Z';
const later = '2026-12-03T09:00:00.000Z';

const raise: AlertCommand = { kind: 'raise', alertId, draft };
const snooze = (by: string, until = later): AlertCommand => ({ kind: 'snooze', alertId, by, until, now });
const markDone = (by: string): AlertCommand => ({ kind: 'markDone', alertId, by });
const inhibit: AlertCommand = { kind: 'inhibit', alertId, reason: 'agreementSuspended', causedByEventId: 'e-s' };
const release: AlertCommand = { kind: 'release', alertId, causedByEventId: 'e-r' };
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
      ['a second recipient acknowledges for itself', [raised, acknowledged], { ...acknowledge, by: 'u-2', note: 'me too' }, [ackBy('u-2', 'me too')]],
      ['a recipient acknowledges after snoozing', [raised, snoozed('u-1', later)], acknowledge, [acknowledged]],
      ['snooze an open alert until later', [raised], snooze('u-1'), [snoozed('u-1', later)]],
      ['snooze again, for longer', [raised, snoozed('u-1', later)], snooze('u-1', '2026-12-09T00:00:00.000Z'), [snoozed('u-1', '2026-12-09T00:00:00.000Z')]],
      ['snooze an alert someone else marked done', [raised, done('u-2')], snooze('u-1'), [snoozed('u-1', later)]],
      ['mark an acknowledged alert done', [raised, acknowledged], markDone('u-1'), [done('u-1')]],
      ['mark a resolved alert done (out of the inbox)', [raised, resolvedMet], markDone('u-1'), [done('u-1')]],
      ['inhibit an open alert', [raised], inhibit, [inhibited]],
      ['inhibit an acknowledged alert', [raised, acknowledged], inhibit, [inhibited]],
      ['release an inhibited alert', [raised, inhibited], release, [released]],
      ['inhibit again after a release', [raised, inhibited, released], inhibit, [inhibited]],
      ['resolve an inhibited alert', [raised, inhibited], resolve, [resolvedMet]],
      ['acknowledge an inhibited alert', [raised, inhibited], acknowledge, [acknowledged]],
    ];
    it.each(accepted)('%s', (_name, given, command, then) => {
      spec.given(given).when(command).then(then);
    });
  });

  describe('nothing decided', () => {
    const nothing: Array<[string, AlertEvent[], AlertCommand]> = [
      ['raise an alert already raised', [raised], raise],
      ['raise an alert already resolved', [raised, resolvedMet], raise],
      ['acknowledge twice', [raised, acknowledged], { ...acknowledge, note: 'again' }],
      ['acknowledge after marking done', [raised, done('u-1')], acknowledge],
      ['acknowledge again once resolved, by the one who acknowledged', [raised, acknowledged, resolvedMet], acknowledge],
      ['mark done twice', [raised, done('u-1')], markDone('u-1')],
      ['inhibit an inhibited alert', [raised, inhibited], inhibit],
      ['inhibit a resolved alert', [raised, resolvedMet], inhibit],
      ['release an alert that is not inhibited', [raised], release],
      ['release a resolved alert', [raised, inhibited, resolvedMet], release],
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
      ['acknowledge a resolved alert', [raised, resolvedMet], acknowledge, 'invalid-transition', /^alert al-1 is already resolved \(met\): nothing to acknowledge$/],
      ['snooze an unknown alert', [], snooze('u-1'), 'not-found', /not found/],
      ['snooze a resolved alert', [raised, resolvedMet], snooze('u-1'), 'invalid-transition', /already resolved \(met\): nothing to snooze/],
      ['snooze an alert one marked done', [raised, done('u-1')], snooze('u-1'), 'invalid-transition', /marked done by u-1/],
      ['snooze into the past', [raised], snooze('u-1', '2026-11-30T00:00:00.000Z'), 'invalid', /until must be later than now/],
      ['snooze until now', [raised], snooze('u-1', now), 'invalid', /until must be later than now/],
      ['mark an unknown alert done', [], markDone('u-1'), 'not-found', /not found/],
      ['inhibit an unknown alert', [], inhibit, 'not-found', /not found/],
      [
        'acknowledge an alert someone else acknowledged, resolved since',
        [raised, ackBy('u-2'), { type: 'alert.resolved', schemaVersion: 1, data: { alertId, agreementId, resolution: 'cancelled' } }],
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

    it('each recipient keeps its own stand', () => {
      expect(fold([raised, acknowledged, snoozed('u-2', later), done('u-3')])).toMatchObject({
        recipients: { 'u-1': { state: 'acknowledged' }, 'u-2': { state: 'snoozed', until: later }, 'u-3': { state: 'done' } },
      });
    });

    it('an inhibited alert says why until it is released', () => {
      expect(fold([raised, inhibited])).toMatchObject({ status: 'open', inhibited: 'agreementSuspended' });
      expect(fold([raised, inhibited, released])).not.toHaveProperty('inhibited');
    });

    it('a resolved alert is no longer inhibited', () => {
      expect(fold([raised, inhibited, resolvedMet])).not.toHaveProperty('inhibited');
    });

    it('events before alert.raised leave no alert', () => {
      expect(fold([acknowledged, resolvedMet])).toEqual({ exists: false });
    });
  });
});
