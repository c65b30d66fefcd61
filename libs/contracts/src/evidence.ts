/**
 * How well a fact is sourced: every source and evidence link has a kind (who published it), and what backs a
 * claim is counted by kind, with official sources flagged, as AidData's TUFF methodology counts the sources of
 * each project. Pure, shared by the agreements service (sources, its milestones' claims) and the milestones service.
 */
import type { MilestoneStatus } from './milestone-events';

const SETTLED: ReadonlySet<MilestoneStatus> = new Set(['met', 'partiallyMet', 'notMet', 'cancelled']);

export const EvidenceKinds = ['official', 'company', 'international-organisation', 'media', 'other'] as const;
/** official: a government or public body; company; international-organisation; media; other (also: not said). */
export type EvidenceKind = (typeof EvidenceKinds)[number];

/** A copy captured of the page, so that a link that dies or changes can still be checked. */
export interface ArchivedCopy {
  url: string;
  /** SHA-256 of the captured content, 64 lower-case hex digits. */
  sha256: string;
}

export const kindOf = (link: { kind?: EvidenceKind }): EvidenceKind => link.kind ?? 'other';

export interface Sourcing {
  count: number;
  byKind: Record<EvidenceKind, number>;
  /** At least one official (government) source. */
  official: boolean;
  /** Backed, but by media reports only: a claim worth marking. */
  mediaOnly: boolean;
}

export function sourcingOf(links: ReadonlyArray<{ kind?: EvidenceKind }>): Sourcing {
  const byKind = Object.fromEntries(EvidenceKinds.map((k) => [k, 0])) as Record<EvidenceKind, number>;
  for (const link of links) byKind[kindOf(link)] += 1;
  return { count: links.length, byKind, official: byKind.official > 0, mediaOnly: links.length > 0 && byKind.media === links.length };
}

/**
 * The evidence that backs a milestone's current status: the links of the event that set it (the planning, an
 * outcome), and while it is in progress those of its progress reports (a start carries none). Not met and
 * cancelled carry none. Folded in business order a report can follow the outcome it preceded: it leaves the
 * outcome's evidence alone.
 */
export function claimEvidenceAfter<Link>(previous: readonly Link[], statusBefore: MilestoneStatus | undefined, type: string, evidence: readonly Link[] | undefined): Link[] {
  const settled = statusBefore !== undefined && SETTLED.has(statusBefore);
  switch (type) {
    case 'milestone.planned':
    case 'milestone.met':
    case 'milestone.partially-met':
      return [...(evidence ?? [])];
    case 'milestone.started':
      return settled || statusBefore === 'inProgress' ? [...previous] : [];
    case 'milestone.progress-reported':
      if (settled) return [...previous];
      return statusBefore === 'inProgress' ? [...previous, ...(evidence ?? [])] : [...(evidence ?? [])];
    case 'milestone.not-met':
    case 'milestone.cancelled':
      return [];
    default:
      return [...previous];
  }
}

/** A milestone's sourcing: all its evidence, and what backs its current status. */
export interface MilestoneSourcing extends Sourcing {
  claim: Sourcing;
}

export function milestoneSourcing(evidence: ReadonlyArray<{ kind?: EvidenceKind }>, claimEvidence: ReadonlyArray<{ kind?: EvidenceKind }>): MilestoneSourcing {
  return { ...sourcingOf(evidence), claim: sourcingOf(claimEvidence) };
}

/** Statuses that claim the agreement is moving, and so should be backed by evidence. */
const CLAIMS: ReadonlySet<MilestoneStatus> = new Set(['inProgress', 'met', 'partiallyMet']);

/** An agreement's sourcing: its own sources, and how its milestones' status claims are backed. */
export interface AgreementSourcing extends Sourcing {
  /** Milestones in progress, met or partially met: the status claims. */
  claims: number;
  /** Claims backed by at least one official source. */
  officiallyBacked: number;
  /** Every claim backed by an official source (true when there is no claim). */
  everyClaimOfficial: boolean;
  /** Milestones whose status rests on media reports only. */
  mediaOnlyMilestones: string[];
  /** Milestones whose status no evidence backs. */
  unsourcedMilestones: string[];
}

export function agreementSourcing(
  sources: ReadonlyArray<{ kind?: EvidenceKind }>,
  milestones: ReadonlyArray<{ milestoneId: string; status: MilestoneStatus; contribution?: { claimKinds: EvidenceKind[] } }>,
): AgreementSourcing {
  const claims = milestones.filter((m) => CLAIMS.has(m.status)).map((m) => ({ id: m.milestoneId, ...sourcingOf((m.contribution?.claimKinds ?? []).map((kind) => ({ kind }))) }));
  const officiallyBacked = claims.filter((c) => c.official).length;
  return {
    ...sourcingOf(sources),
    claims: claims.length,
    officiallyBacked,
    everyClaimOfficial: officiallyBacked === claims.length,
    mediaOnlyMilestones: claims.filter((c) => c.mediaOnly).map((c) => c.id),
    unsourcedMilestones: claims.filter((c) => c.count === 0).map((c) => c.id),
  };
}
