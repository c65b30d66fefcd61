/**
 * Milestones as Open Contracting Data Standard 1.1.5 (ADR 0012), both ways, as pure functions: an agreement's
 * milestones as a release package (its contract's implementation milestones), and, for an import, the commands
 * that bring a milestone to what a published milestone says, checked against the Milestone decider before
 * anything is written.
 */
import {
  DomainError,
  isTerminalMilestoneStatus,
  MilestoneTypes,
  type EvidenceLink,
  type MilestoneStatus,
  type MilestoneType,
} from '@tracker/contracts';
import { milestoneDecider, type MilestoneCommand, type MilestoneState } from '@tracker/milestones-domain';
import type { AgreementEntry } from '../agreement-directory/agreement-directory';
import type { MilestoneViewDoc } from '../milestones/milestone-views';
import type { MilestoneChange } from '../milestones/milestones.service';
import { OCDS_MILESTONE_TYPES } from './ocds-schema';

/**
 * The ocid prefix: `ocds-` and six characters, then the agreement id. A placeholder until the publisher registers
 * its own with the Open Contracting Partnership (ADR 0012); exports and imports both use it.
 */
export const OCID_PREFIX = 'ocds-trkr00-';
export const OCDS_VERSION = '1.1';
/** The core extension that keeps documents on milestones (deprecated in core 1.1). */
export const MILESTONE_DOCUMENTS_EXTENSION =
  'https://raw.githubusercontent.com/open-contracting-extensions/ocds_milestone_documents_extension/master/extension.json';

export type OcdsMilestoneStatus = 'scheduled' | 'met' | 'notMet' | 'partiallyMet';

export interface OcdsDocument {
  id: string;
  title?: string;
  url: string;
}

export interface OcdsMilestone {
  id: string;
  title: string;
  type: (typeof OCDS_MILESTONE_TYPES)[number];
  description?: string;
  /** The tracker's milestone type (joint_venture, geological_survey…). */
  code: MilestoneType;
  dueDate: string;
  dateMet?: string;
  dateModified: string;
  status: OcdsMilestoneStatus;
  documents: OcdsDocument[];
  /** Extension fields (ADR 0012). */
  statusDetails: MilestoneStatus;
  plannedDueDate: string;
  percentComplete: number;
}

/** OCDS has four codes; in progress is still scheduled, cancelled is no longer expected to be met (notMet). */
const OCDS_STATUS: Record<MilestoneStatus, OcdsMilestoneStatus> = {
  scheduled: 'scheduled',
  inProgress: 'scheduled',
  met: 'met',
  partiallyMet: 'partiallyMet',
  notMet: 'notMet',
  cancelled: 'notMet',
};

/** The nature of each tracker type in OCDS's milestoneType codelist. */
const OCDS_TYPE: Record<MilestoneType, OcdsMilestone['type']> = {
  joint_venture: 'delivery',
  geological_survey: 'assessment',
  processing_plant: 'delivery',
  refinery: 'delivery',
  workforce_training: 'delivery',
  financing: 'financing',
  rd_programme: 'delivery',
  information_sharing: 'reporting',
  offtake_agreement: 'delivery',
  regulatory_step: 'approval',
  other: 'delivery',
};

/** A calendar date as the start of that day in UTC (OCDS dates are date-times). */
const dateTimeOf = (date: string) => `${date}T00:00:00Z`;

export const ocidOf = (agreementId: string) => `${OCID_PREFIX}${agreementId}`;

export function ocdsMilestone(doc: MilestoneViewDoc): OcdsMilestone {
  const s = doc.state;
  return {
    id: s.milestoneId,
    title: s.title,
    type: OCDS_TYPE[s.type],
    ...(s.description !== undefined && { description: s.description }),
    code: s.type,
    dueDate: dateTimeOf(s.dueDate),
    ...(s.outcomeOn &&
      (s.status === 'met' || s.status === 'partiallyMet') && { dateMet: dateTimeOf(s.outcomeOn) }),
    dateModified: new Date(doc.updatedAt).toISOString(),
    status: OCDS_STATUS[s.status],
    documents: s.evidence.map((e, i) => ({
      id: `${s.milestoneId}-evidence-${i + 1}`,
      ...(e.title !== undefined && { title: e.title }),
      url: e.url,
    })),
    statusDetails: s.status,
    plannedDueDate: dateTimeOf(s.plannedDueDate),
    percentComplete: s.percent,
  };
}

const CONTRACT_STATUS: Record<AgreementEntry['lifecycle'], string> = {
  active: 'active',
  suspended: 'active',
  terminated: 'terminatedEarly',
  expired: 'terminated',
};

/**
 * One agreement as a release package: one release (the contracting process is the agreement, `ocid` = prefix +
 * agreement id) whose contract is the agreement and whose implementation milestones are its milestones. Dated by
 * its latest change, so the same state always gives the same package (release id included).
 */
export function releasePackage(
  agreement: AgreementEntry,
  milestones: readonly MilestoneViewDoc[],
  uri: string,
) {
  const ocid = ocidOf(agreement._id);
  const date = milestones
    .map((m) => new Date(m.updatedAt).toISOString())
    .reduce((a, b) => (b > a ? b : a), new Date(agreement.registeredAt).toISOString());
  const signed =
    agreement.signedOn && agreement.datePrecision === 'day' ? dateTimeOf(agreement.signedOn) : null;
  return {
    uri,
    version: OCDS_VERSION,
    extensions: [MILESTONE_DOCUMENTS_EXTENSION],
    publishedDate: date,
    publisher: { name: 'Agreement tracker' },
    releases: [
      {
        ocid,
        id: `${ocid}-${date.replace(/[^0-9]/g, '').slice(0, 14)}`,
        date,
        tag: ['contract', 'implementation'],
        // The only code of the closed initiationType codelist; required, though no tender preceded an agreement.
        initiationType: 'tender',
        awards: [
          { id: agreement._id, title: agreement.title, status: 'active', ...(signed && { date: signed }) },
        ],
        contracts: [
          {
            id: agreement._id,
            awardID: agreement._id,
            title: agreement.title,
            description: `Agreement ${agreement.reference}`,
            status: CONTRACT_STATUS[agreement.lifecycle],
            statusDetails: agreement.lifecycle,
            ...(signed && { dateSigned: signed }),
            implementation: { milestones: milestones.map(ocdsMilestone) },
          },
        ],
      },
    ],
  };
}

/** What a published milestone asks for, in the tracker's terms. */
export interface WantedMilestone {
  externalId: string;
  type: MilestoneType;
  title: string;
  description?: string;
  dueDate: string;
  status: MilestoneStatus;
  metOn?: string;
  evidence: EvidenceLink[];
  /** The release it came from, named in the reasons the commands record. */
  releaseId: string;
}

const OPEN_DETAILS: ReadonlySet<string> = new Set(['scheduled', 'inProgress']);
const CLOSED_DETAILS: Record<string, ReadonlySet<string>> = { notMet: new Set(['notMet', 'cancelled']) };

/** The tracker's status from the OCDS code and, when it names one that fits, the statusDetails extension. */
function statusOf(status: string | null | undefined, details: unknown): MilestoneStatus {
  const code = status ?? 'scheduled';
  if (typeof details === 'string') {
    if (code === 'scheduled' && OPEN_DETAILS.has(details)) return details as MilestoneStatus;
    if (CLOSED_DETAILS[code]?.has(details)) return details as MilestoneStatus;
  }
  return code as MilestoneStatus;
}

const dateOf = (value: unknown): string | undefined =>
  typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : undefined;

/** A milestone of the package in the tracker's terms, or the reason it cannot be one. `m` passed the Milestone schema. */
export function wantedMilestone(
  m: Record<string, unknown>,
  releaseId: string,
): WantedMilestone | { refused: string } {
  const code = m['code'];
  if (typeof code !== 'string' || !(MilestoneTypes as readonly string[]).includes(code)) {
    return { refused: `code must be one of the tracker's milestone types (${MilestoneTypes.join(', ')})` };
  }
  const title = typeof m['title'] === 'string' ? m['title'].trim() : '';
  if (title.length < 3 || title.length > 500) return { refused: 'title is required: 3 to 500 characters' };
  if (typeof m['description'] === 'string' && m['description'].length > 5000)
    return { refused: 'description must be at most 5000 characters' };
  const dueDate = dateOf(m['dueDate']);
  if (!dueDate) return { refused: 'dueDate is required' };
  const status = statusOf(m['status'] as string | null | undefined, m['statusDetails']);
  const metOn = dateOf(m['dateMet']);
  if ((status === 'met' || status === 'partiallyMet') && !metOn)
    return { refused: `dateMet is required when the status is ${status}` };
  const documents = (Array.isArray(m['documents']) ? m['documents'] : []) as Array<{
    url?: unknown;
    title?: unknown;
  }>;
  // The same rules as evidence sent to the REST API: an http(s) address, a short title.
  const bad = documents.find(
    (d) =>
      typeof d.url !== 'string' ||
      d.url.length > 2000 ||
      !/^https?:\/\/[^\s/$.?#][^\s]*$/i.test(d.url) ||
      (typeof d.title === 'string' && d.title.length > 300),
  );
  if (bad)
    return {
      refused: `every document needs an http(s) url (at most 2000 characters) and a title of at most 300 characters: ${JSON.stringify(bad.url ?? null)}`,
    };
  const evidence = documents.map((d) => ({
    url: d.url as string,
    ...(typeof d.title === 'string' && { title: d.title }),
  }));
  return {
    externalId: String(m['id']),
    type: code as MilestoneType,
    title,
    ...(typeof m['description'] === 'string' && { description: m['description'] }),
    dueDate,
    status,
    ...(metOn && { metOn }),
    evidence,
    releaseId,
  };
}

/** A command after planning, without what the service adds (now, the agreement). */
export type ImportStep = MilestoneChange;

/**
 * The steps that bring `current` (undefined: to be planned) to `wanted`: a reschedule when the due date differs,
 * then the status change. A status it cannot reach (a met milestone scheduled again) is refused by the decider.
 */
export function importSteps(current: MilestoneState | undefined, wanted: WantedMilestone): ImportStep[] {
  const why = `as published in OCDS release ${wanted.releaseId}`;
  const status: MilestoneStatus = current?.exists ? current.status : 'scheduled';
  const dueDate = current?.exists ? current.dueDate : wanted.dueDate;
  const steps: ImportStep[] = [];
  if (dueDate !== wanted.dueDate) steps.push({ kind: 'reschedule', newDueDate: wanted.dueDate, reason: why });
  if (wanted.status === status) return steps;
  // OCDS's scheduled also covers a milestone in progress: it does not send one back.
  if (wanted.status === 'scheduled' && status === 'inProgress') return steps;
  switch (wanted.status) {
    case 'inProgress':
      // From a closed status the decider refuses it: a milestone met or cancelled does not start again.
      steps.push({ kind: 'start' });
      break;
    case 'met':
      steps.push({ kind: 'markMet', metOn: metOnOf(wanted), evidence: newEvidence(current, wanted) });
      break;
    case 'partiallyMet':
      steps.push({
        kind: 'markPartiallyMet',
        metOn: metOnOf(wanted),
        evidence: newEvidence(current, wanted),
        note: `Partially met ${why}`,
      });
      break;
    case 'notMet':
      steps.push({ kind: 'markNotMet', reason: why });
      break;
    case 'cancelled':
      steps.push({ kind: 'cancel', reason: why });
      break;
    case 'scheduled':
      // A closed milestone cannot be scheduled again: the decider says so in the refusal.
      if (current?.exists && isTerminalMilestoneStatus(status))
        throw new DomainError(
          'invalid-transition',
          `cannot schedule again: the milestone is already ${status}`,
        );
      break;
  }
  return steps;
}

/** The outcome's date (wantedMilestone refuses an outcome without one). */
function metOnOf(wanted: WantedMilestone): string {
  if (!wanted.metOn)
    throw new DomainError('invalid', `dateMet is required when the status is ${wanted.status}`, 'dateMet');
  return wanted.metOn;
}

/** The documents not yet among the milestone's evidence (all of them when none is new, as an outcome needs some). */
function newEvidence(current: MilestoneState | undefined, wanted: WantedMilestone): EvidenceLink[] {
  const known = new Set(current?.exists ? current.evidence.map((e) => e.url) : []);
  const fresh = wanted.evidence.filter((e) => !known.has(e.url));
  return fresh.length > 0 ? fresh : wanted.evidence;
}

/**
 * Runs `commands` through the Milestone decider on `state` without writing anything: the first refusal is thrown
 * (a DomainError in the user's words), so that an import writes all of a milestone's steps or none.
 */
export function checkSteps(state: MilestoneState, commands: readonly MilestoneCommand[]): void {
  let s = state;
  for (const command of commands) {
    for (const event of milestoneDecider.decide(command, s)) s = milestoneDecider.evolve(s, event);
  }
}
