/**
 * At risk before it is late: a milestone's completion date projected from its progress reports. Pure.
 *
 * The method, in words: linear velocity. The velocity is the least-squares slope of percent complete against the
 * report dates (business time) over the last reports (five by default), in points per day; the projection runs on
 * from the latest report at that pace to 100 %. The band comes from the spread of the reports around that line:
 * the slope's standard error (three or more reports), the earliest date at velocity + 1 SE and the latest at
 * velocity − 1 SE (none when that pace is not forward: open-ended). Two reports give a velocity without a band.
 * No forward pace at all (the percent stands still or falls) projects no date: the milestone is at risk.
 */
import { addDays, daysBetween, type Forecast, type MilestoneStatus, type ProgressReport } from '@tracker/contracts';

export type { Forecast, ProgressReport };
import { base, dedupKey, type AlertDraft, type MilestoneDeadline, type OpenAlertRef } from './rules';

export interface ForecastPolicy {
  /** Reports the velocity is fitted on (the latest ones). */
  reports: number;
  /** At risk when the projection falls more than this many days after the due date. */
  thresholdDays: number;
}

export const DEFAULT_FORECAST_POLICY: ForecastPolicy = { reports: 5, thresholdDays: 7 };

/** A report as a milestone keeps it: with the id of its event, so that a correction can find it. */
export type KeptReport = ProgressReport & { eventId?: string };

/** The reports a milestone keeps for its forecast: by date, one per date (the later report wins), the last `keep`. */
export function withReport<R extends KeptReport>(reports: readonly R[], report: R, keep = 10): R[] {
  const byDate = new Map(reports.map((r) => [r.on, r]));
  byDate.delete(report.on);
  byDate.set(report.on, report);
  return [...byDate.values()].sort((a, b) => a.on.localeCompare(b.on)).slice(-keep);
}

/**
 * The reports with the correction of report `eventId` applied (its percent, its date), one per date as
 * withReport keeps them; undefined when the report is not among them (older than the kept ones, or unknown here).
 */
export function withCorrectedReport<R extends KeptReport>(reports: readonly R[], eventId: string, changes: { percent?: number; reportedOn?: string }, keep = 10): R[] | undefined {
  const corrected = reports.find((r) => r.eventId === eventId);
  if (!corrected) return undefined;
  const others = reports.filter((r) => r !== corrected);
  return withReport(others, { ...corrected, ...(changes.percent !== undefined && { percent: changes.percent }), ...(changes.reportedOn !== undefined && { on: changes.reportedOn }) }, keep);
}

const OPEN: readonly MilestoneStatus[] = ['scheduled', 'inProgress'];

export function forecastCompletion(
  milestone: { status: MilestoneStatus; dueDate: string; reports?: readonly KeptReport[] },
  policy: ForecastPolicy = DEFAULT_FORECAST_POLICY,
): Forecast {
  const reports = [...(milestone.reports ?? [])]
    .sort((a, b) => a.on.localeCompare(b.on))
    .slice(-policy.reports)
    .map(({ on, percent }) => ({ on, percent }));
  const none = (reason: string, atRisk = false): Forecast => ({
    method: 'linear-velocity',
    reports,
    velocityPerDay: null,
    projectedOn: null,
    earliest: null,
    latest: null,
    dueDate: milestone.dueDate,
    daysLate: null,
    atRisk,
    reason,
  });
  if (!OPEN.includes(milestone.status)) return none(`the milestone is ${milestone.status}: nothing to forecast`);
  const last = reports.at(-1);
  if (last && last.percent >= 100) return none('reported complete');
  if (reports.length < 2) return none('fewer than two progress reports: no pace yet');

  const first = reports[0].on;
  const xs = reports.map((r) => daysBetween(first, r.on));
  const ys = reports.map((r) => r.percent);
  const n = reports.length;
  const meanX = xs.reduce((a, b) => a + b, 0) / n;
  const meanY = ys.reduce((a, b) => a + b, 0) / n;
  const sxx = xs.reduce((s, x) => s + (x - meanX) ** 2, 0);
  const velocity = xs.reduce((s, x, i) => s + (x - meanX) * (ys[i] - meanY), 0) / sxx;
  // Standard error of the slope from the residuals (needs a degree of freedom: three reports or more).
  const residuals = xs.map((x, i) => ys[i] - (meanY + velocity * (x - meanX)));
  const se = n > 2 ? Math.sqrt(residuals.reduce((s, r) => s + r * r, 0) / (n - 2) / sxx) : 0;
  const at = (pace: number) => (pace > 0 ? addDays(last!.on, Math.ceil((100 - last!.percent) / pace)) : null);

  const projectedOn = at(velocity);
  const rounded = Math.round(velocity * 1000) / 1000;
  if (!projectedOn)
    return { ...none(`no forward pace over the last ${n} reports (${rounded} points a day): it would never be complete`, true), velocityPerDay: rounded };
  const daysLate = daysBetween(milestone.dueDate, projectedOn);
  const atRisk = daysLate > policy.thresholdDays;
  return {
    method: 'linear-velocity',
    reports,
    velocityPerDay: rounded,
    projectedOn,
    earliest: n > 2 ? at(velocity + se) : projectedOn,
    latest: n > 2 ? at(velocity - se) : projectedOn,
    dueDate: milestone.dueDate,
    daysLate,
    atRisk,
    reason: atRisk
      ? `at ${rounded} points a day it would be complete on ${projectedOn}, ${daysLate} days after the due date ${milestone.dueDate}`
      : `at ${rounded} points a day it would be complete on ${projectedOn}, ${daysLate <= 0 ? `${-daysLate} days before` : `${daysLate} days after (within ${policy.thresholdDays})`} the due date`,
  };
}

/**
 * What a new forecast does to a milestone's alerts: at risk with no milestone.atRisk open raises one (high when it
 * would never be complete or be more than 30 days late, else medium; the report count keeps it apart from an
 * earlier, resolved one); no longer at risk closes the open one (`forecastOnTime`). Met, partially met and cancelled
 * close it as they close every alert (resolution in rules.ts).
 */
export function forecastAlerts(
  m: MilestoneDeadline,
  forecast: Forecast,
  open: readonly OpenAlertRef[],
  causedByEventId?: string,
): { raise: AlertDraft | null; close: Array<{ alertId: string; resolution: 'forecastOnTime' }> } {
  const openAtRisk = open.filter((a) => a.kind === 'milestone.atRisk');
  if (!forecast.atRisk) return { raise: null, close: openAtRisk.map((a) => ({ alertId: a.alertId, resolution: 'forecastOnTime' as const })) };
  if (openAtRisk.length > 0) return { raise: null, close: [] };
  return {
    raise: {
      dedupKey: dedupKey(m.milestoneId, 'milestone.atRisk', m.dueDate, forecast.reports.length),
      kind: 'milestone.atRisk',
      severity: forecast.daysLate === null || forecast.daysLate > 30 ? 'high' : 'medium',
      ...base(m),
      dueDate: m.dueDate,
      window: forecast.daysLate,
      facts: {
        milestoneStatus: m.status,
        reason: forecast.reason,
        projectedOn: forecast.projectedOn,
        projectedEarliest: forecast.earliest,
        projectedLatest: forecast.latest,
        velocityPerDay: forecast.velocityPerDay,
        reportsUsed: forecast.reports.map((r) => ({ ...r })),
        ...(causedByEventId && { causedByEventId }),
      },
    },
    close: [],
  };
}
