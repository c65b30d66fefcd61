/** How the dashboard writes codes, dates and statuses for people. */
import type { DatePrecision } from '@tracker/contracts';

const regions = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

/** `TR` → `Türkiye`; an unknown code stays as it is. */
export function countryName(code: string): string {
  try {
    return regions.of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A calendar date as people write it, no more precise than known: `29 Jan 2026`, `Jan 2026`, `2026`, `unknown`. */
export function formatDate(date: string | null | undefined, precision: DatePrecision = 'day'): string {
  if (!date || precision === 'unknown') return 'unknown';
  const [y, m, d] = date.slice(0, 10).split('-');
  if (precision === 'year' || !m) return y;
  if (precision === 'month' || !d) return `${months[Number(m) - 1]} ${y}`;
  return `${Number(d)} ${months[Number(m) - 1]} ${y}`;
}

const precisionWords: Record<DatePrecision, string> = {
  day: 'exact day',
  month: 'month known',
  year: 'year known',
  unknown: 'date unknown',
};
export const precisionLabel = (p: DatePrecision) => precisionWords[p] ?? p;

/** `inImplementation` → `in implementation`, `geological_survey` → `geological survey`, `rare-earth-elements` → `rare earth elements`. */
export function words(code: string): string {
  return code
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

export function formatInstant(iso: string | null | undefined): string {
  if (!iso) return '';
  return `${formatDate(iso.slice(0, 10))} ${iso.slice(11, 16)} UTC`;
}

/** `+92 days` / `−10 days`. */
export function signedDays(days: number): string {
  const n = Math.abs(days);
  return `${days < 0 ? '−' : '+'}${n} day${n === 1 ? '' : 's'}`;
}
