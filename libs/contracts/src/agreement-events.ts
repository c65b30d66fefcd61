/**
 * Events of the Agreement aggregate, published on `agreements.events`. Schema versions per type in
 * AgreementSchemaVersions; older stored versions are upcast on read (./upcasters.ts).
 */
import type { EventEnvelope } from './envelope';
import type { ArchivedCopy, EvidenceKind } from './evidence';

export const AgreementKinds = ['mou', 'framework', 'treaty', 'contract', 'joint-declaration'] as const;
export type AgreementKind = (typeof AgreementKinds)[number];

export const DatePrecisions = ['day', 'month', 'year', 'unknown'] as const;
export type DatePrecision = (typeof DatePrecisions)[number];

/** Implementation states follow from milestones; lifecycle states from commands on the agreement. */
export const ImplementationStatuses = ['signed', 'inImplementation', 'delivering', 'completed', 'stalled'] as const;
export type ImplementationStatus = (typeof ImplementationStatuses)[number];
export const LifecycleStatuses = ['active', 'suspended', 'terminated', 'expired'] as const;
export type LifecycleStatus = (typeof LifecycleStatuses)[number];
export type AgreementStatus = ImplementationStatus | Exclude<LifecycleStatus, 'active'>;

/** A party is a country (ISO 3166-1 alpha-2) or an organisation. */
export interface Party {
  country?: string;
  organisation?: string;
  name: string;
}
export interface Signatory {
  name: string;
  title?: string;
  /** ISO 3166-1 alpha-2 country code or organisation name of the party signed for. */
  party?: string;
}
export interface QuantifiedTarget {
  /** Stable within its agreement (T1, T2, …): milestones name it to contribute to it. Older events: by order. */
  targetId?: string;
  description: string;
  amount?: number;
  unit?: string;
  currency?: string;
  /** Calendar date (YYYY-MM-DD) by which the target should be reached. */
  byDate?: string;
}
export interface Source {
  /** Stable within its agreement (S1, S2, …). Older events: by order. */
  sourceId?: string;
  url?: string;
  title: string;
  publisher?: string;
  /** As precise as known: YYYY, YYYY-MM or YYYY-MM-DD. */
  published?: string;
  /** Who published it; `other` when not said (older events). */
  kind?: EvidenceKind;
  archived?: ArchivedCopy;
}

/** What a list correction may change of a target or a source (the fields present change). */
export type TargetChanges = Partial<Omit<QuantifiedTarget, 'targetId'>>;
export type SourceChanges = Partial<Omit<Source, 'sourceId'>>;

export interface AgreementDetails {
  reference: string;
  title: string;
  kind: AgreementKind;
  parties: Party[];
  signatories: Signatory[];
  /** Calendar date YYYY-MM-DD (day precision), YYYY-MM (month), YYYY (year) or null (unknown). */
  signedOn: string | null;
  datePrecision: DatePrecision;
  place?: string;
  context?: string;
  sectors: string[];
  commodities: string[];
  objectives: string[];
  targets: QuantifiedTarget[];
  sources: Source[];
}

export type AmendableField = 'title' | 'kind' | 'parties' | 'signatories' | 'signedOn' | 'datePrecision' | 'place' | 'context' | 'sectors' | 'commodities';

export interface AgreementEventData {
  'agreement.registered': AgreementDetails & { agreementId: string };
  'agreement.amended': { agreementId: string; changes: Partial<Pick<AgreementDetails, AmendableField>> };
  'agreement.source-attached': { agreementId: string; source: Source };
  'agreement.objective-added': { agreementId: string; objective: string };
  'agreement.target-added': { agreementId: string; target: QuantifiedTarget };
  /** Corrections of the lists: what was entered wrongly, or should not be there, with why. */
  'agreement.target-corrected': { agreementId: string; targetId: string; changes: TargetChanges; reason: string };
  'agreement.target-removed': { agreementId: string; targetId: string; reason: string };
  'agreement.source-corrected': { agreementId: string; sourceId: string; changes: SourceChanges; reason: string };
  'agreement.source-removed': { agreementId: string; sourceId: string; reason: string };
  'agreement.objective-corrected': { agreementId: string; objective: string; correctedTo: string; reason: string };
  'agreement.objective-removed': { agreementId: string; objective: string; reason: string };
  /** v2: `effectiveOn`, the calendar date it took effect (v1 events read it from their occurredAt). */
  'agreement.suspended': { agreementId: string; reason: string; effectiveOn: string };
  'agreement.resumed': { agreementId: string; reason?: string; effectiveOn: string };
  'agreement.terminated': { agreementId: string; reason: string; effectiveOn: string };
  'agreement.expired': { agreementId: string; reason?: string; effectiveOn: string };
  'agreement.status-derived': {
    agreementId: string;
    from: ImplementationStatus;
    to: ImplementationStatus;
    /** The milestone event that moved the status. */
    causedBy: { eventId: string; type: string; milestoneId: string };
  };
  /**
   * A fact entered wrongly, corrected: names the event it corrects and why; the corrected event stays as it was
   * recorded (the hash chain is untouched) and reads apply the correction.
   */
  'agreement.corrected': CorrectionData<AgreementCorrectableType, AgreementCorrection> & { agreementId: string };
  /** A monitor made the agreement readable without a key at /public/... (public: true) or private again. */
  'agreement.visibility-changed': { agreementId: string; public: boolean; reason: string };
}

/** What a correction says: the event it corrects, the fields that were wrong and their right values, and why. */
export interface CorrectionData<Type extends string, Changes> {
  correctsEventId: string;
  correctsType: Type;
  /** The corrected fields, named as in the corrected event's data. */
  changes: Changes;
  /** The corrected event's business time when the correction moves it (ISO). */
  occurredAt?: string;
  reason: string;
}

/** Agreement events whose facts can be corrected, and what of them. */
export type AgreementCorrectableType = 'agreement.registered' | 'agreement.suspended' | 'agreement.resumed' | 'agreement.terminated' | 'agreement.expired';
export interface AgreementCorrection {
  /** agreement.registered: the signing date and its precision. */
  signedOn?: string | null;
  datePrecision?: DatePrecision;
  /** Lifecycle events: the date it took effect. */
  effectiveOn?: string;
}
export type AgreementEventType = keyof AgreementEventData;

/** The schema version each agreement event type is written with now. */
export const AgreementSchemaVersions = {
  'agreement.registered': 1,
  'agreement.amended': 1,
  'agreement.source-attached': 1,
  'agreement.objective-added': 1,
  'agreement.target-added': 1,
  'agreement.target-corrected': 1,
  'agreement.target-removed': 1,
  'agreement.source-corrected': 1,
  'agreement.source-removed': 1,
  'agreement.objective-corrected': 1,
  'agreement.objective-removed': 1,
  'agreement.suspended': 2,
  'agreement.resumed': 2,
  'agreement.terminated': 2,
  'agreement.expired': 2,
  'agreement.status-derived': 1,
  'agreement.corrected': 1,
  'agreement.visibility-changed': 1,
} as const satisfies Record<AgreementEventType, number>;

/** Every agreement event type (the keys of the versions above: one list to extend). */
export const AgreementEventTypes = Object.keys(AgreementSchemaVersions) as AgreementEventType[];

export type AgreementEvent = {
  [K in AgreementEventType]: { type: K; schemaVersion: (typeof AgreementSchemaVersions)[K]; data: AgreementEventData[K]; occurredAt?: string };
}[AgreementEventType];
export type AgreementEventEnvelope = {
  [K in AgreementEventType]: EventEnvelope<K, AgreementEventData[K]>;
}[AgreementEventType];

export function agreementStreamId(agreementId: string): string {
  return `agreement-${agreementId}`;
}

/**
 * How an agreement event moves the two statuses other services keep about an agreement (the lifecycle, from
 * commands on it; the implementation status, derived from milestones). Empty for events that move neither.
 */
export function agreementStatusChange(
  event: AgreementEvent | AgreementEventEnvelope,
): { lifecycle?: LifecycleStatus; implementation?: ImplementationStatus } {
  switch (event.type) {
    case 'agreement.registered':
      return { lifecycle: 'active', implementation: 'signed' };
    case 'agreement.suspended':
      return { lifecycle: 'suspended' };
    case 'agreement.resumed':
      return { lifecycle: 'active' };
    case 'agreement.terminated':
      return { lifecycle: 'terminated' };
    case 'agreement.expired':
      return { lifecycle: 'expired' };
    case 'agreement.status-derived':
      return { implementation: event.data.to };
    default:
      return {};
  }
}
