import { alertReason, ordinal, windowOf, type ReasonInput } from './reason';

const survey = 'Geological survey of the Almalyk deposit';
const of = (kind: ReasonInput['kind'], dueDate: string | null, window: number | null, facts: ReasonInput['facts'], extra: Partial<ReasonInput> = {}): ReasonInput => ({
  kind,
  milestoneTitle: kind === 'agreement.stalled' ? null : survey,
  dueDate,
  window,
  facts,
  ...extra,
});

describe('alertReason', () => {
  const table: Array<[string, ReasonInput, string]> = [
    ['approaching: the days left and the date', of('deadline.approaching', '2026-12-08', 7, { daysLeft: 7 }), `${survey} is due in 7 days (2026-12-08)`],
    ['approaching a day before', of('deadline.approaching', '2026-12-08', 1, { daysLeft: 1 }), `${survey} is due in 1 day (2026-12-08)`],
    ['approaching on the day', of('deadline.approaching', '2026-12-08', 1, { daysLeft: 0 }), `${survey} is due today (2026-12-08)`],
    ['approaching inside a wider window: the days left, not the window', of('deadline.approaching', '2026-12-08', 30, { daysLeft: 12 }), `${survey} is due in 12 days (2026-12-08)`],
    ['missed: the date and by how much', of('deadline.missed', '2026-11-30', null, { daysOverdue: 3 }), `${survey} missed its due date 2026-11-30 by 3 days`],
    [
      'slipped: by how much, to when, the how-manieth, why',
      of('milestone.slipped', '2027-03-01', 2, { slipDays: 45, slipCount: 2, previousDueDate: '2027-01-15', reason: 'financing not closed' }),
      `${survey} slipped by 45 days to 2027-03-01 (second slip): financing not closed`,
    ],
    ['slipped without a reason', of('milestone.slipped', '2027-03-01', 1, { slipDays: 1, slipCount: 1 }), `${survey} slipped by 1 day to 2027-03-01 (first slip)`],
    ['the 12th slip', of('milestone.slipped', '2027-03-01', 12, { slipDays: 10, slipCount: 12 }), `${survey} slipped by 10 days to 2027-03-01 (12th slip)`],
    [
      'stalled: the agreement, the idle days, the last activity',
      of('agreement.stalled', null, 180, { idleDays: 200, lastActivityAt: '2026-05-16T09:00:00.000Z' }, { agreementTitle: 'Uzbekistan–Türkiye critical minerals MoU' }),
      'Uzbekistan–Türkiye critical minerals MoU has had no milestone progress for 200 days (last on 2026-05-16)',
    ],
    ['stalled, the agreement not known yet', of('agreement.stalled', null, 180, { idleDays: 181 }), 'The agreement has had no milestone progress for 181 days'],
    [
      'at risk: the projection, days late and the pace',
      of('milestone.atRisk', '2027-01-16', 25, { projectedOn: '2027-02-10', velocityPerDay: 0.8 }),
      `${survey} is at risk: projected 2027-02-10, 25 days late at 0.8 %/day`,
    ],
    [
      'at risk with no forward pace',
      of('milestone.atRisk', '2027-01-16', null, { projectedOn: null, velocityPerDay: 0 }),
      `${survey} is at risk: no forward progress at 0 %/day, it would never be complete (due 2027-01-16)`,
    ],
    ['resolved: met on a date', of('milestone.resolved', '2026-12-08', null, { outcome: 'met', outcomeOn: '2026-12-01' }), `${survey} was met on 2026-12-01 (due 2026-12-08)`],
    ['resolved: cancelled', of('milestone.resolved', '2026-12-08', null, { outcome: 'cancelled' }), `${survey} was cancelled (due 2026-12-08)`],
    ['resolved: partially met', of('milestone.resolved', '2026-12-08', null, { outcome: 'partiallyMet', outcomeOn: '2026-12-09' }), `${survey} was partially met on 2026-12-09 (due 2026-12-08)`],
    [
      'not met, and why',
      of('milestone.notMet', '2026-12-08', null, { outcome: 'notMet', outcomeOn: '2026-12-10', reason: 'licence withdrawn' }),
      `${survey} was marked not met on 2026-12-10 (due 2026-12-08): licence withdrawn`,
    ],
    ['an untitled milestone', of('deadline.missed', '2026-11-30', null, { daysOverdue: 1 }, { milestoneTitle: null }), 'The milestone missed its due date 2026-11-30 by 1 day'],
  ];
  it.each(table)('given %s, it reads as expected', (_name, alert, expected) => {
    expect(alertReason(alert)).toBe(expected);
  });
});

describe('windowOf', () => {
  const table: Array<[string, Parameters<typeof windowOf>[0], ReturnType<typeof windowOf>]> = [
    ['approaching: the window in days', { kind: 'deadline.approaching', window: 7, facts: { daysLeft: 5 } }, { windowDays: 7, slipNumber: null }],
    ['slipped: the window is the slip number, not days', { kind: 'milestone.slipped', window: 4, facts: { slipCount: 4, slipDays: 30 } }, { windowDays: null, slipNumber: 4 }],
    ['stalled: the idle days', { kind: 'agreement.stalled', window: 180, facts: { idleDays: 200 } }, { windowDays: 200, slipNumber: null }],
    ['at risk: the days late', { kind: 'milestone.atRisk', window: 25, facts: {} }, { windowDays: 25, slipNumber: null }],
    ['at risk, never complete: no days', { kind: 'milestone.atRisk', window: null, facts: {} }, { windowDays: null, slipNumber: null }],
    ['missed: none', { kind: 'deadline.missed', window: null, facts: { daysOverdue: 3 } }, { windowDays: null, slipNumber: null }],
    ['resolved: none', { kind: 'milestone.resolved', window: null, facts: {} }, { windowDays: null, slipNumber: null }],
  ];
  it.each(table)('given %s', (_name, alert, expected) => {
    expect(windowOf(alert)).toEqual(expected);
  });
});

describe('ordinal', () => {
  it.each([
    [1, 'first'],
    [10, 'tenth'],
    [11, '11th'],
    [12, '12th'],
    [13, '13th'],
    [21, '21st'],
    [22, '22nd'],
    [23, '23rd'],
    [111, '111th'],
  ])('%i is %s', (n, word) => expect(ordinal(n)).toBe(word));
});
