/**
 * Business time: when a thing happened in the world (an event's `occurredAt`), as opposed to when the tracker
 * learnt of it (`recordedAt`). Clients send it as a calendar date (YYYY-MM-DD, read as that UTC day's start) or
 * an ISO date-time; omitted, it is the time of recording. Pure rules shared by the deciders (ADR 0008).
 */
import type { DatePrecision } from './agreement-events';
import { isCalendarDate } from './dates';
import { DomainError } from './decider';

/** How far ahead of the recording clock a business time may be (clocks of clients and servers differ). */
export const BUSINESS_TIME_SKEW_MS = 5 * 60_000;
/** The easternmost time zone's lead on UTC (UTC+14): a date that has begun there has begun. */
const LATEST_ZONE_MS = 14 * 3_600_000;

const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** Whether `value` is a calendar date or an ISO date-time (with a zone) that names a real instant (no hour 24). */
export function isBusinessTime(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  if (isCalendarDate(value)) return true;
  const m = DATE_TIME.exec(value);
  if (!m || !isCalendarDate(m[1])) return false;
  const [hour, minute, second, zoneHour, zoneMinute] = [m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number);
  return hour < 24 && minute < 60 && second < 60 && zoneHour < 24 && zoneMinute < 60;
}

/** The instant a business time names, as an ISO string (a date is its UTC day's start). */
export function businessInstant(value: string): string {
  return isCalendarDate(value) ? `${value}T00:00:00.000Z` : new Date(value).toISOString();
}

/** The first day of a signing period known to `precision` (`2026-01` → `2026-01-01`); null when unknown. */
export function signingPeriodStart(signedOn: string | null | undefined, precision?: DatePrecision): string | null {
  if (!signedOn) return null;
  if (precision === 'year' || signedOn.length === 4) return `${signedOn.slice(0, 4)}-01-01`;
  if (precision === 'month' || signedOn.length === 7) return `${signedOn.slice(0, 7)}-01`;
  return signedOn.slice(0, 10);
}

/** What a business time is checked against: the recording clock and, where known, the agreement's signing. */
export interface BusinessTimeContext {
  /** The recording time (ISO). */
  now: string;
  signedOn?: string | null;
  datePrecision?: DatePrecision;
}

/**
 * The business time of a command, checked: refused (422, naming the dates) when it lies in the future beyond
 * the clock skew, or before the agreement's signing period. Undefined when the client sent none: the event
 * then takes its recording time.
 */
export function checkedBusinessTime(value: string | undefined, context: BusinessTimeContext, field = 'occurredAt'): string | undefined {
  if (value === undefined) return undefined;
  const at = businessInstant(value);
  // A calendar date is a day somewhere: it has begun once it has begun in the easternmost zone (UTC+14).
  const future = isCalendarDate(value)
    ? value > new Date(Date.parse(context.now) + LATEST_ZONE_MS).toISOString().slice(0, 10)
    : Date.parse(at) > Date.parse(context.now) + BUSINESS_TIME_SKEW_MS;
  if (future) {
    throw new DomainError('unprocessable', `${field} ${value} is in the future (it is now ${context.now}): record what has happened`, field);
  }
  // Against the signing, the day as written (the agreement's context), not its UTC instant.
  const signing = signingPeriodStart(context.signedOn, context.datePrecision);
  if (signing && value.slice(0, 10) < signing) {
    throw new DomainError(
      'unprocessable',
      `${field} ${value} is before the agreement was signed (${context.signedOn}): nothing of it can have happened then`,
      field,
    );
  }
  return at;
}

/** Whole days between when something happened and when it was recorded (0 when recorded the same day or before). */
export function recordedLateDays(occurredAt: string, recordedAt: string): number {
  const days = Math.floor((Date.parse(recordedAt) - Date.parse(occurredAt)) / 86_400_000);
  return days > 0 ? days : 0;
}
