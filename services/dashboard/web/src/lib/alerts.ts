/** An alert in words, for the inbox, the agreement page and the notifications: what happened, about what, when. */
import type { Alert } from '../api/types';
import { formatDate, signedDays, words } from './format';

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
