/**
 * The portfolio table, its charts and its CSV from the agreements (as listed by the agreements service) and the
 * open alerts (alerts service): pure, so the numbers a team reports are tested.
 */
import { AlertSeverities, type AlertSeverity } from '@tracker/contracts';
import type { Agreement, Alert, Milestone } from '../api/types';
import { toCsv } from './csv';
import { countryName, formatDate } from './format';

export interface PortfolioRow {
  id: string;
  reference: string;
  title: string;
  kind: string;
  /** `TR`, `UZ`, or an organisation's name. */
  parties: { code: string | null; name: string }[];
  signedOn: string | null;
  datePrecision: Agreement['datePrecision'];
  status: string;
  commodities: string[];
  met: number;
  total: number;
  /** Milestones that slipped at least once. */
  slips: number;
  nextDueDate: string | null;
  openAlerts: Record<AlertSeverity, number>;
}

const noAlerts = (): Record<AlertSeverity, number> =>
  Object.fromEntries(AlertSeverities.map((s) => [s, 0])) as Record<AlertSeverity, number>;

export function portfolioRows(
  agreements: readonly Agreement[],
  openAlerts: readonly Alert[],
): PortfolioRow[] {
  const alerts = new Map<string, Record<AlertSeverity, number>>();
  for (const a of openAlerts) {
    if (a.status === 'resolved') continue;
    const counts = alerts.get(a.agreementId) ?? noAlerts();
    counts[a.severity] += 1;
    alerts.set(a.agreementId, counts);
  }
  return agreements.map((a) => {
    const m = a.milestones;
    return {
      id: a.id,
      reference: a.reference,
      title: a.title,
      kind: a.kind,
      parties: a.parties.map((p) => ({ code: p.country ?? null, name: p.name })),
      signedOn: a.signedOn,
      datePrecision: a.datePrecision,
      status: a.status,
      commodities: a.commodities,
      met: m.met,
      // `planned` counts every milestone ever planned for it, whatever became of it.
      total: m.planned,
      slips: m.slipped,
      nextDueDate: m.nextDueDate,
      openAlerts: alerts.get(a.id) ?? noAlerts(),
    };
  });
}

export type SortKey =
  'reference' | 'title' | 'signedOn' | 'status' | 'progress' | 'slips' | 'nextDueDate' | 'alerts';

/** Open alerts weighted by severity, so one critical outranks several low ones. */
export const alertWeight = (r: PortfolioRow) =>
  AlertSeverities.reduce((sum, s, i) => sum + r.openAlerts[s] * 10 ** i, 0);

const sortValue: Record<SortKey, (r: PortfolioRow) => string | number> = {
  reference: (r) => r.reference,
  title: (r) => r.title.toLowerCase(),
  signedOn: (r) => r.signedOn ?? '',
  status: (r) => r.status,
  progress: (r) => (r.total ? r.met / r.total : -1),
  slips: (r) => r.slips,
  // No next due date sorts last ascending.
  nextDueDate: (r) => r.nextDueDate ?? '9999-12-31',
  alerts: alertWeight,
};

export function sortRows(
  rows: readonly PortfolioRow[],
  key: SortKey,
  direction: 'asc' | 'desc',
): PortfolioRow[] {
  const value = sortValue[key];
  const sign = direction === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    // Text as people sort it (Élysée before Zambia), not by code unit (ISO dates order the same either way).
    const order =
      typeof x === 'string' && typeof y === 'string' ? x.localeCompare(y) : x < y ? -1 : x > y ? 1 : 0;
    return order * sign || a.reference.localeCompare(b.reference);
  });
}

export function partiesText(r: PortfolioRow): string {
  return r.parties.map((p) => (p.code ? `${countryName(p.code)} (${p.code})` : p.name)).join('; ');
}

export function portfolioCsv(rows: readonly PortfolioRow[]): string {
  return toCsv(
    [
      'reference',
      'title',
      'kind',
      'parties',
      'signed on',
      'date precision',
      'status',
      'milestones met',
      'milestones total',
      'slips',
      'next due date',
      ...AlertSeverities.map((s) => `open alerts ${s}`),
      'id',
    ],
    rows.map((r) => [
      r.reference,
      r.title,
      r.kind,
      partiesText(r),
      r.signedOn ?? '',
      r.datePrecision,
      r.status,
      r.met,
      r.total,
      r.slips,
      r.nextDueDate ?? '',
      ...AlertSeverities.map((s) => r.openAlerts[s]),
      r.id,
    ]),
  );
}

/** Agreements by status, for the portfolio's chart, largest first. */
export function byStatus(rows: readonly PortfolioRow[]): { status: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  return [...counts]
    .map(([status, count]) => ({ status, count }))
    .sort((a, b) => b.count - a.count || a.status.localeCompare(b.status));
}

/**
 * Open milestones due per month (YYYY-MM), every month from the first to the last present so gaps show as
 * zeros; split into those already overdue and those still ahead of `today`.
 */
export function duePerMonth(
  milestones: readonly Milestone[],
  today: string,
): { month: string; due: number; overdue: number }[] {
  const open = milestones.filter((m) => m.status === 'scheduled' || m.status === 'inProgress');
  if (open.length === 0) return [];
  const counts = new Map<string, { due: number; overdue: number }>();
  for (const m of open) {
    const month = m.dueDate.slice(0, 7);
    const c = counts.get(month) ?? { due: 0, overdue: 0 };
    if (m.dueDate < today) c.overdue += 1;
    else c.due += 1;
    counts.set(month, c);
  }
  const months = [...counts.keys()].sort();
  const out: { month: string; due: number; overdue: number }[] = [];
  for (let [y, mo] = months[0].split('-').map(Number); ;) {
    const month = `${y}-${String(mo).padStart(2, '0')}`;
    out.push({ month, ...(counts.get(month) ?? { due: 0, overdue: 0 }) });
    if (month >= months.at(-1)!) break;
    mo += 1;
    if (mo > 12) {
      mo = 1;
      y += 1;
    }
  }
  return out;
}

export const signedText = (r: PortfolioRow) => formatDate(r.signedOn, r.datePrecision);
