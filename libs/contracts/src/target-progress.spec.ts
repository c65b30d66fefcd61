import { summarizeMilestoneEvent, type MilestoneSummary } from './agreement-status';
import { addsTo, onTrack, targetProgress } from './target-progress';
import type { Quantity } from './milestone-events';

describe('onTrack: achieved share against elapsed share of the time from signing to the target date', () => {
  const start = '2026-01-01';
  const byDate = '2027-01-01'; // 365 days
  it.each([
    ['reached: on track whatever the date', 1, '2028-05-01', true],
    ['half achieved, a quarter of the time gone', 0.5, '2026-04-01', true],
    ['a quarter achieved, half of the time gone', 0.25, '2026-07-02', false],
    ['exactly as much achieved as time gone', 0.5, '2026-07-02', true],
    ['nothing achieved on the signing day', 0, '2026-01-01', true],
    ['the date passed without reaching it', 0.99, '2027-01-02', false],
    ['on the target date itself, not reached', 0.99, '2027-01-01', false],
  ] as const)('%s', (_name, share, today, expected) => {
    expect(onTrack({ share, start, byDate, today })).toBe(expected);
  });
  it.each([
    ['no amount: no share', { share: null, start, byDate, today: '2026-06-01' }],
    ['no target date', { share: 0.2, start, byDate: undefined, today: '2026-06-01' }],
    ['signing date unknown', { share: 0.2, start: null, byDate, today: '2026-06-01' }],
  ] as const)('cannot say (null): %s', (_name, input) => {
    expect(onTrack(input)).toBeNull();
  });
});

describe('addsTo: only quantities in the target’s unit and currency add up', () => {
  const usd = { currency: 'USD' };
  const tonnes = { unit: 'tonnes/year' };
  it.each([
    ['money in the same currency, no unit on the target', usd, { amount: 1, unit: 'USD', currency: 'USD' }, true],
    ['money in another currency', usd, { amount: 1, unit: 'EUR', currency: 'EUR' }, false],
    ['money against a target without currency', tonnes, { amount: 1, unit: 'tonnes/year', currency: 'USD' }, false],
    ['the same unit, any case and spacing', tonnes, { amount: 1, unit: ' Tonnes/Year' }, true],
    ['another unit', tonnes, { amount: 1, unit: 't' }, false],
    ['money with different units named on both sides', { currency: 'USD', unit: 'USD' }, { amount: 1, unit: 'USD million', currency: 'USD' }, false],
  ] as const)('%s', (_name, target, quantity, expected) => {
    expect(addsTo(target, quantity as Quantity)).toBe(expected);
  });
});

describe('targetProgress: targets achieved across met milestones', () => {
  const target = { targetId: 'T1', description: 'Chinese investment in mining', amount: 2e9, currency: 'USD', byDate: '2031-01-01' };
  const m = (milestoneId: string, status: MilestoneSummary['status'], achieved: Quantity | null, contributesTo = ['T1']): MilestoneSummary => ({
    milestoneId,
    type: 'financing',
    status,
    dueDate: '2027-01-01',
    slipCount: 0,
    active: true,
    contribution: { contributesTo, achieved, claimKinds: [] },
  });
  const usd = (amount: number): Quantity => ({ amount, unit: 'USD', currency: 'USD' });

  it('adds the quantities of met and partially met milestones in the target’s currency; reports the others beside it', () => {
    const progress = targetProgress(
      target,
      [m('m1', 'met', usd(3e8)), m('m2', 'partiallyMet', usd(2e8)), m('m3', 'met', { amount: 1e8, unit: 'EUR', currency: 'EUR' }), m('m4', 'inProgress', null), m('m5', 'met', usd(9e9), ['T2'])],
      '2026-01-01',
      '2026-07-02',
    );
    expect(progress).toEqual({
      achieved: 5e8,
      share: 0.25,
      onTrack: true, // a quarter achieved, a tenth of five years gone
      contributions: [
        { milestoneId: 'm1', status: 'met', achieved: usd(3e8), added: true },
        { milestoneId: 'm2', status: 'partiallyMet', achieved: usd(2e8), added: true },
        { milestoneId: 'm3', status: 'met', achieved: { amount: 1e8, unit: 'EUR', currency: 'EUR' }, added: false },
        { milestoneId: 'm4', status: 'inProgress', achieved: null, added: false },
      ],
    });
  });

  it('a target without amount has no share and no verdict', () => {
    expect(targetProgress({ targetId: 'T1', description: 'joint ventures' }, [m('m1', 'met', { amount: 1, unit: 'jv' })], null, '2026-07-01')).toMatchObject({ achieved: 0, share: null, onTrack: null });
  });
});

describe('a milestone summary keeps its contribution', () => {
  const ids = { milestoneId: 'm1', agreementId: 'a1' };
  it('follows the links, the quantity achieved, its correction and the kinds of the evidence that backs the status', () => {
    let c = summarizeMilestoneEvent(undefined, 'milestone.planned', { ...ids, type: 'financing', title: 't', dueDate: '2027-01-01', evidence: [{ url: 'https://x', kind: 'official' }], contributesTo: ['T1'] });
    expect(c?.contribution).toEqual({ contributesTo: ['T1'], achieved: null, claimKinds: ['official'] });
    c = summarizeMilestoneEvent(c, 'milestone.progress-reported', { ...ids, percent: 10, evidence: [{ url: 'https://y' }], reportedOn: '2026-05-01' });
    expect(c).toMatchObject({ status: 'inProgress', contribution: { claimKinds: ['other'] } });
    c = summarizeMilestoneEvent(c, 'milestone.met', { ...ids, metOn: '2026-06-01', evidence: [{ url: 'https://z', kind: 'media' }], achieved: { amount: 3e8, unit: 'USD', currency: 'USD' } });
    expect(c).toMatchObject({ status: 'met', contribution: { achieved: { amount: 3e8 }, claimKinds: ['media'], contributesTo: ['T1'] } });
    c = summarizeMilestoneEvent(c, 'milestone.corrected', { ...ids, correctsEventId: 'e', correctsType: 'milestone.met', changes: { achieved: { amount: 2.5e8, unit: 'USD', currency: 'USD' } }, current: true, reason: 'r' });
    expect(c?.contribution?.achieved).toEqual({ amount: 2.5e8, unit: 'USD', currency: 'USD' });
  });

  it('a summary stored before contributions were kept gains one from its next event', () => {
    const older: MilestoneSummary = { milestoneId: 'm1', type: 'financing', status: 'inProgress', dueDate: '2027-01-01', slipCount: 0, active: true };
    const next = summarizeMilestoneEvent(older, 'milestone.met', { ...ids, metOn: '2026-06-01', evidence: [{ url: 'https://z', kind: 'official' }], achieved: { amount: 1, unit: 'plant' }, contributesTo: ['T2'] });
    expect(next?.contribution).toEqual({ contributesTo: ['T2'], achieved: { amount: 1, unit: 'plant' }, claimKinds: ['official'] });
  });
});
