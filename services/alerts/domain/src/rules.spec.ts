import type { AlertSeverity, MilestoneEventData } from '@tracker/contracts';
import {
  atLeast,
  deadlineAlerts,
  dedupKey,
  DEFAULT_ALERT_POLICY,
  evolveDeadline,
  resolution,
  slipAlert,
  slipSeverity,
  stallAlert,
  type AlertDraft,
  type MilestoneDeadline,
} from './rules';

const m = (extra: Partial<MilestoneDeadline> = {}): MilestoneDeadline => ({
  milestoneId: 'm-1',
  agreementId: 'a-1',
  type: 'geological_survey',
  title: 'Joint exploration programme launched',
  status: 'scheduled',
  dueDate: '2026-12-31',
  slipCount: 0,
  ...extra,
});
const ctx = { agreementId: 'a-1', milestoneId: 'm-1', milestoneType: 'geological_survey', milestoneTitle: 'Joint exploration programme launched' };
const approaching = (window: number, daysLeft: number, severity: AlertSeverity, status = 'scheduled'): AlertDraft => ({
  dedupKey: `m-1|deadline.approaching|2026-12-31|${window}`,
  kind: 'deadline.approaching',
  severity,
  ...ctx,
  dueDate: '2026-12-31',
  window,
  facts: { milestoneStatus: status, daysLeft },
} as AlertDraft);
const missed = (daysOverdue: number, severity: AlertSeverity, status = 'scheduled', slipCount = 0): AlertDraft => ({
  dedupKey: 'm-1|deadline.missed|2026-12-31|-',
  kind: 'deadline.missed',
  severity,
  ...ctx,
  dueDate: '2026-12-31',
  window: null,
  facts: { milestoneStatus: status, daysOverdue, slipCount },
} as AlertDraft);

describe('deadline alerts: given a milestone, when the scheduler looks on a date, then it raises', () => {
  const table: Array<[string, MilestoneDeadline, string, AlertDraft[]]> = [
    ['nothing 31 days before', m(), '2026-11-30', []],
    ['the 30-day window exactly 30 days before', m(), '2026-12-01', [approaching(30, 30, 'low')]],
    ['still the 30-day window 8 days before', m(), '2026-12-23', [approaching(30, 8, 'low')]],
    ['the 7-day window 7 days before', m(), '2026-12-24', [approaching(7, 7, 'medium')]],
    ['only the tightest window when first seen late (5 days before)', m(), '2026-12-26', [approaching(7, 5, 'medium')]],
    ['the 1-day window the day before', m(), '2026-12-30', [approaching(1, 1, 'high')]],
    ['the 1-day window on the due date itself', m(), '2026-12-31', [approaching(1, 0, 'high')]],
    ['for a milestone in progress too', m({ status: 'inProgress' }), '2026-12-30', [approaching(1, 1, 'high', 'inProgress')]],
    ['missed the day after the due date', m(), '2027-01-01', [missed(1, 'high')]],
    ['missed, long after', m(), '2027-03-01', [missed(60, 'high')]],
    ['missed for one marked not met', m({ status: 'notMet' }), '2027-01-01', [missed(1, 'high', 'notMet')]],
    ['missed and critical after two slips', m({ slipCount: 2 }), '2027-01-01', [missed(1, 'critical', 'scheduled', 2)]],
    ['no approach alert for one marked not met', m({ status: 'notMet' }), '2026-12-30', []],
    ['nothing for a met milestone after its due date', m({ status: 'met' }), '2027-01-01', []],
    ['nothing for a partially met one', m({ status: 'partiallyMet' }), '2027-01-01', []],
    ['nothing for a cancelled one', m({ status: 'cancelled' }), '2027-01-01', []],
    ['nothing for a met one before its due date', m({ status: 'met' }), '2026-12-30', []],
  ];
  it.each(table)('%s', (_name, milestone, today, expected) => {
    expect(deadlineAlerts(milestone, today)).toEqual(expected);
  });

  it('follows configured windows', () => {
    const policy = { ...DEFAULT_ALERT_POLICY, approachWindows: [14, 3] };
    expect(deadlineAlerts(m(), '2026-12-16', policy)).toEqual([]);
    expect(deadlineAlerts(m(), '2026-12-17', policy).map((a) => [a.window, a.severity])).toEqual([[14, 'low']]);
    expect(deadlineAlerts(m(), '2026-12-29', policy).map((a) => [a.window, a.severity])).toEqual([[3, 'medium']]);
  });

  it('gives the same dedup key however often it is asked, and a new one for a new due date', () => {
    const first = deadlineAlerts(m(), '2026-12-26')[0].dedupKey;
    expect(deadlineAlerts(m(), '2026-12-27')[0].dedupKey).toBe(first);
    expect(deadlineAlerts(m({ dueDate: '2027-01-02' }), '2026-12-27')[0].dedupKey).toBe('m-1|deadline.approaching|2027-01-02|7');
  });
});

const rescheduled = (previousDueDate: string, newDueDate: string, slipDays: number, slipCount: number): MilestoneEventData['milestone.rescheduled'] => ({
  milestoneId: 'm-1',
  agreementId: 'a-1',
  previousDueDate,
  newDueDate,
  slipDays,
  reason: 'funding delayed',
  decidedOn: '2026-11-01',
  slipCount,
});

describe('slip alerts: given a reschedule, then', () => {
  const table: Array<[string, MilestoneEventData['milestone.rescheduled'], Partial<AlertDraft> | null]> = [
    ['a first slip of 90 days is medium', rescheduled('2026-12-31', '2027-03-31', 90, 1), { severity: 'medium', window: 1, dedupKey: 'm-1|milestone.slipped|2027-03-31|1' }],
    ['a first slip of 10 days is low', rescheduled('2026-12-31', '2027-01-10', 10, 1), { severity: 'low', window: 1 }],
    ['a third slip of 1 day is high (two levels for two earlier slips)', rescheduled('2027-06-30', '2027-07-01', 1, 3), { severity: 'high', window: 3 }],
    ['a first slip of 200 days is critical', rescheduled('2026-12-31', '2027-07-19', 200, 1), { severity: 'critical' }],
    ['a move to an earlier date is no slip', rescheduled('2026-12-31', '2026-11-30', -31, 0), null],
  ];
  it.each(table)('%s', (_name, event, expected) => {
    const alert = slipAlert(m({ dueDate: event.newDueDate, slipCount: event.slipCount }), event, 'e-1');
    if (expected === null) expect(alert).toBeNull();
    else
      expect(alert).toMatchObject({
        kind: 'milestone.slipped',
        dueDate: event.newDueDate,
        facts: { previousDueDate: event.previousDueDate, slipDays: event.slipDays, slipCount: event.slipCount, reason: 'funding delayed', causedByEventId: 'e-1' },
        ...expected,
      });
  });

  it('severity grows with slip days and with the count of slips', () => {
    const days = [1, 30, 31, 90, 91, 180, 181].map((d) => slipSeverity(d, 1));
    expect(days).toEqual(['low', 'low', 'medium', 'medium', 'high', 'high', 'critical']);
    expect([1, 2, 3, 4, 5].map((n) => slipSeverity(10, n))).toEqual(['low', 'medium', 'high', 'critical', 'critical']);
  });
});

describe('resolution: given open alerts, when the milestone', () => {
  const open = [
    { alertId: 'x-approach', kind: 'deadline.approaching' as const, dueDate: '2026-12-31' },
    { alertId: 'x-missed-old', kind: 'deadline.missed' as const, dueDate: '2026-10-31' },
    { alertId: 'x-slip', kind: 'milestone.slipped' as const, dueDate: '2026-12-31' },
  ];
  it('is met: a resolved notice, and every open alert closes as met', () => {
    const r = resolution(m({ status: 'met' }), { kind: 'outcome', outcome: 'met', on: '2026-12-01', causedByEventId: 'e-9' }, open);
    expect(r.notice).toEqual({
      dedupKey: 'm-1|milestone.resolved|2026-12-31|-',
      kind: 'milestone.resolved',
      severity: 'info',
      ...ctx,
      dueDate: '2026-12-31',
      window: null,
      facts: { milestoneStatus: 'met', outcome: 'met', outcomeOn: '2026-12-01', causedByEventId: 'e-9' },
    });
    expect(r.close).toEqual(open.map((a) => ({ alertId: a.alertId, resolution: 'met' })));
  });
  it('is marked not met: milestone.notMet (high, to act on) with the reason, and the other open alerts close as notMet', () => {
    const withNotMet = [...open, { alertId: 'x-notmet', kind: 'milestone.notMet' as const, dueDate: '2026-12-31' }];
    const r = resolution(m({ status: 'notMet' }), { kind: 'outcome', outcome: 'notMet', on: '2026-12-15', reason: 'the licence was withdrawn', causedByEventId: 'e-7' }, withNotMet);
    expect(r.notice).toEqual({
      dedupKey: 'm-1|milestone.notMet|2026-12-31|-',
      kind: 'milestone.notMet',
      severity: 'high',
      ...ctx,
      dueDate: '2026-12-31',
      window: null,
      facts: { milestoneStatus: 'notMet', outcome: 'notMet', outcomeOn: '2026-12-15', reason: 'the licence was withdrawn', causedByEventId: 'e-7' },
    });
    // Its own alert (a redelivery) stays open; a miss is never "on time" when not met.
    expect(r.close).toEqual(open.map((a) => ({ alertId: a.alertId, resolution: 'notMet' })));
  });
  it('is cancelled: alerts close as cancelled', () => {
    const r = resolution(m({ status: 'cancelled' }), { kind: 'outcome', outcome: 'cancelled' }, open);
    expect(r.close.map((c) => c.resolution)).toEqual(['cancelled', 'cancelled', 'cancelled']);
  });
  it('is met by its due date but recorded late: the miss raised meanwhile closes as met on time', () => {
    const missed = [{ alertId: 'x-missed', kind: 'deadline.missed' as const, dueDate: '2026-12-31' }, ...open];
    const r = resolution(m({ status: 'met' }), { kind: 'outcome', outcome: 'met', on: '2026-12-20' }, missed);
    expect(r.close).toEqual([
      { alertId: 'x-missed', resolution: 'metOnTime' },
      { alertId: 'x-approach', resolution: 'met' },
      { alertId: 'x-missed-old', resolution: 'met' },
      { alertId: 'x-slip', resolution: 'met' },
    ]);
    // Cancelled, or met after the due date: no "on time".
    expect(resolution(m({ status: 'met' }), { kind: 'outcome', outcome: 'met', on: '2027-01-02' }, missed).close[0].resolution).toBe('met');
    expect(resolution(m({ status: 'cancelled' }), { kind: 'outcome', outcome: 'cancelled', on: '2026-12-20' }, missed).close[0].resolution).toBe('cancelled');
  });
  it('has its due date corrected: deadline alerts of other due dates close as corrected', () => {
    const r = resolution(m({ dueDate: '2027-01-31' }), { kind: 'dueDateCorrected' }, open);
    expect(r).toEqual({ notice: null, close: [{ alertId: 'x-approach', resolution: 'dueDateCorrected' }, { alertId: 'x-missed-old', resolution: 'dueDateCorrected' }] });
  });
  it('is rescheduled: deadline alerts of other due dates close, slip alerts stay', () => {
    const r = resolution(m({ dueDate: '2027-03-31' }), { kind: 'rescheduled' }, open);
    expect(r).toEqual({ notice: null, close: [{ alertId: 'x-approach', resolution: 'rescheduled' }, { alertId: 'x-missed-old', resolution: 'rescheduled' }] });
  });
});

describe('stalled agreements', () => {
  const a = { agreementId: 'a-1', lastActivityAt: '2026-01-29T09:00:00.000Z', finished: false };
  it.each([
    ['179 days idle: nothing', '2026-07-27', null],
    ['180 days idle: stalled', '2026-07-28', { kind: 'agreement.stalled', dedupKey: 'a-1|agreement.stalled|2026-01-29|180', facts: { idleDays: 180 } }],
  ])('%s', (_n, today, expected) => {
    const alert = stallAlert(a, today);
    if (expected === null) expect(alert).toBeNull();
    else expect(alert).toMatchObject(expected);
  });
  it('a finished agreement never stalls', () => {
    expect(stallAlert({ ...a, finished: true }, '2030-01-01')).toBeNull();
  });
});

describe('folding milestone events into a deadline', () => {
  it('follows plan, start, slip and outcome', () => {
    const planned: MilestoneEventData['milestone.planned'] = { milestoneId: 'm-1', agreementId: 'a-1', type: 'geological_survey', title: 'Joint exploration programme launched', dueDate: '2026-12-31', evidence: [] };
    let d = evolveDeadline(undefined, 'milestone.planned', planned);
    expect(d).toEqual(m());
    d = evolveDeadline(d, 'milestone.started', { milestoneId: 'm-1', agreementId: 'a-1', startedOn: '2026-03-01' });
    d = evolveDeadline(d, 'milestone.rescheduled', rescheduled('2026-12-31', '2027-03-31', 90, 1));
    expect(d).toEqual(m({ status: 'inProgress', dueDate: '2027-03-31', slipCount: 1 }));
    d = evolveDeadline(d, 'milestone.cancelled', { milestoneId: 'm-1', agreementId: 'a-1', reason: 'superseded', on: '2026-11-01' });
    expect(d?.status).toBe('cancelled');
    expect(evolveDeadline(undefined, 'milestone.met', { milestoneId: 'm-1', agreementId: 'a-1', metOn: '2026-01-01', evidence: [] })).toBeUndefined();
    const correction = (current: boolean) => ({ milestoneId: 'm-1', agreementId: 'a-1', correctsEventId: 'e-1', correctsType: 'milestone.planned' as const, changes: { dueDate: '2027-01-31' }, current, reason: 'typo' });
    expect(evolveDeadline(m(), 'milestone.corrected', correction(true))).toEqual(m({ dueDate: '2027-01-31' }));
    expect(evolveDeadline(m(), 'milestone.corrected', correction(false))).toEqual(m());
  });
});

describe('severity and keys', () => {
  it('compares severities', () => {
    expect(atLeast('high', 'medium')).toBe(true);
    expect(atLeast('low', 'medium')).toBe(false);
    expect(atLeast('info', undefined)).toBe(true);
  });
  it('builds dedup keys from milestone, kind, due date and window', () => {
    expect(dedupKey('m-1', 'deadline.approaching', '2026-12-31', 7)).toBe('m-1|deadline.approaching|2026-12-31|7');
    expect(dedupKey('m-1', 'deadline.missed', '2026-12-31', null)).toBe('m-1|deadline.missed|2026-12-31|-');
  });
});
