/** An alert in words, for the inbox, the agreement page and the notifications: what happened, about what, when. */
import { MineStates, type Alert, type LiveAlert } from '../api/types';
import { formatDate, formatInstant, signedDays, words } from './format';

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

export function alertSummary(a: Alert): string {
  const f = a.facts ?? {};
  switch (a.kind) {
    case 'deadline.approaching': {
      // Without daysLeft, the approach window it was raised for.
      const left = num(f['daysLeft']) ?? a.window;
      return `Due ${left === 0 ? 'today' : `in ${left} day${left === 1 ? '' : 's'}`} (${formatDate(a.dueDate)})`;
    }
    case 'deadline.missed': {
      const over = num(f['daysOverdue']);
      return `Deadline missed: due ${formatDate(a.dueDate)}${over !== undefined ? `, ${over} day${over === 1 ? '' : 's'} overdue` : ''}`;
    }
    case 'milestone.slipped': {
      const days = num(f['slipDays']);
      const count = num(f['slipCount']) ?? a.window;
      const reason = text(f['reason']);
      return `Slipped${days !== undefined ? ` ${signedDays(days)}` : ''}: ${formatDate(text(f['previousDueDate']))} → ${formatDate(a.dueDate)}${count ? ` (slip ${count})` : ''}${reason ? `. Reason: ${reason}` : ''}`;
    }
    case 'agreement.stalled': {
      const idle = num(f['idleDays']) ?? a.window;
      return `No milestone activity for ${idle} days`;
    }
    case 'milestone.resolved': {
      const outcome = text(f['outcome']);
      return `Resolved${outcome ? `: ${words(outcome)}` : ''}${text(f['outcomeOn']) ? ` on ${formatDate(text(f['outcomeOn']))}` : ''}`;
    }
    default:
      // A kind newer than this dashboard: its name in words (`target.at-risk` → `target at risk`).
      return alertKindLabel(a.kind);
  }
}

export const alertKindLabel = (kind: string) => words(kind.replace('.', ' '));

/** The alert in words: the service's own reason when it sends one, else the dashboard's summary of its facts. */
export const alertText = (a: Alert): string => a.reason || alertSummary(a);

/** What a screen reader hears when the live stream brings an alert. */
export const liveAnnouncement = (a: LiveAlert): string => `New ${a.severity} alert: ${a.reason}`;

/** Where the caller stands on an alert, in words; null while it has not acted (open). */
export function standWords(mine: Alert['mine']): string | null {
  switch (mine?.state) {
    case 'acknowledged':
      return 'Acknowledged by you';
    case 'snoozed':
      return mine.until ? `Snoozed until ${formatInstant(mine.until)}` : 'Snoozed';
    case 'done':
      return 'Done';
    default:
      return null;
  }
}

/**
 * "recorded 2 Dec 2026" for an alert the tracker learned of on a later day than its cause (a back-filled report):
 * the inbox lists it by when it was recorded, so its raised time alone would look out of place. Null otherwise.
 */
export function recordedLater(a: Pick<Alert, 'raisedAt' | 'recordedAt'>): string | null {
  if (!a.recordedAt || a.recordedAt.slice(0, 10) <= a.raisedAt.slice(0, 10)) return null;
  return `recorded ${formatDate(a.recordedAt)}`;
}

/** The inbox's "Show" choices: `mine=` values (empty: the service's default, what is not done nor snoozed). */
export const inboxShows: readonly (readonly [string, string])[] = [
  ['open', 'open'],
  ['acknowledged', 'acknowledged'],
  ['snoozed', 'snoozed'],
  ['done', 'done'],
  [MineStates.join(','), 'everything'],
];

/**
 * The live stream can announce an alert before the inbox lists it (the stream reads the event, the inbox the
 * alert's document, written just after). How long to wait before asking the inbox again for one it does not list
 * yet, by how many times it was asked already; null: stop asking (it may not belong in this view at all).
 */
export function catchUpDelay(attempts: number): number | null {
  return CATCH_UP_DELAYS_MS[attempts] ?? null;
}

const CATCH_UP_DELAYS_MS = [500, 1_000, 2_000, 4_000];
