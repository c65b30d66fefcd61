/**
 * What the public may read of a public agreement (issue 21), as pure functions of the agreement's view and its
 * journal entries: its facts, its milestones with their slips and evidence, its timeline in business time. Built
 * by picking the fields that are meant to be public (never by dropping the private ones), so a field added to an
 * event later stays private until it is named here. Never: who recorded what (actors are API key names),
 * correlation ids, notes (progress, outcome and acknowledgement notes are the monitors' working notes), alerts
 * (they exist because of subscriptions), corrections' bookkeeping, the visibility decisions themselves.
 */
import type {
  AgreementStatus,
  EvidenceLink,
  ImplementationStatus,
  LifecycleStatus,
  MilestoneCounts,
  MilestoneEventData,
  MilestoneStatus,
  MilestoneType,
} from '@tracker/contracts';
import { effectiveTimes } from '@tracker/event-store';
import { surroundingsAsOf, type JournalEntry } from '../history/agreement-as-of';
import type { AgreementView } from '../agreements/agreement-read-model';

/** An agreement's facts as published: the registered facts, its status and counts. */
export interface PublicAgreement {
  id: string;
  reference: string;
  title: string;
  kind: AgreementView['kind'];
  parties: AgreementView['parties'];
  signatories: AgreementView['signatories'];
  signedOn: string | null;
  datePrecision: AgreementView['datePrecision'];
  place?: string;
  context?: string;
  sectors: string[];
  commodities: string[];
  objectives: string[];
  targets: AgreementView['targets'];
  sources: AgreementView['sources'];
  status: AgreementStatus;
  lifecycle: LifecycleStatus;
  lifecycleSince?: string;
  implementationStatus: ImplementationStatus;
  milestones: MilestoneCounts;
  lastActivityAt: string;
}

export interface PublicSlip {
  previousDueDate: string;
  newDueDate: string;
  slipDays: number;
  reason: string;
  decidedOn: string | null;
}

export interface PublicMilestone {
  id: string;
  type: MilestoneType;
  title: string;
  description?: string;
  responsibleParty?: string;
  status: MilestoneStatus;
  plannedDueDate: string;
  dueDate: string;
  percent: number;
  slips: PublicSlip[];
  evidence: EvidenceLink[];
  startedOn: string | null;
  outcomeOn: string | null;
  /** Why it was not met or cancelled, and when. */
  closingReason: string | null;
  closedOn: string | null;
}

export interface PublicStep {
  /** The event's id: stable, the same as the Atom entry's `urn:uuid:`. */
  id: string;
  type: string;
  occurredAt: string;
  recordedAt: string;
  milestoneId: string | null;
  milestoneTitle: string | null;
  /** One line in words. */
  summary: string;
}

export function publicAgreement(view: AgreementView): PublicAgreement {
  return {
    id: view.id,
    reference: view.reference,
    title: view.title,
    kind: view.kind,
    parties: view.parties.map((p) => ({ ...p })),
    signatories: view.signatories.map((s) => ({ ...s })),
    signedOn: view.signedOn,
    datePrecision: view.datePrecision,
    ...(view.place !== undefined && { place: view.place }),
    ...(view.context !== undefined && { context: view.context }),
    sectors: [...view.sectors],
    commodities: [...view.commodities],
    objectives: [...view.objectives],
    targets: view.targets.map((t) => ({ ...t })),
    sources: view.sources.map((s) => ({ ...s })),
    status: view.status,
    lifecycle: view.lifecycle,
    ...(view.lifecycleSince !== undefined && { lifecycleSince: view.lifecycleSince }),
    implementationStatus: view.implementationStatus,
    milestones: { ...view.milestones },
    lastActivityAt: view.lastActivityAt,
  };
}

const evidenceOf = (links: readonly EvidenceLink[] | undefined): EvidenceLink[] =>
  (links ?? []).map((l) => ({ url: l.url, ...(l.title !== undefined && { title: l.title }) }));

type Data<K extends keyof MilestoneEventData> = MilestoneEventData[K];

/**
 * The agreement's milestones now, from its journal entries: statuses, dates and percentages as the agreement's
 * as-of view folds them (corrections applied), with the slips, evidence and closing reasons their events carry.
 */
export function publicMilestones(entries: readonly JournalEntry[]): PublicMilestone[] {
  const { milestones } = surroundingsAsOf(entries, {});
  return milestones.map((m) => {
    const own = entries
      .filter((e) => e.source === 'milestones' && (e.data as { milestoneId?: string }).milestoneId === m.id)
      .sort((a, b) => a.streamVersion - b.streamVersion);
    const planned = own.find((e) => e.type === 'milestone.planned')?.data as
      Data<'milestone.planned'> | undefined;
    const slips: PublicSlip[] = [];
    const evidence: EvidenceLink[] = evidenceOf(planned?.evidence);
    let startedOn: string | null = null;
    let closingReason: string | null = null;
    let closedOn: string | null = null;
    for (const e of own) {
      switch (e.type) {
        case 'milestone.started':
          startedOn = (e.data as Data<'milestone.started'>).startedOn;
          break;
        case 'milestone.rescheduled': {
          const d = e.data as Data<'milestone.rescheduled'>;
          slips.push({
            previousDueDate: d.previousDueDate,
            newDueDate: d.newDueDate,
            slipDays: d.slipDays,
            reason: d.reason,
            decidedOn: d.decidedOn ?? null,
          });
          break;
        }
        case 'milestone.progress-reported':
        case 'milestone.met':
        case 'milestone.partially-met':
          evidence.push(...evidenceOf((e.data as { evidence?: EvidenceLink[] }).evidence));
          break;
        case 'milestone.not-met':
        case 'milestone.cancelled': {
          const d = e.data as Data<'milestone.cancelled'>;
          closingReason = d.reason;
          closedOn = d.on ?? e.occurredAt.slice(0, 10);
          break;
        }
      }
    }
    return {
      id: m.id,
      type: m.type,
      title: m.title,
      ...(planned?.description !== undefined && { description: planned.description }),
      ...(planned?.responsibleParty !== undefined && { responsibleParty: planned.responsibleParty }),
      status: m.status,
      plannedDueDate: m.plannedDueDate,
      dueDate: m.dueDate,
      percent: m.percent,
      slips,
      evidence,
      startedOn,
      outcomeOn: m.outcomeOn,
      closingReason,
      closedOn,
    };
  });
}

/** The steps the public sees: the agreement's and its milestones' facts; no alerts, no visibility decisions. */
export function isPublicStep(entry: Pick<JournalEntry, 'source' | 'type'>): boolean {
  return entry.source !== 'alerts' && entry.type !== 'agreement.visibility-changed';
}

const WORDS: Record<string, (d: Record<string, unknown>, title: string) => string> = {
  'agreement.registered': () => 'Agreement signed',
  'agreement.amended': (d) => `Facts amended: ${Object.keys((d['changes'] as object) ?? {}).join(', ')}`,
  'agreement.source-attached': (d) =>
    `Source added: ${String((d['source'] as { title?: string })?.title ?? '')}`,
  'agreement.objective-added': (d) => `Objective added: ${String(d['objective'])}`,
  'agreement.target-added': (d) =>
    `Target added: ${String((d['target'] as { description?: string })?.description ?? '')}`,
  'agreement.suspended': (d) => `Agreement suspended: ${String(d['reason'])}`,
  'agreement.resumed': () => 'Agreement resumed',
  'agreement.terminated': (d) => `Agreement terminated: ${String(d['reason'])}`,
  'agreement.expired': () => 'Agreement expired',
  'agreement.status-derived': (d) => `Status now ${String(d['to'])}`,
  'agreement.corrected': (d) => `Correction: ${String(d['reason'])}`,
  'milestone.planned': (d, t) => `Milestone planned: ${t}, due ${String(d['dueDate'])}`,
  'milestone.started': (_d, t) => `Work started: ${t}`,
  'milestone.progress-reported': (d, t) => `Progress on ${t}: ${String(d['percent'])}%`,
  'milestone.rescheduled': (d, t) =>
    `${Number(d['slipDays']) > 0 ? 'Slipped' : 'Brought forward'}: ${t}, now due ${String(d['newDueDate'])} (${String(d['reason'])})`,
  'milestone.met': (_d, t) => `Milestone met: ${t}`,
  'milestone.partially-met': (_d, t) => `Milestone partially met: ${t}`,
  'milestone.not-met': (d, t) => `Milestone not met: ${t} (${String(d['reason'])})`,
  'milestone.cancelled': (d, t) => `Milestone cancelled: ${t} (${String(d['reason'])})`,
  'milestone.corrected': (d, t) => `Correction on ${t}: ${String(d['reason'])}`,
};

/** Milestone titles by id, from the plans among `entries`. */
export function milestoneTitles(entries: readonly JournalEntry[]): Map<string, string> {
  const titles = new Map<string, string>();
  for (const e of entries)
    if (e.type === 'milestone.planned')
      titles.set(
        (e.data as Data<'milestone.planned'>).milestoneId,
        (e.data as Data<'milestone.planned'>).title,
      );
  return titles;
}

export function publicStep(entry: JournalEntry, titles: ReadonlyMap<string, string>): PublicStep {
  const data = (entry.data ?? {}) as Record<string, unknown>;
  const milestoneId =
    entry.source === 'milestones' && typeof data['milestoneId'] === 'string' ? data['milestoneId'] : null;
  const milestoneTitle = milestoneId ? (titles.get(milestoneId) ?? '') : null;
  const words = WORDS[entry.type];
  return {
    id: entry.eventId,
    type: entry.type,
    occurredAt: entry.occurredAt,
    recordedAt: entry.recordedAt,
    milestoneId,
    milestoneTitle,
    summary: words ? words(data, milestoneTitle ?? '') : entry.type,
  };
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** A derived status happens with the milestone event that moved it: shown after it. */
const derivedLast = (e: Pick<JournalEntry, 'type'>) => (e.type === 'agreement.status-derived' ? 1 : 0);

/** Each fact's business time with the corrections that moved it applied (eventsAt's rule, per stream). */
export function businessTimes(entries: readonly JournalEntry[]): Map<string, string> {
  const byStream = new Map<string, JournalEntry[]>();
  for (const e of entries) byStream.set(e.streamId, [...(byStream.get(e.streamId) ?? []), e]);
  const times = new Map<string, string>();
  for (const stream of byStream.values())
    for (const [id, at] of effectiveTimes(stream as never)) times.set(id, at);
  return times;
}

/** The agreement's timeline in business time (then record order): the order things happened in the world. */
export function publicTimeline(entries: readonly (JournalEntry & { happenedAt: string })[]): PublicStep[] {
  const titles = milestoneTitles(entries);
  const times = businessTimes(entries);
  return entries
    .filter(isPublicStep)
    .map((e) => ({ e, at: times.get(e.eventId) ?? e.happenedAt }))
    .sort(
      (a, b) =>
        compare(a.at, b.at) || derivedLast(a.e) - derivedLast(b.e) || compare(a.e.sortKey, b.e.sortKey),
    )
    .map(({ e, at }) => ({ ...publicStep(e, titles), occurredAt: at }));
}
