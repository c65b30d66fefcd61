/**
 * GET /agreements/export.csv: one row per agreement, in these columns and this order (clients' spreadsheets
 * depend on them: add new columns at the end, never rename or reorder).
 */
import type { CsvColumn } from '@tracker/platform';
import type { AgreementView } from './agreement-read-model';

export const AGREEMENT_COLUMNS: ReadonlyArray<CsvColumn<AgreementView>> = [
  { header: 'id', description: 'agreement id (UUID)', value: (a) => a.id },
  { header: 'reference', description: 'the unique reference', value: (a) => a.reference },
  { header: 'title', description: 'title', value: (a) => a.title },
  { header: 'kind', description: 'kind of agreement', value: (a) => a.kind },
  { header: 'status', description: 'derived status, as in GET /agreements', value: (a) => a.status },
  {
    header: 'signedOn',
    description: 'signing date as precise as known: YYYY-MM-DD, YYYY-MM or YYYY; empty when unknown',
    value: (a) => a.signedOn,
  },
  { header: 'datePrecision', description: 'day, month, year or unknown', value: (a) => a.datePrecision },
  { header: 'place', description: 'where it was signed', value: (a) => a.place },
  {
    header: 'partyCountries',
    description: 'ISO 3166-1 codes of the parties that are countries',
    value: (a) => a.parties.flatMap((p) => (p.country ? [p.country] : [])),
  },
  { header: 'parties', description: 'party names', value: (a) => a.parties.map((p) => p.name) },
  { header: 'signatories', description: 'signatory names', value: (a) => a.signatories.map((s) => s.name) },
  { header: 'commodities', description: 'commodity codes', value: (a) => a.commodities },
  { header: 'sectors', description: 'sectors', value: (a) => a.sectors },
  { header: 'objectives', description: 'objectives', value: (a) => a.objectives },
  { header: 'milestonesPlanned', description: 'milestones planned', value: (a) => a.milestones.planned },
  { header: 'milestonesMet', description: 'milestones met', value: (a) => a.milestones.met },
  {
    header: 'milestonesPartiallyMet',
    description: 'milestones partially met',
    value: (a) => a.milestones.partiallyMet,
  },
  {
    header: 'milestonesMissed',
    description: 'milestones not met or open past their due date',
    value: (a) => a.milestones.missed,
  },
  {
    header: 'milestonesSlipped',
    description: 'milestones rescheduled later at least once',
    value: (a) => a.milestones.slipped,
  },
  {
    header: 'nextDueDate',
    description: 'earliest due date among open milestones (YYYY-MM-DD)',
    value: (a) => a.milestones.nextDueDate,
  },
  {
    header: 'registeredAt',
    description: 'when it was registered (ISO 8601 date-time)',
    value: (a) => a.registeredAt,
  },
  {
    header: 'lastActivityAt',
    description: 'last activity on it or its milestones, business time (ISO 8601)',
    value: (a) => a.lastActivityAt,
  },
  { header: 'version', description: 'version of the agreement (its ETag)', value: (a) => a.version },
];
