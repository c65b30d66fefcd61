import { applyStall, countMilestones, deriveImplementationStatus, summarizeMilestoneEvent, type MilestoneSummary } from './agreement-status';
import { daysBetween, isCalendarDate } from './dates';

const m = (status: MilestoneSummary['status'], extra: Partial<MilestoneSummary> = {}): MilestoneSummary => ({
  milestoneId: Math.random().toString(36),
  type: 'joint_venture',
  status,
  dueDate: '2026-12-31',
  slipCount: 0,
  active: status !== 'scheduled' && status !== 'cancelled',
  ...extra,
});

describe('deriveImplementationStatus', () => {
  const table: Array<[string, MilestoneSummary[], string]> = [
    ['no milestones yet', [], 'signed'],
    ['only planned milestones', [m('scheduled'), m('scheduled')], 'signed'],
    ['a milestone in progress', [m('scheduled'), m('inProgress')], 'inImplementation'],
    ['a milestone missed and nothing delivered', [m('notMet'), m('scheduled')], 'inImplementation'],
    ['a first outcome met', [m('met'), m('scheduled')], 'delivering'],
    ['a first outcome partially met', [m('partiallyMet'), m('inProgress')], 'delivering'],
    ['everything decided, something delivered', [m('met'), m('notMet'), m('cancelled')], 'completed'],
    ['everything cancelled', [m('cancelled')], 'signed'],
  ];
  it.each(table)('%s → %s', (_name, milestones, expected) => {
    expect(deriveImplementationStatus(milestones)).toBe(expected);
  });
});

describe('applyStall', () => {
  const now = new Date('2026-11-22T00:00:00Z');
  it.each([
    ['inImplementation', '2026-05-01T00:00:00Z', 'stalled'],
    ['inImplementation', '2026-06-01T00:00:00Z', 'inImplementation'],
    ['signed', '2026-01-29T00:00:00Z', 'stalled'],
    ['completed', '2020-01-01T00:00:00Z', 'completed'],
  ] as const)('%s idle since %s → %s (180 days)', (status, last, expected) => {
    expect(applyStall(status, last, now, 180)).toBe(expected);
  });
});

describe('milestone summaries and counts', () => {
  it('folds events and counts planned, met, missed, slipped and the next due date', () => {
    const ids = { agreementId: 'a' };
    let a = summarizeMilestoneEvent(undefined, 'milestone.planned', {
      ...ids, milestoneId: 'a1', type: 'financing', title: 't', dueDate: '2026-10-31', evidence: [],
    });
    a = summarizeMilestoneEvent(a, 'milestone.rescheduled', {
      ...ids, milestoneId: 'a1', previousDueDate: '2026-10-31', newDueDate: '2027-01-31', slipDays: 92, reason: 'r', slipCount: 1, decidedOn: '2026-10-01',
    });
    const b = summarizeMilestoneEvent(
      summarizeMilestoneEvent(undefined, 'milestone.planned', { ...ids, milestoneId: 'b1', type: 'other', title: 't', dueDate: '2026-09-30', evidence: [] }),
      'milestone.met',
      { ...ids, milestoneId: 'b1', metOn: '2026-09-01', evidence: [{ url: 'https://x.org' }] },
    );
    const c = summarizeMilestoneEvent(undefined, 'milestone.planned', { ...ids, milestoneId: 'c1', type: 'other', title: 't', dueDate: '2026-11-01', evidence: [] });
    expect(countMilestones([a!, b!, c!], '2026-11-22')).toEqual({
      planned: 3, inProgress: 0, met: 1, partiallyMet: 0, missed: 1, cancelled: 0, slipped: 1, nextDueDate: '2026-11-01',
    });
    expect(deriveImplementationStatus([a!, b!, c!])).toBe('delivering');
  });
});

describe('calendar dates', () => {
  it('validates real dates only', () => {
    expect(isCalendarDate('2026-02-28')).toBe(true);
    expect(isCalendarDate('2026-02-30')).toBe(false);
    expect(isCalendarDate('2026-2-3')).toBe(false);
  });
  it('counts slip days across month ends and leap years', () => {
    expect(daysBetween('2026-12-31', '2027-03-31')).toBe(90);
    expect(daysBetween('2028-02-28', '2028-03-01')).toBe(2);
    expect(daysBetween('2027-03-31', '2027-01-31')).toBe(-59);
  });
});
