import type { Alert } from '../api/types';
import {
  alertKindLabel,
  alertSummary,
  alertText,
  catchUpDelay,
  liveAnnouncement,
  recordedLater,
  standWords,
} from './alerts';

/** An alert as the alerts service lists it, about the TR-UZ shared geological data standard (due 2026-09-30). */
const alert = (a: Pick<Alert, 'kind'> & Partial<Alert>): Alert => ({
  id: '3e1b2c4d-5f60-4a7b-8c9d-0e1f2a3b4c5d',
  severity: 'medium',
  status: 'open',
  agreementId: '0b7c4f0e-9c1e-4b8e-8f57-3f1c2a6d9e41',
  milestoneId: '6a2d9f10-7b3c-4e5d-9f60-1a2b3c4d5e6f',
  milestoneTitle: 'Shared geological data standard agreed',
  milestoneType: 'information_sharing',
  dueDate: '2026-09-30',
  window: null,
  facts: {},
  raisedAt: '2026-09-23T06:00:00.000Z',
  ...a,
});

describe('alertSummary', () => {
  // Given the alert's kind, window and facts (as the alerts service's rules raise them), then the words.
  it.each([
    [
      'due in a week',
      alert({
        kind: 'deadline.approaching',
        window: 7,
        facts: { milestoneStatus: 'inProgress', daysLeft: 7 },
      }),
      'Due in 7 days (30 Sep 2026)',
    ],
    [
      'due tomorrow',
      alert({ kind: 'deadline.approaching', window: 1, facts: { daysLeft: 1 } }),
      'Due in 1 day (30 Sep 2026)',
    ],
    [
      'due today',
      alert({ kind: 'deadline.approaching', window: 1, facts: { daysLeft: 0 } }),
      'Due today (30 Sep 2026)',
    ],
    [
      'approaching without daysLeft: the window',
      alert({ kind: 'deadline.approaching', window: 30 }),
      'Due in 30 days (30 Sep 2026)',
    ],
    [
      'approaching without daysLeft, a one-day window',
      alert({ kind: 'deadline.approaching', window: 1 }),
      'Due in 1 day (30 Sep 2026)',
    ],
    [
      'missed',
      alert({ kind: 'deadline.missed', facts: { daysOverdue: 12, slipCount: 0 } }),
      'Deadline missed: due 30 Sep 2026, 12 days overdue',
    ],
    [
      'missed yesterday',
      alert({ kind: 'deadline.missed', facts: { daysOverdue: 1 } }),
      'Deadline missed: due 30 Sep 2026, 1 day overdue',
    ],
    ['missed, no days known', alert({ kind: 'deadline.missed' }), 'Deadline missed: due 30 Sep 2026'],
    [
      'slipped',
      alert({
        kind: 'milestone.slipped',
        dueDate: '2026-12-31',
        window: 1,
        facts: {
          previousDueDate: '2026-09-30',
          slipDays: 92,
          slipCount: 1,
          reason: 'Data-sharing protocol awaiting ratification',
        },
      }),
      'Slipped +92 days: 30 Sep 2026 → 31 Dec 2026 (slip 1). Reason: Data-sharing protocol awaiting ratification',
    ],
    [
      'slipped again, slip number from the window',
      alert({
        kind: 'milestone.slipped',
        dueDate: '2027-03-31',
        window: 2,
        facts: { previousDueDate: '2026-12-31', slipDays: 90 },
      }),
      'Slipped +90 days: 31 Dec 2026 → 31 Mar 2027 (slip 2)',
    ],
    [
      'slipped, no days known',
      alert({
        kind: 'milestone.slipped',
        dueDate: '2026-12-31',
        facts: { previousDueDate: '2026-09-30', slipCount: 1 },
      }),
      'Slipped: 30 Sep 2026 → 31 Dec 2026 (slip 1)',
    ],
    [
      'stalled',
      alert({
        kind: 'agreement.stalled',
        milestoneId: null,
        dueDate: null,
        window: 90,
        facts: { idleDays: 97 },
      }),
      'No milestone activity for 97 days',
    ],
    [
      'stalled, idle days from the window',
      alert({ kind: 'agreement.stalled', milestoneId: null, dueDate: null, window: 90 }),
      'No milestone activity for 90 days',
    ],
    [
      'resolved as met',
      alert({
        kind: 'milestone.resolved',
        severity: 'info',
        facts: { outcome: 'met', outcomeOn: '2026-09-25' },
      }),
      'Resolved: met on 25 Sep 2026',
    ],
    [
      'resolved as partially met',
      alert({
        kind: 'milestone.resolved',
        severity: 'info',
        facts: { outcome: 'partiallyMet', outcomeOn: '2026-10-02' },
      }),
      'Resolved: partially met on 2 Oct 2026',
    ],
    [
      'resolved, cancelled without a date',
      alert({ kind: 'milestone.resolved', severity: 'info', facts: { outcome: 'cancelled' } }),
      'Resolved: cancelled',
    ],
    ['resolved, nothing known', alert({ kind: 'milestone.resolved', severity: 'info' }), 'Resolved'],
  ])('given an alert %s, it says so in words', (_, a, expected) => {
    expect(alertSummary(a)).toBe(expected);
  });

  it('tells a brought-forward milestone by its sign', () => {
    const summary = alertSummary(
      alert({
        kind: 'milestone.slipped',
        dueDate: '2026-09-20',
        facts: { previousDueDate: '2026-09-30', slipDays: -10 },
      }),
    );
    expect(summary).toBe('Slipped \u221210 days: 30 Sep 2026 → 20 Sep 2026');
  });

  it('ignores facts of the wrong type rather than printing them', () => {
    const summary = alertSummary(alert({ kind: 'deadline.missed', facts: { daysOverdue: '12' } }));
    expect(summary).toBe('Deadline missed: due 30 Sep 2026');
  });

  it('puts an alert kind newer than the dashboard in words', () => {
    expect(alertSummary(alert({ kind: 'target.at-risk' as Alert['kind'] }))).toBe('target at risk');
  });
});

describe('alertKindLabel', () => {
  it.each([
    ['deadline.approaching', 'deadline approaching'],
    ['deadline.missed', 'deadline missed'],
    ['milestone.slipped', 'milestone slipped'],
    ['agreement.stalled', 'agreement stalled'],
    ['milestone.resolved', 'milestone resolved'],
  ])('given %p, it says %p', (kind, expected) => {
    expect(alertKindLabel(kind)).toBe(expected);
  });
});

describe('alertText', () => {
  it('says the alert in the service’s words when it sends them', () => {
    const reason =
      'Shared geological data standard agreed slipped by 90 days to 2026-09-30 (second slip): Funding round postponed';
    expect(alertText(alert({ kind: 'milestone.slipped', reason, facts: { slipDays: 90 } }))).toBe(reason);
  });

  it('falls back to the dashboard’s summary of the facts when the service sends no reason', () => {
    expect(alertText(alert({ kind: 'deadline.missed', facts: { daysOverdue: 3 } }))).toBe(
      'Deadline missed: due 30 Sep 2026, 3 days overdue',
    );
  });
});

describe('liveAnnouncement', () => {
  it('says how severe the new alert is and the alert in words', () => {
    const live = {
      ...alert({ kind: 'deadline.missed', severity: 'critical' }),
      reason: 'Shared geological data standard agreed missed its due date 2026-09-30 by 1 day',
      agreement: {
        id: 'a',
        reference: 'TR-UZ-2026-MINING',
        title: null,
        parties: [],
        lifecycle: 'active' as const,
      },
      milestone: null,
    };
    expect(liveAnnouncement(live)).toBe(
      'New critical alert: Shared geological data standard agreed missed its due date 2026-09-30 by 1 day',
    );
  });
});

describe('standWords', () => {
  // Given where the caller stands on the alert, then what the item says of it.
  it.each([
    ['not acted on', undefined, null],
    ['open', { state: 'open' as const }, null],
    [
      'acknowledged',
      { state: 'acknowledged' as const, at: '2026-09-24T08:00:00.000Z', note: 'Raised' },
      'Acknowledged by you',
    ],
    [
      'snoozed',
      { state: 'snoozed' as const, until: '2026-10-01T09:30:00.000Z' },
      'Snoozed until 1 Oct 2026 09:30 UTC',
    ],
    ['snoozed, no time', { state: 'snoozed' as const }, 'Snoozed'],
    ['done', { state: 'done' as const, at: '2026-09-24T08:00:00.000Z' }, 'Done'],
  ])('%s', (_, mine, expected) => {
    expect(standWords(mine)).toBe(expected);
  });
});

describe('recordedLater', () => {
  // Given when the alert's cause happened and when the tracker recorded it, then what the item adds.
  it.each([
    ['recorded as it happened', '2026-09-23T06:00:00.000Z', '2026-09-23T06:00:01.000Z', null],
    ['recorded later the same day', '2026-09-23T06:00:00.000Z', '2026-09-23T21:00:00.000Z', null],
    [
      'back-filled: recorded weeks later',
      '2026-09-23T06:00:00.000Z',
      '2026-10-14T09:00:00.000Z',
      'recorded 14 Oct 2026',
    ],
    ['from a service that does not send it', '2026-09-23T06:00:00.000Z', undefined, null],
  ])('%s', (_, raisedAt, recordedAt, expected) => {
    expect(recordedLater({ raisedAt, recordedAt })).toBe(expected);
  });
});

describe('catchUpDelay', () => {
  // Given how many times the inbox was asked again for an alert it does not list, then the wait before the next.
  it.each([
    [0, 500],
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [4, null],
    [10, null],
  ])('after %p asks, %p ms', (attempts, expected) => {
    expect(catchUpDelay(attempts)).toBe(expected);
  });

  it('asks again for less than ten seconds in all: an alert this view does not list is given up soon', () => {
    let total = 0;
    for (let n = 0, d = catchUpDelay(n); d !== null; d = catchUpDelay(++n)) total += d;
    expect(total).toBeLessThan(10_000);
  });
});
