/**
 * A milestone's completion forecast (linear velocity over its latest progress reports, a band from their spread):
 * what the alerts service's decider computes and `GET /forecasts/{milestoneId}` answers (with the milestone id),
 * and what the dashboard draws.
 */

export interface ProgressReport {
  /** The date the report describes (YYYY-MM-DD). */
  on: string;
  percent: number;
}

export interface Forecast {
  method: 'linear-velocity';
  /** The reports the velocity was fitted on, oldest first. */
  reports: ProgressReport[];
  /** Percent points per day; null with fewer than two reports on different dates. */
  velocityPerDay: number | null;
  /** Projected completion (YYYY-MM-DD); null without a velocity or without a forward pace. */
  projectedOn: string | null;
  /** The band: at velocity ± one standard error (null: not known, or open-ended for `latest`). */
  earliest: string | null;
  latest: string | null;
  dueDate: string;
  /** Projected days after the due date (negative: before it); null without a projection. */
  daysLate: number | null;
  atRisk: boolean;
  /** Why, in words. */
  reason: string;
}

