import { activityTime, idleDays, isIdleTooLong, laterActivity, milestoneActiveAfter, stalledIfActiveBy, type ActivityEvent } from './agreement-activity';
import { summarizeMilestoneEvent, type MilestoneSummary } from './agreement-status';

const at = '2026-03-10T15:30:00+01:00';
const atIso = '2026-03-10T14:30:00.000Z';

describe('activityTime: which event is activity of its agreement, and when', () => {
  it.each<[string, ActivityEvent, boolean, string | null]>([
    // given the event, and whether its milestone is active after it, then the activity time
    ['the registration, at the signing', { type: 'agreement.registered', occurredAt: '2026-01-29T00:00:00Z' }, false, '2026-01-29T00:00:00.000Z'],
    ['an amendment (no milestone moved)', { type: 'agreement.amended', occurredAt: at }, false, atIso],
    ['a suspension', { type: 'agreement.suspended', occurredAt: at }, false, atIso],
    ['a derived status', { type: 'agreement.status-derived', occurredAt: at }, false, atIso],
    ['a correction of the signing date, at the new date', { type: 'agreement.corrected', occurredAt: at, data: { occurredAt: '2026-02-01T00:00:00.000Z' } }, false, '2026-02-01T00:00:00.000Z'],
    ['a correction that moves no time', { type: 'agreement.corrected', occurredAt: at, data: { changes: { datePrecision: 'month' } } }, false, null],
    ['a list correction', { type: 'agreement.target-corrected', occurredAt: at }, false, atIso],
    ['a milestone start', { type: 'milestone.started', occurredAt: at }, true, atIso],
    ['planning a milestone', { type: 'milestone.planned', occurredAt: at }, false, null],
    ['a reschedule of a milestone nobody started', { type: 'milestone.rescheduled', occurredAt: at }, false, null],
    ['a reschedule of a milestone under way', { type: 'milestone.rescheduled', occurredAt: at }, true, atIso],
    ['a corrected report date of an active milestone, at the new date', { type: 'milestone.corrected', occurredAt: at, data: { occurredAt: '2026-04-01T00:00:00.000Z' } }, true, '2026-04-01T00:00:00.000Z'],
    ['a corrected due date of a milestone not started', { type: 'milestone.corrected', occurredAt: at, data: { occurredAt: '2026-04-01T00:00:00.000Z' } }, false, null],
    ['a corrected percentage (no time moved)', { type: 'milestone.corrected', occurredAt: at, data: { changes: { percent: 40 } } }, true, null],
    ['an alert event', { type: 'alert.raised', occurredAt: at }, false, null],
  ])('%s', (_name, event, milestoneActive, expected) => {
    expect(activityTime(event, milestoneActive)).toBe(expected);
  });
});

describe('milestoneActiveAfter: whether a milestone is active after an event (MilestoneSummary.active too)', () => {
  // Given whether it was active and the event's type, then whether it is after.
  it.each([
    ['planned', false, 'milestone.planned', false],
    ['planned again (a re-plan starts over)', true, 'milestone.planned', false],
    ['started', false, 'milestone.started', true],
    ['a progress report', false, 'milestone.progress-reported', true],
    ['met', false, 'milestone.met', true],
    ['partially met', false, 'milestone.partially-met', true],
    ['not met', false, 'milestone.not-met', true],
    ['rescheduled before any work', false, 'milestone.rescheduled', false],
    ['rescheduled under way', true, 'milestone.rescheduled', true],
    ['cancelled before any work', false, 'milestone.cancelled', false],
    ['cancelled under way', true, 'milestone.cancelled', true],
    ['corrected before any work', false, 'milestone.corrected', false],
  ])('%s', (_name, wasActive, type, expected) => {
    expect(milestoneActiveAfter(wasActive, type)).toBe(expected);
  });

  it('is what the agreements service folds into MilestoneSummary.active', () => {
    const planned = summarizeMilestoneEvent(undefined, 'milestone.planned', {
      milestoneId: 'm',
      agreementId: 'a',
      type: 'financing',
      title: 'Financing',
      dueDate: '2027-01-01',
      evidence: [],
    }) as MilestoneSummary;
    const started = summarizeMilestoneEvent(planned, 'milestone.started', { milestoneId: 'm', agreementId: 'a' } as never);
    const moved = summarizeMilestoneEvent(planned, 'milestone.rescheduled', { milestoneId: 'm', agreementId: 'a', previousDueDate: '2027-01-01', newDueDate: '2027-02-01', slipDays: 31, slipCount: 1 } as never);
    expect([planned.active, started?.active, moved?.active]).toEqual([false, true, false]);
  });
});

describe('stalled: idle for the period in whole UTC days (the day of the last activity is day 0)', () => {
  it.each([
    // given the last activity, when it is now, then the idle days and whether stalled after 180
    ['2026-01-29T00:00:00Z', '2026-07-27T23:59:59Z', 179, false],
    ['2026-01-29T00:00:00Z', '2026-07-28T00:00:00Z', 180, true],
    ['2026-01-29T23:59:00Z', '2026-07-28T00:00:00Z', 180, true], // the time of day plays no part
    ['2026-01-29T15:00:00Z', '2026-07-28T09:00:00Z', 180, true],
    ['2026-01-30T00:00:00Z', '2026-07-28T23:00:00Z', 179, false],
    ['2026-01-29T23:30:00-05:00', '2026-07-28T09:00:00Z', 179, false], // 30 January in UTC
  ] as const)('idle since %s, at %s: %i days, stalled %p', (last, now, days, stalled) => {
    expect(idleDays(last, new Date(now))).toBe(days);
    expect(isIdleTooLong(last, new Date(now), 180)).toBe(stalled);
  });

  it('the query bound agrees with the rule on both sides of it', () => {
    const now = new Date('2026-07-28T09:00:00Z');
    const bound = stalledIfActiveBy(now, 180);
    expect(bound).toBe('2026-01-29T23:59:59.999Z');
    expect(isIdleTooLong(bound, now, 180)).toBe(true);
    expect(isIdleTooLong('2026-01-30T00:00:00.000Z', now, 180)).toBe(false);
  });

  it('the later activity wins, an unknown one counts for nothing', () => {
    expect([laterActivity(null, '2026-01-01T00:00:00.000Z'), laterActivity('2026-02-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'), laterActivity(undefined, null)]).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-02-01T00:00:00.000Z',
      null,
    ]);
  });
});
