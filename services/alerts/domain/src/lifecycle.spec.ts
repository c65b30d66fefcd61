import type { AlertKind, LifecycleStatus } from '@tracker/contracts';
import { lifecycleDecision, mayRaise, type AgreementChange, type LifecycleAlert, type LifecycleDecision } from './lifecycle';

const alert = (alertId: string, kind: AlertKind, extra: Partial<LifecycleAlert> = {}): LifecycleAlert => ({
  alertId,
  kind,
  dueDate: kind === 'agreement.stalled' ? null : '2026-12-31',
  inhibited: false,
  ...extra,
});
const approaching = alert('al-approach', 'deadline.approaching');
const missed = alert('al-missed', 'deadline.missed');
const slipped = alert('al-slip', 'milestone.slipped');
const atRisk = alert('al-risk', 'milestone.atRisk');
const stalled = alert('al-stall', 'agreement.stalled', { lastActivityAt: '2026-01-29T00:00:00.000Z' });
const held = (a: LifecycleAlert, milestone?: LifecycleAlert['milestone']): LifecycleAlert => ({ ...a, inhibited: true, ...(milestone !== undefined && { milestone }) });
const due = { status: 'inProgress' as const, dueDate: '2026-12-31' };

const lifecycle = (l: LifecycleStatus): AgreementChange => ({ kind: 'lifecycle', lifecycle: l });
const activity: AgreementChange = { kind: 'activity', at: '2026-08-03T00:00:00.000Z' };
const decision = (d: Partial<LifecycleDecision>): LifecycleDecision => ({ inhibit: [], release: [], close: [], ...d });

describe('agreement lifecycle: given the open alerts, when the agreement changes, then', () => {
  const table: Array<[string, LifecycleAlert[], AgreementChange, LifecycleDecision]> = [
    // Suspended: held back, kept.
    ['suspended: every open alert is inhibited', [approaching, slipped, stalled], lifecycle('suspended'), decision({ inhibit: ['al-approach', 'al-slip', 'al-stall'] })],
    ['suspended again (a redelivery): nothing more', [held(approaching), held(stalled)], lifecycle('suspended'), decision({})],
    ['suspended, one alert raised since: only that one', [held(approaching), missed], lifecycle('suspended'), decision({ inhibit: ['al-missed'] })],
    ['suspended, nothing open: nothing', [], lifecycle('suspended'), decision({})],
    // Resumed: back if still true.
    ['resumed: every inhibited alert comes back', [held(approaching, due), held(slipped), held(atRisk), held(stalled)], lifecycle('active'), decision({ release: ['al-approach', 'al-slip', 'al-risk', 'al-stall'] })],
    ['resumed, alerts never held back: nothing', [approaching, slipped], lifecycle('active'), decision({})],
    [
      'resumed, an approach alert whose window passed while suspended: back (the scan raises the current one)',
      [held({ ...approaching, dueDate: '2026-12-31' }, { status: 'scheduled', dueDate: '2026-12-31' })],
      lifecycle('active'),
      decision({ release: ['al-approach'] }),
    ],
    ['resumed, the milestone met meanwhile (found open): closed as met', [held(approaching, { status: 'met', dueDate: '2026-12-31' })], lifecycle('active'), decision({ close: [{ alertId: 'al-approach', resolution: 'met' }] })],
    ['resumed, the milestone cancelled meanwhile: closed as cancelled', [held(missed, { status: 'cancelled', dueDate: '2026-12-31' })], lifecycle('active'), decision({ close: [{ alertId: 'al-missed', resolution: 'cancelled' }] })],
    ['resumed, the milestone rescheduled meanwhile: its old date’s alert closes', [held(missed, { status: 'inProgress', dueDate: '2027-06-30' })], lifecycle('active'), decision({ close: [{ alertId: 'al-missed', resolution: 'rescheduled' }] })],
    ['resumed, the milestone marked not met: the approach alert closes', [held(approaching, { status: 'notMet', dueDate: '2026-12-31' })], lifecycle('active'), decision({ close: [{ alertId: 'al-approach', resolution: 'notMet' }] })],
    ['resumed, the milestone marked not met: the miss still holds', [held(missed, { status: 'notMet', dueDate: '2026-12-31' })], lifecycle('active'), decision({ release: ['al-missed'] })],
    ['resumed, a slip alert of a milestone met since: back (slip alerts stay until acknowledged)', [held(slipped, { status: 'met', dueDate: '2026-12-31' })], lifecycle('active'), decision({ release: ['al-slip'] })],
    ['resumed, the milestone unknown: back', [held(missed, null)], lifecycle('active'), decision({ release: ['al-missed'] })],
    // Ended: closed with the reason.
    [
      'terminated: every open alert closes, held back or not, agreement.stalled too',
      [held(approaching), missed, stalled],
      lifecycle('terminated'),
      decision({ close: ['al-approach', 'al-missed', 'al-stall'].map((alertId) => ({ alertId, resolution: 'agreementTerminated' as const })) }),
    ],
    ['expired: every open alert closes as expired', [slipped, atRisk], lifecycle('expired'), decision({ close: ['al-slip', 'al-risk'].map((alertId) => ({ alertId, resolution: 'agreementExpired' as const })) })],
    ['terminated, nothing open: nothing', [], lifecycle('terminated'), decision({})],
    // Milestone activity: a stall is over.
    ['milestone activity: the open agreement.stalled closes', [approaching, stalled], activity, decision({ close: [{ alertId: 'al-stall', resolution: 'activityResumed' }] })],
    ['milestone activity while suspended: the held-back stall closes too', [held(approaching), held(stalled)], activity, decision({ close: [{ alertId: 'al-stall', resolution: 'activityResumed' }] })],
    ['milestone activity, no stall open: nothing', [approaching, missed], activity, decision({})],
    ['a progress report entered late, dated before the stall’s last activity: the stall holds', [stalled], { kind: 'activity', at: '2026-01-10T00:00:00.000Z' }, decision({})],
    ['activity at the very time the stall was measured from: the stall holds', [stalled], { kind: 'activity', at: '2026-01-29T00:00:00.000Z' }, decision({})],
    ['activity later on the day the stall was measured from (entered late): the stall holds', [stalled], { kind: 'activity', at: '2026-01-29T15:30:00.000Z' }, decision({})],
    ['activity on the next day: the stall closes', [stalled], { kind: 'activity', at: '2026-01-30T00:00:00.000Z' }, decision({ close: [{ alertId: 'al-stall', resolution: 'activityResumed' }] })],
    ['a stall of unknown last activity: activity ends it', [{ ...stalled, lastActivityAt: undefined }], activity, decision({ close: [{ alertId: 'al-stall', resolution: 'activityResumed' }] })],
  ];
  it.each(table)('%s', (_name, open, change, expected) => {
    expect(lifecycleDecision(change, open)).toEqual(expected);
  });
});

describe('raising for an agreement: given its lifecycle, when an alert of a kind would be raised, then', () => {
  const kinds: AlertKind[] = ['deadline.approaching', 'deadline.missed', 'milestone.slipped', 'milestone.notMet', 'milestone.atRisk', 'agreement.stalled'];
  it.each(kinds)('%s: raised for an active or unknown agreement, not for a suspended, terminated or expired one', (kind) => {
    expect([mayRaise('active', kind), mayRaise(undefined, kind)]).toEqual([true, true]);
    expect([mayRaise('suspended', kind), mayRaise('terminated', kind), mayRaise('expired', kind)]).toEqual([false, false, false]);
  });
  it('the milestone.resolved notice (news of an outcome, closed at once) while suspended, but not once ended', () => {
    expect([mayRaise('suspended', 'milestone.resolved'), mayRaise('terminated', 'milestone.resolved'), mayRaise('expired', 'milestone.resolved')]).toEqual([true, false, false]);
  });
});
