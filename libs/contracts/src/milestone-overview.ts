/**
 * A milestone as a service other than the milestones service can know it from `milestones.events` alone: what
 * the agreement's status needs ({@link MilestoneSummary}) plus what a reader looks for (title, progress, the
 * first due date, the outcome date). Pure, so that an as-of view can fold any prefix of a milestone's events.
 */
import { summarizeMilestoneEvent, type MilestoneSummary } from './agreement-status';
import { percentInForce, withCorrectedProgressReport, type MilestoneEventData, type MilestoneEventType, type MilestoneProgressReport } from './milestone-events';

export interface MilestoneOverview extends MilestoneSummary {
  agreementId: string;
  title: string;
  /** The due date first planned, before any reschedule. */
  plannedDueDate: string;
  /** Progress in percent: the latest report's by the date it describes (not the last recorded); 100 once met. */
  percent: number;
  /** The reports folded, to tell the one in force (absent in overviews folded before they were kept). */
  progressReports?: MilestoneProgressReport[];
  /** The date the outcome was reached (met or partially met), else null. */
  outcomeOn: string | null;
}

/**
 * Folds one milestone event into the overview of that milestone (undefined before `milestone.planned`); `eventId`:
 * the event's, for corrections of progress reports to find the report they correct.
 */
export function foldMilestoneOverview<K extends MilestoneEventType>(
  overview: MilestoneOverview | undefined,
  type: K,
  data: MilestoneEventData[K],
  eventId?: string,
): MilestoneOverview | undefined {
  const summary = summarizeMilestoneEvent(overview, type, data);
  if (!summary) return undefined;
  if (type === 'milestone.planned') {
    const d = data as MilestoneEventData['milestone.planned'];
    return {
      ...summary,
      agreementId: d.agreementId,
      title: d.title,
      plannedDueDate: d.dueDate,
      percent: 0,
      outcomeOn: null,
    };
  }
  if (!overview) return undefined; // only a plan starts a summary, so this cannot happen
  const next: MilestoneOverview = { ...overview, ...summary };
  // The percent of the report in force; met keeps 100.
  const progress = (reports: MilestoneProgressReport[]) => ({ progressReports: reports, percent: percentInForce(overview.status, overview.percent, reports) });
  switch (type) {
    case 'milestone.progress-reported': {
      const d = data as MilestoneEventData['milestone.progress-reported'];
      return { ...next, ...progress([...(overview.progressReports ?? []), { ...(eventId && { eventId }), reportedOn: d.reportedOn, percent: d.percent }]) };
    }
    case 'milestone.met':
      return { ...next, percent: 100, outcomeOn: (data as MilestoneEventData['milestone.met']).metOn };
    case 'milestone.partially-met':
      return { ...next, outcomeOn: (data as MilestoneEventData['milestone.partially-met']).metOn };
    case 'milestone.corrected': {
      const d = data as MilestoneEventData['milestone.corrected'];
      // The first due date is the planning's whatever came after it.
      const planned = d.changes.dueDate !== undefined && d.correctsType === 'milestone.planned' ? { plannedDueDate: d.changes.dueDate } : {};
      // A report's percent or date: the reports decide again which is in force (whatever `current` says).
      const reports = d.correctsType === 'milestone.progress-reported' ? withCorrectedProgressReport(overview.progressReports, d.correctsEventId, d.changes) : undefined;
      if (reports) return { ...next, ...progress(reports) };
      if (!d.current) return { ...next, ...planned };
      return {
        ...next,
        ...planned,
        ...(d.changes.percent !== undefined && next.status !== 'met' && { percent: d.changes.percent }),
        ...(d.changes.metOn !== undefined && { outcomeOn: d.changes.metOn }),
      };
    }
    default:
      return next;
  }
}
