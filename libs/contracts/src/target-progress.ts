/**
 * Targets against results: what the milestones linked to a quantified target have achieved, its share of the
 * target and whether it is on track for its date. Pure, so the live view and the as-of view compute it alike.
 */
import type { QuantifiedTarget } from './agreement-events';
import type { MilestoneSummary } from './agreement-status';
import { claimEvidenceAfter, kindOf, type EvidenceKind } from './evidence';
import type { EvidenceLink, MilestoneEventData, MilestoneEventType, MilestoneStatus, Quantity } from './milestone-events';

/** What a milestone tells its agreement about targets and sourcing, beside its status (MilestoneSummary). */
export interface MilestoneContribution {
  /** Ids of the agreement's targets its outcome counts towards. */
  contributesTo: string[];
  /** The quantity its outcome reached (met or partially met), null before. */
  achieved: Quantity | null;
  /** Kinds of the evidence that backs its current status (see claimEvidenceAfter). */
  claimKinds: EvidenceKind[];
}

const OUTCOMES: ReadonlySet<MilestoneStatus> = new Set(['met', 'partiallyMet']);

/**
 * Folds one milestone event into its contribution, given the milestone's status before the event (undefined
 * before `milestone.planned`; a milestone summarised before contributions were kept starts with none).
 */
export function foldMilestoneContribution<K extends MilestoneEventType>(
  previous: MilestoneContribution | undefined,
  statusBefore: MilestoneStatus | undefined,
  type: K,
  data: MilestoneEventData[K],
): MilestoneContribution | undefined {
  const d = data as Partial<{ evidence: EvidenceLink[]; contributesTo: string[]; achieved: Quantity }>;
  const kinds = (d.evidence ?? []).map(kindOf);
  if (type === 'milestone.planned') return { contributesTo: d.contributesTo ?? [], achieved: null, claimKinds: kinds };
  if (statusBefore === undefined) return undefined;
  const before = previous ?? { contributesTo: [], achieved: null, claimKinds: [] };
  const claimKinds = claimEvidenceAfter(before.claimKinds, statusBefore, type, kinds);
  switch (type) {
    case 'milestone.met':
    case 'milestone.partially-met':
      return { ...before, achieved: d.achieved ?? null, ...(d.contributesTo && { contributesTo: d.contributesTo }), claimKinds };
    case 'milestone.corrected': {
      const c = data as MilestoneEventData['milestone.corrected'];
      return c.current && c.changes.achieved !== undefined ? { ...before, achieved: c.changes.achieved } : before;
    }
    default:
      return { ...before, claimKinds };
  }
}

/**
 * Whether an achieved quantity adds to a target: the same currency (or none on both), and the same unit
 * (case-insensitive) unless both are money in the same currency and one of them names no unit. Any other
 * quantity is reported beside the target, never added.
 */
export function addsTo(target: Pick<QuantifiedTarget, 'unit' | 'currency'>, quantity: Quantity): boolean {
  const currency = (c?: string) => (c ?? '').trim().toUpperCase();
  const unit = (u?: string) => (u ?? '').trim().toLowerCase();
  if (currency(target.currency) !== currency(quantity.currency)) return false;
  if (currency(target.currency) && (!unit(target.unit) || !unit(quantity.unit))) return true;
  return unit(target.unit) === unit(quantity.unit);
}

const DAY_MS = 86_400_000;
const dayNumber = (date: string) => Date.parse(`${date.slice(0, 10)}T00:00:00Z`) / DAY_MS;

/**
 * On track for its date: reached already (share ≥ 1); otherwise, before the target date, the share achieved is at
 * least the share of time elapsed between the start (the signing) and the target date; after the date without
 * reaching it: not on track. null when it cannot be said: no amount, no target date or no known start.
 */
export function onTrack(input: { share: number | null; start: string | null; byDate: string | undefined; today: string }): boolean | null {
  const { share, start, byDate, today } = input;
  if (share === null) return null;
  if (share >= 1) return true;
  if (!byDate) return null;
  if (today > byDate) return false;
  if (!start) return null;
  const span = dayNumber(byDate) - dayNumber(start);
  const elapsed = span <= 0 ? 1 : Math.min(1, Math.max(0, (dayNumber(today) - dayNumber(start)) / span));
  return share >= elapsed;
}

export interface TargetContribution {
  milestoneId: string;
  status: MilestoneStatus;
  achieved: Quantity | null;
  /** Counted in `achieved` of the target: an outcome whose quantity matches the target's unit and currency. */
  added: boolean;
}

export interface TargetProgress {
  /** The sum of the quantities added (0 when none). */
  achieved: number;
  /** achieved / amount, when the target has an amount above 0. */
  share: number | null;
  onTrack: boolean | null;
  /** Every milestone linked to the target; those not added (another unit or currency, no quantity yet) too. */
  contributions: TargetContribution[];
}

/** A target's progress from the contributions of its agreement's milestones; `start`: the signing date (or null). */
export function targetProgress(
  target: QuantifiedTarget & { targetId: string },
  milestones: readonly MilestoneSummary[],
  start: string | null,
  today: string,
): TargetProgress {
  const contributions = milestones
    .filter((m) => m.contribution?.contributesTo.includes(target.targetId))
    .map((m) => {
      const achieved = m.contribution?.achieved ?? null;
      return { milestoneId: m.milestoneId, status: m.status, achieved, added: OUTCOMES.has(m.status) && achieved !== null && addsTo(target, achieved) };
    });
  const achieved = contributions.reduce((sum, c) => (c.added && c.achieved ? sum + c.achieved.amount : sum), 0);
  const share = target.amount !== undefined && target.amount > 0 ? achieved / target.amount : null;
  return { achieved, share, onTrack: onTrack({ share, start, byDate: target.byDate, today }), contributions };
}

export type TargetWithProgress = QuantifiedTarget & { targetId: string; progress: TargetProgress };

/** Each target of an agreement with its progress; `signingStart`: the first day of the signing period (or null). */
export function targetsWithProgress(
  targets: readonly QuantifiedTarget[],
  milestones: readonly MilestoneSummary[],
  signingStart: string | null,
  today: string,
): TargetWithProgress[] {
  return targets.map((t, i) => {
    const target = { ...t, targetId: t.targetId ?? `T${i + 1}` };
    return { ...target, progress: targetProgress(target, milestones, signingStart, today) };
  });
}
