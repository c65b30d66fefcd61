/**
 * A milestone's completion forecast (the alerts service's GET /forecasts/{id}) as the dashboard shows it: the
 * lines of the milestone row, the pieces of the chart and the chart in words. Pure, so the page only renders.
 */
import { daysBetween } from '@tracker/contracts';
import type { Forecast } from '../api/types';
import { formatDate } from './format';

export const NOT_ENOUGH_REPORTS = 'Not enough progress reports to forecast';

/** What the milestone row says. `projected` null: no forecast, `reason` says why. */
export interface ForecastSummary {
  projected: string | null;
  pace: string | null;
  /** The at-risk badge's text, null when not at risk. */
  risk: string | null;
  reason: string;
}

const points = new Intl.NumberFormat('en', { maximumSignificantDigits: 2 });

/** `0.2` → `0.2 percent points a day`; `1` → `1 percent point a day`. */
export function formatPace(perDay: number): string {
  const n = points.format(perDay);
  return `${n} percent point${n === '1' ? '' : 's'} a day`;
}

/** `14 Mar`, with the year only when it is not `year` (the band's ends beside the projected date). */
const shortDate = (date: string, year: string) =>
  date.slice(0, 4) === year ? formatDate(date).replace(/ \d{4}$/, '') : formatDate(date);

/** `projected 14 Mar 2027, between 2 Mar and 30 Mar`, or why there is no band. */
export function formatProjection(f: Forecast): string | null {
  if (!f.projectedOn) return null;
  const head = `projected ${formatDate(f.projectedOn)}`;
  const year = f.projectedOn.slice(0, 4);
  if (!f.earliest) return head;
  if (!f.latest)
    return `${head}, from ${shortDate(f.earliest, year)} at the earliest, open-ended at the slow end`;
  if (f.earliest === f.latest)
    return f.reports.length < 3
      ? `${head} (no band yet: it takes three reports)`
      : `${head} (no band: the reports lie on one line)`;
  return `${head}, between ${shortDate(f.earliest, year)} and ${shortDate(f.latest, year)}`;
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The forecast as the milestone row says it; null (the alerts service does not know the milestone): not enough reports. */
export function summariseForecast(f: Forecast | null): ForecastSummary {
  if (!f || f.velocityPerDay === null) {
    const reason =
      !f || f.reports.length < 2
        ? `${NOT_ENOUGH_REPORTS}: it takes two on different dates.`
        : `No forecast: ${f.reason}.`;
    return { projected: null, pace: null, risk: null, reason };
  }
  const risk = !f.atRisk
    ? null
    : f.daysLate === null
      ? 'at risk: never complete at this pace'
      : `at risk: ${f.daysLate} day${f.daysLate === 1 ? '' : 's'} late`;
  return {
    projected: formatProjection(f),
    pace: `pace ${formatPace(f.velocityPerDay)}`,
    risk,
    reason: `${capitalised(f.reason)}.`,
  };
}

type Point = [date: string, percent: number];

/** What the forecast chart draws: the reports, the pace line to 100 %, the band's two ends, the due date. */
export interface ForecastDrawing {
  reports: Point[];
  /** Through the latest report at the fitted pace, from the first report's date to the projected date. */
  pace: Point[];
  /** From the latest report to 100 % at the band's fast and slow ends (null: no band; `slow` null: open-ended). */
  fast: Point[] | null;
  slow: Point[] | null;
  /** The band on the 100 % line; `to` null: open-ended (drawn to the chart's end). */
  band: { from: string; to: string | null } | null;
  projectedOn: string | null;
  dueDate: string;
  /** The dates to draw: the first report to the latest of due date, projection and band. */
  from: string;
  to: string;
}

/** The chart's pieces; null when there is no pace to draw. */
export function drawForecast(f: Forecast): ForecastDrawing | null {
  const first = f.reports[0];
  const last = f.reports.at(-1);
  if (f.velocityPerDay === null || !first || !last) return null;
  const v = f.velocityPerDay;
  // The service projects from the latest report at the pace; the line runs back at the same pace to the first.
  const start: Point = [first.on, last.percent - v * daysBetween(first.on, last.on)];
  const anchor: Point = [last.on, last.percent];
  const pace: Point[] = f.projectedOn ? [start, anchor, [f.projectedOn, 100]] : [start, anchor];
  // Two reports, or reports on one line, give a band of no width: none is drawn.
  const fastEnd = f.projectedOn && f.earliest !== f.latest ? f.earliest : null;
  const dates = [f.dueDate, last.on, f.projectedOn, f.earliest, f.latest].filter((d): d is string => !!d);
  return {
    reports: f.reports.map((r) => [r.on, r.percent]),
    pace,
    fast: fastEnd ? [anchor, [fastEnd, 100]] : null,
    slow: fastEnd && f.latest ? [anchor, [f.latest, 100]] : null,
    band: fastEnd ? { from: fastEnd, to: f.latest } : null,
    projectedOn: f.projectedOn,
    dueDate: f.dueDate,
    from: first.on < f.dueDate ? first.on : f.dueDate,
    to: dates.reduce((a, b) => (b > a ? b : a)),
  };
}

/** The chart in words: its accessible name, what a screen reader user hears instead of the picture. */
export function describeForecast(title: string, f: Forecast): string {
  const reports = f.reports.map((r) => `${r.percent}% on ${formatDate(r.on)}`).join(', ');
  const head = `Completion forecast of ${title}: progress reports ${reports || 'none'}`;
  const due = `due ${formatDate(f.dueDate)}`;
  if (f.velocityPerDay === null) return `${head}; ${due}; ${NOT_ENOUGH_REPORTS.toLowerCase()}.`;
  const pace = formatPace(f.velocityPerDay);
  if (!f.projectedOn) return `${head}; at ${pace} it never reaches 100%; ${due}: at risk.`;
  const band =
    f.earliest && f.earliest !== f.latest
      ? ` (between ${formatDate(f.earliest)} and ${f.latest ? formatDate(f.latest) : 'no latest date'})`
      : '';
  const late = f.daysLate ?? 0;
  const when =
    late > 0
      ? `${late} day${late === 1 ? '' : 's'} after`
      : late < 0
        ? `${-late} day${late === -1 ? '' : 's'} before`
        : 'on';
  return `${head}; at ${pace} it reaches 100% on ${formatDate(f.projectedOn)}${band}, ${when} the due date ${formatDate(f.dueDate)}${f.atRisk ? ': at risk' : ''}.`;
}
