/**
 * How an agreement's implementation status follows from its milestones. Shared so that the agreements service
 * (derived status, counts) and the milestones service (timeline) can never disagree.
 */
import type { ImplementationStatus } from './agreement-events';
import type { MilestoneEventData, MilestoneEventType, MilestoneStatus, MilestoneType } from './milestone-events';
import { foldMilestoneContribution, type MilestoneContribution } from './target-progress';
import { isIdleTooLong, milestoneActiveAfter } from './agreement-activity';

/** What one milestone contributes to its agreement's status, folded from `milestone.*` events. */
export interface MilestoneSummary {
  milestoneId: string;
  type: MilestoneType;
  status: MilestoneStatus;
  dueDate: string;
  slipCount: number;
  /** True once anything beyond planning happened (start, progress, outcome). */
  active: boolean;
  /** Targets it counts towards, what it achieved, what backs its status (absent in summaries of older releases). */
  contribution?: MilestoneContribution;
}

const terminal: ReadonlySet<MilestoneStatus> = new Set(['met', 'partiallyMet', 'notMet', 'cancelled']);
const outcome: ReadonlySet<MilestoneStatus> = new Set(['met', 'partiallyMet']);

export function isTerminalMilestoneStatus(status: MilestoneStatus): boolean {
  return terminal.has(status);
}

/** Folds one milestone event into the summary of that milestone (undefined before `milestone.planned`). */
export function summarizeMilestoneEvent<K extends MilestoneEventType>(
  summary: MilestoneSummary | undefined,
  type: K,
  data: MilestoneEventData[K],
): MilestoneSummary | undefined {
  const status = summarizeStatus(summary, type, data);
  // Active by the one rule the stalled check uses too (agreement-activity.ts).
  const next = status && { ...status, active: milestoneActiveAfter(summary?.active ?? false, type) };
  const contribution = next && foldMilestoneContribution(summary?.contribution, summary?.status, type, data);
  return next && contribution ? { ...next, contribution } : next;
}

function summarizeStatus<K extends MilestoneEventType>(
  summary: MilestoneSummary | undefined,
  type: K,
  data: MilestoneEventData[K],
): MilestoneSummary | undefined {
  if (type === 'milestone.planned') {
    const d = data as MilestoneEventData['milestone.planned'];
    return { milestoneId: d.milestoneId, type: d.type, status: 'scheduled', dueDate: d.dueDate, slipCount: 0, active: false };
  }
  if (!summary) return undefined;
  switch (type) {
    case 'milestone.started':
    case 'milestone.progress-reported':
      // Folded in business order, a report can come after the outcome it preceded in the record: it moves nothing back.
      return terminal.has(summary.status) ? summary : { ...summary, status: 'inProgress' };
    case 'milestone.rescheduled': {
      const d = data as MilestoneEventData['milestone.rescheduled'];
      return { ...summary, dueDate: d.newDueDate, slipCount: d.slipCount };
    }
    case 'milestone.met':
      return { ...summary, status: 'met' };
    case 'milestone.partially-met':
      return { ...summary, status: 'partiallyMet' };
    case 'milestone.not-met':
      return { ...summary, status: 'notMet' };
    case 'milestone.cancelled':
      return { ...summary, status: 'cancelled' };
    case 'milestone.corrected': {
      // A corrected due date still in force moves the deadline (not a slip).
      const d = data as MilestoneEventData['milestone.corrected'];
      return d.current && d.changes.dueDate !== undefined ? { ...summary, dueDate: d.changes.dueDate } : summary;
    }
    default:
      return summary;
  }
}

/**
 * signed: nothing has happened beyond planning; inImplementation: work started or an outcome was decided;
 * delivering: a first concrete outcome was met (fully or partly); completed: every milestone is decided and at
 * least one delivered. `stalled` is time-based and applied on top by {@link applyStall}.
 */
export function deriveImplementationStatus(milestones: readonly MilestoneSummary[]): Exclude<ImplementationStatus, 'stalled'> {
  const live = milestones.filter((m) => m.status !== 'cancelled');
  const delivered = live.some((m) => outcome.has(m.status));
  if (live.length > 0 && delivered && live.every((m) => terminal.has(m.status))) return 'completed';
  if (delivered) return 'delivering';
  if (milestones.some((m) => m.active)) return 'inImplementation';
  return 'signed';
}

/** An agreement that is not completed and idle for `stalledAfterDays` (the shared rule: agreement-activity.ts) is stalled. */
export function applyStall(
  status: ImplementationStatus,
  lastActivityAt: string | Date,
  now: Date,
  stalledAfterDays: number,
): ImplementationStatus {
  if (status === 'completed') return status;
  return isIdleTooLong(new Date(lastActivityAt).toISOString(), now, stalledAfterDays) ? 'stalled' : status;
}

export interface MilestoneCounts {
  planned: number;
  inProgress: number;
  met: number;
  partiallyMet: number;
  /** Marked not met, or still open after the due date. */
  missed: number;
  cancelled: number;
  /** Milestones that slipped (rescheduled later) at least once. */
  slipped: number;
  /** Earliest due date among open milestones, YYYY-MM-DD. */
  nextDueDate: string | null;
}

export function countMilestones(milestones: readonly MilestoneSummary[], today: string): MilestoneCounts {
  const open = milestones.filter((m) => !terminal.has(m.status));
  const overdue = open.filter((m) => m.dueDate < today);
  return {
    planned: milestones.length,
    inProgress: milestones.filter((m) => m.status === 'inProgress').length,
    met: milestones.filter((m) => m.status === 'met').length,
    partiallyMet: milestones.filter((m) => m.status === 'partiallyMet').length,
    missed: milestones.filter((m) => m.status === 'notMet').length + overdue.length,
    cancelled: milestones.filter((m) => m.status === 'cancelled').length,
    slipped: milestones.filter((m) => m.slipCount > 0).length,
    nextDueDate: open.map((m) => m.dueDate).sort()[0] ?? null,
  };
}
