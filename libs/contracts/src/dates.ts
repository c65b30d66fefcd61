/** Calendar dates (YYYY-MM-DD) are business dates in the agreement's context, compared as UTC days. */
const DAY_MS = 86_400_000;

export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/**
 * The dates a fact may carry (a signing, a due date, an outcome): from 1945, the year of the UN Charter and the
 * start of the post-war treaty system, to 2100, well beyond any deadline a memorandum sets. Outside it a date is
 * a typo (0000, 1900, 20260) that would raise alerts at once or never.
 */
export const EARLIEST_FACT_DATE = '1945-01-01';
export const LATEST_FACT_DATE = '2100-12-31';

export function isFactDate(value: string): boolean {
  return isCalendarDate(value) && value >= EARLIEST_FACT_DATE && value <= LATEST_FACT_DATE;
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** The UTC calendar date of an instant. */
export function calendarDateOf(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return calendarDateOf(new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS));
}
