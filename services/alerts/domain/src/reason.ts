/**
 * An alert in words: what a person reads in a webhook, the live stream or the digest, so they can act without
 * looking anything up. Pure: it says what the alert's raised facts said at the time (days left, days late, the
 * slip), not where the milestone stands now (the payload carries that beside it).
 */
import type { AlertDraft } from './rules';

export type ReasonInput = Pick<AlertDraft, 'kind' | 'milestoneTitle' | 'dueDate' | 'window' | 'facts'> & {
  /** For agreement-level alerts (agreement.stalled), when known. */
  agreementTitle?: string | null;
};

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];

/** `2` → "second"; past ten: "11th", "12th", "21st", "22nd", "23rd". */
export function ordinal(n: number): string {
  if (n >= 1 && n <= ORDINALS.length) return ORDINALS[n - 1];
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** "1 day", "7 days". */
export function days(n: number): string {
  return `${n} ${Math.abs(n) === 1 ? 'day' : 'days'}`;
}

const OUTCOME_WORDS: Readonly<Record<string, string>> = {
  met: 'was met',
  partiallyMet: 'was partially met',
  notMet: 'was marked not met',
  cancelled: 'was cancelled',
};

/** Why, after a colon, when there is a why. */
const because = (why: string | undefined | null) => (why ? `: ${why}` : '');

export function alertReason(a: ReasonInput): string {
  const f = a.facts ?? {};
  const milestone = a.milestoneTitle ?? 'The milestone';
  const due = a.dueDate ?? 'its due date';
  switch (a.kind) {
    case 'deadline.approaching': {
      const left = f.daysLeft ?? a.window ?? 0;
      return left === 0 ? `${milestone} is due today (${due})` : `${milestone} is due in ${days(left)} (${due})`;
    }
    case 'deadline.missed':
      return `${milestone} missed its due date ${due} by ${days(f.daysOverdue ?? 0)}`;
    case 'milestone.slipped': {
      const slip = f.slipCount ?? a.window;
      const nth = slip ? ` (${ordinal(slip)} slip)` : '';
      return `${milestone} slipped by ${days(f.slipDays ?? 0)} to ${due}${nth}${because(f.reason)}`;
    }
    case 'agreement.stalled': {
      const agreement = a.agreementTitle ?? 'The agreement';
      const since = f.lastActivityAt ? ` (last on ${f.lastActivityAt.slice(0, 10)})` : '';
      return `${agreement} has had no milestone progress for ${days(f.idleDays ?? a.window ?? 0)}${since}`;
    }
    case 'milestone.resolved':
    case 'milestone.notMet': {
      const outcome = OUTCOME_WORDS[f.outcome ?? (a.kind === 'milestone.notMet' ? 'notMet' : 'met')] ?? `was resolved (${f.outcome})`;
      const on = f.outcomeOn ? ` on ${f.outcomeOn}` : '';
      const dueNote = a.dueDate ? ` (due ${a.dueDate})` : '';
      return `${milestone} ${outcome}${on}${dueNote}${a.kind === 'milestone.notMet' ? because(f.reason) : ''}`;
    }
    case 'milestone.atRisk': {
      const pace = f.velocityPerDay === null || f.velocityPerDay === undefined ? '' : ` at ${f.velocityPerDay} %/day`;
      if (!f.projectedOn) return `${milestone} is at risk: no forward progress${pace}, it would never be complete (due ${due})`;
      const late = a.window ?? 0;
      return `${milestone} is at risk: projected ${f.projectedOn}, ${days(late)} late${pace}`;
    }
    default:
      return `${milestone}: ${String(a.kind)}`;
  }
}

/**
 * The alert's `window`, named by what it is: `windowDays` where it counts days (approaching: the window; stalled:
 * the idle days; atRisk: the projected days late), `slipNumber` for a slip (its window is the slip count, not days).
 */
export function windowOf(a: Pick<AlertDraft, 'kind' | 'window' | 'facts'>): { windowDays: number | null; slipNumber: number | null } {
  switch (a.kind) {
    case 'deadline.approaching':
      return { windowDays: a.window, slipNumber: null };
    case 'agreement.stalled':
      return { windowDays: a.facts?.idleDays ?? a.window, slipNumber: null };
    case 'milestone.atRisk':
      return { windowDays: a.window, slipNumber: null };
    case 'milestone.slipped':
      return { windowDays: null, slipNumber: a.facts?.slipCount ?? a.window };
    default:
      return { windowDays: null, slipNumber: null };
  }
}
