import { forecastAlerts, forecastCompletion, withCorrectedReport, withReport, type KeptReport, type ProgressReport } from './forecast';
import type { MilestoneDeadline } from './rules';

const reports = (...points: Array<[string, number]>): ProgressReport[] => points.map(([on, percent]) => ({ on, percent }));
const open = { status: 'inProgress' as const, dueDate: '2026-12-31' };

describe('forecastCompletion: linear velocity over the latest reports', () => {
  it.each([
    // name, reports, due, expected
    ['steady 10 points a month, due in time', reports(['2026-01-01', 0], ['2026-01-31', 10], ['2026-03-02', 20]), '2026-12-31', { velocityPerDay: 0.333, projectedOn: '2026-10-28', daysLate: -64, atRisk: false }],
    ['the same pace, due in September: late', reports(['2026-01-01', 0], ['2026-01-31', 10], ['2026-03-02', 20]), '2026-09-30', { projectedOn: '2026-10-28', daysLate: 28, atRisk: true }],
    ['within the 7-day threshold: not at risk', reports(['2026-01-01', 0], ['2026-01-31', 10], ['2026-03-02', 20]), '2026-10-23', { daysLate: 5, atRisk: false }],
    ['two reports: a pace, no band', reports(['2026-01-01', 10], ['2026-01-11', 20]), '2026-12-31', { velocityPerDay: 1, projectedOn: '2026-04-01', earliest: '2026-04-01', latest: '2026-04-01' }],
    ['standing still: never complete, at risk', reports(['2026-01-01', 30], ['2026-02-01', 30], ['2026-03-01', 30]), '2026-12-31', { velocityPerDay: 0, projectedOn: null, atRisk: true }],
    ['going backwards (a correction): at risk', reports(['2026-01-01', 50], ['2026-02-01', 40]), '2026-12-31', { projectedOn: null, atRisk: true }],
    ['one report: no pace yet', reports(['2026-01-01', 10]), '2026-12-31', { velocityPerDay: null, projectedOn: null, atRisk: false }],
    ['reported complete', reports(['2026-01-01', 50], ['2026-02-01', 100]), '2026-12-31', { projectedOn: null, atRisk: false, reason: 'reported complete' }],
  ])('%s', (_, rs, dueDate, expected) => {
    expect(forecastCompletion({ ...open, dueDate, reports: rs })).toMatchObject(expected);
  });

  it('puts a band around an uneven pace, wider the more the reports scatter', () => {
    const even = forecastCompletion({ ...open, reports: reports(['2026-01-01', 0], ['2026-01-31', 10], ['2026-03-02', 20], ['2026-04-01', 30]) });
    const uneven = forecastCompletion({ ...open, reports: reports(['2026-01-01', 0], ['2026-01-31', 18], ['2026-03-02', 12], ['2026-04-01', 30]) });
    expect(even.earliest).toBe(even.projectedOn);
    expect(even.latest).toBe(even.projectedOn);
    expect(uneven.earliest! < uneven.projectedOn!).toBe(true);
    expect(uneven.latest! > uneven.projectedOn!).toBe(true);
  });

  it('fits only the latest reports (five by default)', () => {
    // Fast at first, slow lately: the early pace is forgotten.
    const rs = reports(['2026-01-01', 0], ['2026-01-08', 40], ['2026-02-01', 41], ['2026-03-01', 42], ['2026-04-01', 43], ['2026-05-01', 44], ['2026-06-01', 45]);
    const f = forecastCompletion({ ...open, reports: rs });
    expect(f.reports.map((r) => r.on)).toEqual(['2026-02-01', '2026-03-01', '2026-04-01', '2026-05-01', '2026-06-01']);
    expect(f.atRisk).toBe(true);
  });

  it.each(['scheduled', 'met', 'partiallyMet', 'notMet', 'cancelled'] as const)('%s: forecast only while open (scheduled and in progress)', (status) => {
    const f = forecastCompletion({ status, dueDate: '2026-01-31', reports: reports(['2026-01-01', 0], ['2026-01-02', 1]) });
    expect(f.atRisk).toBe(status === 'scheduled');
  });
});

describe('withCorrectedReport: a report corrected after the fact', () => {
  const kept: KeptReport[] = [
    { on: '2026-01-01', percent: 0, eventId: 'e1' },
    { on: '2026-01-31', percent: 10, eventId: 'e2' },
    { on: '2026-03-02', percent: 20, eventId: 'e3' },
  ];
  it.each([
    ['its percent (a typo)', 'e3', { percent: 40 }, [['2026-01-01', 0], ['2026-01-31', 10], ['2026-03-02', 40]]],
    ['its date, kept in date order', 'e1', { reportedOn: '2026-02-15' }, [['2026-01-31', 10], ['2026-02-15', 0], ['2026-03-02', 20]]],
    ['its date onto another report’s: the corrected one stands for that date', 'e2', { reportedOn: '2026-03-02', percent: 25 }, [['2026-01-01', 0], ['2026-03-02', 25]]],
  ] as const)('given %s, then the reports as corrected', (_, eventId, changes, expected) => {
    expect(withCorrectedReport(kept, eventId, changes)?.map((r) => [r.on, r.percent])).toEqual(expected);
  });

  it('given a report it does not keep (older than the last ten, or never seen), then nothing to correct', () => {
    expect(withCorrectedReport(kept, 'e0', { percent: 50 })).toBeUndefined();
  });

  it('given the corrected reports, the forecast follows them (and shows no event ids)', () => {
    const before = forecastCompletion({ ...open, dueDate: '2026-09-30', reports: kept });
    const after = forecastCompletion({ ...open, dueDate: '2026-09-30', reports: withCorrectedReport(kept, 'e3', { percent: 40 }) });
    expect([before.atRisk, after.atRisk]).toEqual([true, false]);
    expect(after.reports).toEqual(reports(['2026-01-01', 0], ['2026-01-31', 10], ['2026-03-02', 40]));
  });
});

describe('withReport: the reports a milestone keeps', () => {
  it('keeps one per date (the later report wins), in date order, the last ten', () => {
    let rs: ProgressReport[] = [];
    rs = withReport(rs, { on: '2026-03-01', percent: 20 });
    rs = withReport(rs, { on: '2026-01-01', percent: 5 });
    rs = withReport(rs, { on: '2026-03-01', percent: 25 });
    expect(rs).toEqual(reports(['2026-01-01', 5], ['2026-03-01', 25]));
    for (let d = 10; d < 30; d++) rs = withReport(rs, { on: `2026-04-${d}`, percent: d });
    expect(rs).toHaveLength(10);
    expect(rs[0].on).toBe('2026-04-20');
  });
});

describe('forecastAlerts: milestone.atRisk raised and resolved by the forecast', () => {
  const m: MilestoneDeadline = { milestoneId: 'm-1', agreementId: 'a-1', type: 'processing_plant', title: 'Plant', status: 'inProgress', dueDate: '2026-09-30', slipCount: 0 };
  const late = forecastCompletion({ ...m, reports: reports(['2026-01-01', 0], ['2026-01-31', 10], ['2026-03-02', 20]) });
  const onTime = forecastCompletion({ ...m, reports: reports(['2026-01-01', 0], ['2026-01-31', 10], ['2026-03-02', 20], ['2026-04-01', 60]) });
  const atRiskOpen = [{ alertId: 'x', kind: 'milestone.atRisk' as const, dueDate: '2026-09-30' }];

  it.each([
    ['late, none open: raises one', late, [], { raise: { kind: 'milestone.atRisk', severity: 'medium', window: 28, dueDate: '2026-09-30' }, close: [] }],
    ['late, one open: nothing new', late, atRiskOpen, { raise: null, close: [] }],
    ['on time again, one open: resolved', onTime, atRiskOpen, { raise: null, close: [{ alertId: 'x', resolution: 'forecastOnTime' }] }],
    ['on time, none open: nothing', onTime, [], { raise: null, close: [] }],
  ])('%s', (_, forecast, openAlerts, expected) => {
    expect(forecastAlerts(m, forecast, openAlerts, 'e-1')).toMatchObject(expected);
  });

  it('says what it used: projected date, band, pace and the reports, in the facts', () => {
    const { raise } = forecastAlerts(m, late, [], 'e-1');
    expect(raise?.facts).toEqual({
      milestoneStatus: 'inProgress',
      reason: expect.stringMatching(/complete on 2026-10-28, 28 days after the due date 2026-09-30/),
      projectedOn: '2026-10-28',
      projectedEarliest: '2026-10-28',
      projectedLatest: '2026-10-28',
      velocityPerDay: 0.333,
      reportsUsed: reports(['2026-01-01', 0], ['2026-01-31', 10], ['2026-03-02', 20]),
      causedByEventId: 'e-1',
    });
  });
});
