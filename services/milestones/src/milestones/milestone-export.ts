/**
 * GET /milestones/export.csv: one row per milestone, in these columns and this order (clients' spreadsheets
 * depend on them: add new columns at the end, never rename or reorder).
 */
import type { CsvColumn } from '@tracker/platform';
import type { MilestoneView } from './milestones.service';

export type ExportedMilestone = MilestoneView & { agreementReference: string | null };

export const MILESTONE_COLUMNS: ReadonlyArray<CsvColumn<ExportedMilestone>> = [
  { header: 'id', description: 'milestone id (UUID)', value: (m) => m.id },
  { header: 'agreementId', description: 'its agreement (UUID)', value: (m) => m.agreementId },
  {
    header: 'agreementReference',
    description: "its agreement's reference; empty while this service has not yet heard of the agreement",
    value: (m) => m.agreementReference,
  },
  { header: 'type', description: 'milestone type', value: (m) => m.type },
  { header: 'title', description: 'title', value: (m) => m.title },
  {
    header: 'status',
    description: 'scheduled, inProgress, met, partiallyMet, notMet or cancelled',
    value: (m) => m.status,
  },
  { header: 'responsibleParty', description: 'who carries it', value: (m) => m.responsibleParty },
  {
    header: 'plannedDueDate',
    description: 'the due date first planned (YYYY-MM-DD)',
    value: (m) => m.plannedDueDate,
  },
  { header: 'dueDate', description: 'the current due date (YYYY-MM-DD)', value: (m) => m.dueDate },
  { header: 'slipCount', description: 'times rescheduled later', value: (m) => m.slipCount },
  {
    header: 'slipDays',
    description: 'days slipped in all',
    value: (m) => m.slips.reduce((days, s) => days + s.slipDays, 0),
  },
  { header: 'overdue', description: 'true when open past its due date', value: (m) => m.overdue },
  { header: 'percent', description: 'progress reported, 0-100', value: (m) => m.percent },
  { header: 'startedOn', description: 'date work started (YYYY-MM-DD)', value: (m) => m.startedOn },
  {
    header: 'outcomeOn',
    description: 'date it was met or partially met (YYYY-MM-DD)',
    value: (m) => m.outcomeOn,
  },
  {
    header: 'closedOn',
    description: 'date it was marked not met or cancelled (YYYY-MM-DD)',
    value: (m) => m.closedOn,
  },
  { header: 'closingReason', description: 'why it was not met or cancelled', value: (m) => m.closingReason },
  { header: 'evidence', description: 'evidence links (URLs)', value: (m) => m.evidence.map((e) => e.url) },
  { header: 'plannedAt', description: 'when it was planned (ISO 8601 date-time)', value: (m) => m.plannedAt },
  {
    header: 'updatedAt',
    description: 'when it last changed (ISO 8601 date-time)',
    value: (m) => m.updatedAt,
  },
  { header: 'version', description: 'version of the milestone (its ETag)', value: (m) => m.version },
];
