import type { Forecast } from '../api/types';
import { describeForecast, drawForecast, formatPace, formatProjection, summariseForecast } from './forecast';

/*
 * Forecasts as GET /forecasts/{id} answers them for the geological survey of the TR-UZ MoU (due 2027-07-30):
 * three reports a month apart at 0.2 points a day, projected on from the latest one.
 */
const reports = [
  { on: '2026-10-03', percent: 8 },
  { on: '2026-11-02', percent: 15 },
  { on: '2026-12-02', percent: 20 },
];
const forecast = (over: Partial<Forecast> = {}): Forecast => ({
  milestoneId: 'b4c8e2a1-3d5f-4a6b-8c7d-9e0f1a2b3c4d',
  milestoneVersion: 4,
  method: 'linear-velocity',
  reports,
  velocityPerDay: 0.2,
  projectedOn: '2028-01-06',
  earliest: '2027-12-02',
  latest: '2028-02-18',
  dueDate: '2027-07-30',
  daysLate: 160,
  atRisk: true,
  reason: 'at 0.2 points a day it would be complete on 2028-01-06, 160 days after the due date 2027-07-30',
  ...over,
});
/** A forecast the service could not make (no pace): no projection, no band, not at risk. */
const noPace = (over: Partial<Forecast> = {}): Forecast =>
  forecast({
    velocityPerDay: null,
    projectedOn: null,
    earliest: null,
    latest: null,
    daysLate: null,
    atRisk: false,
    ...over,
  });
const onTime = forecast({
  projectedOn: '2027-03-14',
  earliest: '2027-03-02',
  latest: '2027-03-30',
  daysLate: -138,
  atRisk: false,
  reason: 'at 0.2 points a day it would be complete on 2027-03-14, 138 days before the due date',
});

describe('formatPace', () => {
  it.each([
    [0.2, '0.2 percent points a day'],
    [0.0333, '0.033 percent points a day'],
    [1, '1 percent point a day'],
    [12.34, '12 percent points a day'],
    [-0.5, '-0.5 percent points a day'],
  ])('given %p points a day, it writes %p', (perDay, expected) => {
    expect(formatPace(perDay)).toBe(expected);
  });
});

describe('formatProjection', () => {
  it.each([
    ['a band within the projected year', 'projected 14 Mar 2027, between 2 Mar and 30 Mar', onTime],
    ['a band across years', 'projected 6 Jan 2028, between 2 Dec 2027 and 18 Feb', forecast()],
    [
      'an open-ended band',
      'projected 6 Jan 2028, from 2 Dec 2027 at the earliest, open-ended at the slow end',
      forecast({ latest: null }),
    ],
    [
      'two reports (no band yet)',
      'projected 6 Jan 2028 (no band yet: it takes three reports)',
      forecast({ reports: reports.slice(1), earliest: '2028-01-06', latest: '2028-01-06' }),
    ],
    [
      'three reports on one line',
      'projected 6 Jan 2028 (no band: the reports lie on one line)',
      forecast({ earliest: '2028-01-06', latest: '2028-01-06' }),
    ],
    ['no projection', null, forecast({ projectedOn: null, earliest: null, latest: null })],
  ])('given %s, it reads %p', (_, expected, f) => {
    expect(formatProjection(f)).toBe(expected);
  });
});

describe('summariseForecast', () => {
  it('given a pace that misses the due date, it says the projection, the pace, at risk with the days late, and why', () => {
    expect(summariseForecast(forecast())).toEqual({
      projected: 'projected 6 Jan 2028, between 2 Dec 2027 and 18 Feb',
      pace: 'pace 0.2 percent points a day',
      risk: 'at risk: 160 days late',
      reason:
        'At 0.2 points a day it would be complete on 2028-01-06, 160 days after the due date 2027-07-30.',
    });
  });

  it('given a pace that reaches 100 % in time, it shows no at-risk badge', () => {
    expect(summariseForecast(onTime)).toMatchObject({
      projected: 'projected 14 Mar 2027, between 2 Mar and 30 Mar',
      risk: null,
    });
  });

  it('given one day late, it writes the day singular', () => {
    expect(summariseForecast(forecast({ daysLate: 1 })).risk).toBe('at risk: 1 day late');
  });

  it('given no forward pace, it is at risk of never completing, and says why instead of a date', () => {
    const reason = 'no forward pace over the last 3 reports (-0.1 points a day): it would never be complete';
    expect(
      summariseForecast(
        forecast({
          velocityPerDay: -0.1,
          projectedOn: null,
          earliest: null,
          latest: null,
          daysLate: null,
          reason,
        }),
      ),
    ).toEqual({
      projected: null,
      pace: 'pace -0.1 percent points a day',
      risk: 'at risk: never complete at this pace',
      reason: 'No forward pace over the last 3 reports (-0.1 points a day): it would never be complete.',
    });
  });

  it.each([
    ['the alerts service does not know the milestone (404)', null],
    ['one report', noPace({ reports: reports.slice(-1) })],
  ])('given %s, it says there are not enough reports, with no badge', (_, f) => {
    expect(summariseForecast(f)).toEqual({
      projected: null,
      pace: null,
      risk: null,
      reason: 'Not enough progress reports to forecast: it takes two on different dates.',
    });
  });

  it('given reports but no pace for another reason, it gives the service’s reason', () => {
    const f = noPace({ reason: 'reported complete' });
    expect(summariseForecast(f).reason).toBe('No forecast: reported complete.');
  });
});

describe('drawForecast', () => {
  const drawn = (f: Forecast) => {
    const d = drawForecast(f);
    if (!d) throw new Error('nothing drawn');
    return d;
  };

  it('given a band, it draws the reports, the pace from the first report through the latest to 100 %, and both ends of the band', () => {
    expect(drawForecast(forecast())).toEqual({
      reports: [
        ['2026-10-03', 8],
        ['2026-11-02', 15],
        ['2026-12-02', 20],
      ],
      // 60 days back from the latest report at 0.2 points a day: 20 - 12.
      pace: [
        ['2026-10-03', 8],
        ['2026-12-02', 20],
        ['2028-01-06', 100],
      ],
      fast: [
        ['2026-12-02', 20],
        ['2027-12-02', 100],
      ],
      slow: [
        ['2026-12-02', 20],
        ['2028-02-18', 100],
      ],
      band: { from: '2027-12-02', to: '2028-02-18' },
      projectedOn: '2028-01-06',
      dueDate: '2027-07-30',
      from: '2026-10-03',
      to: '2028-02-18',
    });
  });

  it('given an open-ended band, it draws the fast end only and the band to the chart’s end', () => {
    const d = drawn(forecast({ latest: null }));
    expect([d.fast, d.slow, d.band]).toEqual([
      [
        ['2026-12-02', 20],
        ['2027-12-02', 100],
      ],
      null,
      { from: '2027-12-02', to: null },
    ]);
    expect(d.to).toBe('2028-01-06');
  });

  it('given a due date later than everything, the chart reaches it', () => {
    expect(drawForecast(onTime)).toMatchObject({ from: '2026-10-03', to: '2027-07-30' });
  });

  it('given a due date before the first report, the chart starts at it', () => {
    expect(drawn(forecast({ dueDate: '2026-09-30' })).from).toBe('2026-09-30');
  });

  it('given two reports (no band), it draws no band', () => {
    const d = drawn(forecast({ reports: reports.slice(1), earliest: '2028-01-06', latest: '2028-01-06' }));
    expect([d.fast, d.slow, d.band]).toEqual([null, null, null]);
  });

  it('given no forward pace, the pace line stops at the latest report', () => {
    const d = drawn(
      forecast({ velocityPerDay: 0, projectedOn: null, earliest: null, latest: null, daysLate: null }),
    );
    expect(d.pace).toEqual([
      ['2026-10-03', 20],
      ['2026-12-02', 20],
    ]);
    expect(d.band).toBeNull();
  });

  it('given no pace, there is nothing to draw', () => {
    expect(drawForecast(forecast({ velocityPerDay: null, projectedOn: null }))).toBeNull();
  });
});

describe('describeForecast', () => {
  const title = 'Joint geological survey';

  it('says the reports, the pace, the projection with its band, the due date and at risk in words', () => {
    expect(describeForecast(title, forecast())).toBe(
      'Completion forecast of Joint geological survey: progress reports 8% on 3 Oct 2026, 15% on 2 Nov 2026, 20% on 2 Dec 2026; ' +
        'at 0.2 percent points a day it reaches 100% on 6 Jan 2028 (between 2 Dec 2027 and 18 Feb 2028), 160 days after the due date 30 Jul 2027: at risk.',
    );
  });

  it.each([
    [
      'before the due date',
      onTime,
      'reaches 100% on 14 Mar 2027 (between 2 Mar 2027 and 30 Mar 2027), 138 days before the due date 30 Jul 2027.',
    ],
    ['an open-ended band', forecast({ latest: null }), '(between 2 Dec 2027 and no latest date)'],
    [
      'no band',
      forecast({ earliest: '2028-01-06', latest: '2028-01-06', daysLate: 0, atRisk: false }),
      'reaches 100% on 6 Jan 2028, on the due date 30 Jul 2027.',
    ],
    [
      'no forward pace',
      forecast({ velocityPerDay: 0, projectedOn: null }),
      'at 0 percent points a day it never reaches 100%; due 30 Jul 2027: at risk.',
    ],
    [
      'no pace',
      forecast({ velocityPerDay: null, reports: reports.slice(-1) }),
      'progress reports 20% on 2 Dec 2026; due 30 Jul 2027; not enough progress reports to forecast.',
    ],
  ])('given %s, it says so', (_, f, expected) => {
    expect(describeForecast(title, f)).toContain(expected);
  });
});
