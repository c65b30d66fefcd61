/**
 * The JSON Schemas of the events the services publish: the envelope, and the `data` of every event type in every
 * schema version that can be on a topic (stored events are published as written, so older versions too). The
 * newest version of each type is typed against its TypeScript type (./json-schema.ts); older versions are the
 * newer one without the fields its upcaster adds (../upcasters.ts), and a test checks the upcast of one is the other.
 */
import {
  AgreementKinds,
  AgreementSchemaVersions,
  DatePrecisions,
  ImplementationStatuses,
  type AgreementCorrection,
  type AgreementEventData,
  type AgreementEventType,
  type Party,
  type QuantifiedTarget,
  type Signatory,
  type Source,
  type SourceChanges,
  type TargetChanges,
} from '../agreement-events';
import {
  AlertKinds,
  AlertInhibitions,
  AlertResolutions,
  AlertSeverities,
  type AlertEventData,
  type AlertEventType,
  type AlertFacts,
} from '../alert-events';
import type { Actor, EventEnvelope } from '../envelope';
import { EvidenceKinds, type ArchivedCopy } from '../evidence';
import {
  MilestoneSchemaVersions,
  MilestoneStatuses,
  MilestoneTypes,
  type EvidenceLink,
  type ExpectedOutcome,
  type MilestoneCorrection,
  type MilestoneEventData,
  type MilestoneEventType,
  type Quantity,
} from '../milestone-events';
import { Topics } from '../topics';
import { EventUpcasters } from '../upcasters';
import {
  anything,
  arr,
  bool,
  int,
  nullable,
  num,
  obj,
  oneOf,
  optional,
  str,
  withoutFields,
  type AnySchema,
  type JsonSchema,
} from './json-schema';

const uuid = (description?: string) => str({ format: 'uuid', ...(description && { description }) });
/** Calendar date YYYY-MM-DD. */
const date = (description?: string) => str({ format: 'date', ...(description && { description }) });
const instant = (description?: string) => str({ format: 'date-time', ...(description && { description }) });
/** As precise as known: YYYY, YYYY-MM or YYYY-MM-DD. */
const partialDate = (description: string) =>
  str({ pattern: '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$', description });
const text = (description?: string) => str({ minLength: 1, ...(description && { description }) });
const hash = (description: string) => str({ pattern: '^[0-9a-f]{64}$', description });

const party = obj<Party>({
  country: optional(str({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' })),
  organisation: optional(text()),
  name: text(),
});
const signatory = obj<Signatory>({
  name: text(),
  title: optional(text()),
  party: optional(text('ISO 3166-1 alpha-2 country code or organisation name of the party signed for')),
});
const archived = obj<ArchivedCopy>({
  url: str({ format: 'uri' }),
  sha256: hash('SHA-256 of the captured content'),
});
const evidenceKind = oneOf(EvidenceKinds, {
  description: 'who published it; `other` when not said (older events)',
});
const targetFields = {
  description: text(),
  amount: optional(num()),
  unit: optional(text()),
  currency: optional(text()),
  byDate: optional(date('by when the target should be reached')),
};
const target = obj<QuantifiedTarget>({
  targetId: optional(text('stable within its agreement (T1, T2, …); older events: by order')),
  ...targetFields,
});
const sourceFields = {
  url: optional(str({ format: 'uri' })),
  title: text(),
  publisher: optional(text()),
  published: optional(partialDate('as precise as known')),
  kind: optional(evidenceKind),
  archived: optional(archived),
};
const source = obj<Source>({
  sourceId: optional(text('stable within its agreement (S1, S2, …); older events: by order')),
  ...sourceFields,
});
/** What a list correction changes: the fields present (all optional). */
const targetChanges = obj<TargetChanges>({
  ...targetFields,
  description: optional(targetFields.description),
});
const sourceChanges = obj<SourceChanges>({ ...sourceFields, title: optional(sourceFields.title) });
const signedOn = nullable(
  partialDate('YYYY-MM-DD (day precision), YYYY-MM (month), YYYY (year); null when unknown'),
);

const agreementDetails = {
  reference: text(),
  title: text(),
  kind: oneOf(AgreementKinds),
  parties: arr(party),
  signatories: arr(signatory),
  signedOn,
  datePrecision: oneOf(DatePrecisions),
  place: optional(text()),
  context: optional(text()),
  sectors: arr(text()),
  commodities: arr(text('a commodity code (GET /agreements/commodities)')),
  objectives: arr(text()),
  targets: arr(target),
  sources: arr(source),
};

/** What a correction says (CorrectionData), given which types it may correct and what it may change. */
function correction<Type extends string, Changes>(
  correctable: readonly Type[],
  changes: JsonSchema<Changes>,
) {
  return {
    correctsEventId: uuid('the event it corrects'),
    correctsType: oneOf(correctable),
    changes,
    occurredAt: optional(instant('the corrected event’s business time, when the correction moves it')),
    reason: text(),
  };
}

const agreementLifecycle = { agreementId: uuid(), effectiveOn: date('the calendar date it took effect') };

const agreementData: { [K in AgreementEventType]: JsonSchema<AgreementEventData[K]> } = {
  'agreement.registered': obj<AgreementEventData['agreement.registered']>({
    agreementId: uuid(),
    ...agreementDetails,
  }),
  'agreement.amended': obj<AgreementEventData['agreement.amended']>({
    agreementId: uuid(),
    changes: obj<AgreementEventData['agreement.amended']['changes']>({
      title: optional(agreementDetails.title),
      kind: optional(agreementDetails.kind),
      parties: optional(agreementDetails.parties),
      signatories: optional(agreementDetails.signatories),
      signedOn: optional(signedOn),
      datePrecision: optional(agreementDetails.datePrecision),
      place: optional(text()),
      context: optional(text()),
      sectors: optional(agreementDetails.sectors),
      commodities: optional(agreementDetails.commodities),
    }),
  }),
  'agreement.source-attached': obj<AgreementEventData['agreement.source-attached']>({
    agreementId: uuid(),
    source,
  }),
  'agreement.objective-added': obj<AgreementEventData['agreement.objective-added']>({
    agreementId: uuid(),
    objective: text(),
  }),
  'agreement.target-added': obj<AgreementEventData['agreement.target-added']>({
    agreementId: uuid(),
    target,
  }),
  'agreement.target-corrected': obj<AgreementEventData['agreement.target-corrected']>({
    agreementId: uuid(),
    targetId: text(),
    changes: targetChanges,
    reason: text(),
  }),
  'agreement.target-removed': obj<AgreementEventData['agreement.target-removed']>({
    agreementId: uuid(),
    targetId: text(),
    reason: text(),
  }),
  'agreement.source-corrected': obj<AgreementEventData['agreement.source-corrected']>({
    agreementId: uuid(),
    sourceId: text(),
    changes: sourceChanges,
    reason: text(),
  }),
  'agreement.source-removed': obj<AgreementEventData['agreement.source-removed']>({
    agreementId: uuid(),
    sourceId: text(),
    reason: text(),
  }),
  'agreement.objective-corrected': obj<AgreementEventData['agreement.objective-corrected']>({
    agreementId: uuid(),
    objective: text(),
    correctedTo: text(),
    reason: text(),
  }),
  'agreement.objective-removed': obj<AgreementEventData['agreement.objective-removed']>({
    agreementId: uuid(),
    objective: text(),
    reason: text(),
  }),
  'agreement.suspended': obj<AgreementEventData['agreement.suspended']>({
    ...agreementLifecycle,
    reason: text(),
  }),
  'agreement.resumed': obj<AgreementEventData['agreement.resumed']>({
    ...agreementLifecycle,
    reason: optional(text()),
  }),
  'agreement.terminated': obj<AgreementEventData['agreement.terminated']>({
    ...agreementLifecycle,
    reason: text(),
  }),
  'agreement.expired': obj<AgreementEventData['agreement.expired']>({
    ...agreementLifecycle,
    reason: optional(text()),
  }),
  'agreement.status-derived': obj<AgreementEventData['agreement.status-derived']>({
    agreementId: uuid(),
    from: oneOf(ImplementationStatuses),
    to: oneOf(ImplementationStatuses),
    causedBy: obj<AgreementEventData['agreement.status-derived']['causedBy']>(
      { eventId: uuid(), type: text(), milestoneId: uuid() },
      { description: 'the milestone event that moved the status' },
    ),
  }),
  'agreement.visibility-changed': obj<AgreementEventData['agreement.visibility-changed']>({
    agreementId: uuid(),
    public: bool({ description: 'true: readable without a key; false: private again' }),
    reason: text(),
  }),
  'agreement.corrected': obj<AgreementEventData['agreement.corrected']>({
    agreementId: uuid(),
    ...correction(
      [
        'agreement.registered',
        'agreement.suspended',
        'agreement.resumed',
        'agreement.terminated',
        'agreement.expired',
      ] as const,
      obj<AgreementCorrection>({
        signedOn: optional(signedOn),
        datePrecision: optional(oneOf(DatePrecisions)),
        effectiveOn: optional(date()),
      }),
    ),
  }),
};

const evidence = arr(
  obj<EvidenceLink>({
    url: str({ format: 'uri' }),
    title: optional(text()),
    kind: optional(evidenceKind),
    published: optional(partialDate('as precise as known')),
    archived: optional(archived),
  }),
);
const quantity = obj<Quantity>({
  amount: num(),
  unit: text(),
  currency: optional(text('ISO 4217, for money')),
});
const contributesTo = optional(
  arr(text(), { description: 'the ids of the agreement’s targets its outcome counts towards' }),
);
const ofMilestone = { milestoneId: uuid(), agreementId: uuid() };

const milestoneData: { [K in MilestoneEventType]: JsonSchema<MilestoneEventData[K]> } = {
  'milestone.planned': obj<MilestoneEventData['milestone.planned']>({
    ...ofMilestone,
    type: oneOf(MilestoneTypes),
    title: text(),
    description: optional(text()),
    responsibleParty: optional(text()),
    expectedOutcome: optional(
      obj<ExpectedOutcome>({
        description: text(),
        quantity: optional(quantity),
      }),
    ),
    dueDate: date('in the agreement’s context, stored as a UTC date'),
    evidence,
    contributesTo,
  }),
  'milestone.started': obj<MilestoneEventData['milestone.started']>({ ...ofMilestone, startedOn: date() }),
  'milestone.progress-reported': obj<MilestoneEventData['milestone.progress-reported']>({
    ...ofMilestone,
    percent: num({ minimum: 0, maximum: 100 }),
    note: optional(text()),
    evidence,
    reportedOn: date('the date the report describes'),
  }),
  'milestone.rescheduled': obj<MilestoneEventData['milestone.rescheduled']>({
    ...ofMilestone,
    previousDueDate: date(),
    newDueDate: date(),
    slipDays: int({ description: 'positive: later (a slip); negative: earlier' }),
    reason: text(),
    slipCount: int({
      minimum: 0,
      description: 'how many times the milestone has slipped later, this one included',
    }),
    decidedOn: date('the date the decision to reschedule was taken'),
  }),
  'milestone.met': obj<MilestoneEventData['milestone.met']>({
    ...ofMilestone,
    metOn: date(),
    evidence,
    note: optional(text()),
    achieved: optional(quantity),
    contributesTo,
  }),
  'milestone.partially-met': obj<MilestoneEventData['milestone.partially-met']>({
    ...ofMilestone,
    metOn: date(),
    evidence,
    note: text(),
    achieved: optional(quantity),
    contributesTo,
  }),
  'milestone.not-met': obj<MilestoneEventData['milestone.not-met']>({
    ...ofMilestone,
    reason: text(),
    on: date('the date it was found not met'),
  }),
  'milestone.cancelled': obj<MilestoneEventData['milestone.cancelled']>({
    ...ofMilestone,
    reason: text(),
    on: date('the date it was cancelled'),
  }),
  'milestone.corrected': obj<MilestoneEventData['milestone.corrected']>({
    ...ofMilestone,
    current: bool({ description: 'the corrected value is the one in force' }),
    ...correction(
      [
        'milestone.planned',
        'milestone.started',
        'milestone.progress-reported',
        'milestone.rescheduled',
        'milestone.met',
        'milestone.partially-met',
        'milestone.not-met',
        'milestone.cancelled',
      ] as const,
      obj<MilestoneCorrection>({
        dueDate: optional(date()),
        startedOn: optional(date()),
        percent: optional(num({ minimum: 0, maximum: 100 })),
        reportedOn: optional(date()),
        decidedOn: optional(date()),
        metOn: optional(date()),
        on: optional(date()),
        achieved: optional(quantity),
      }),
    ),
  }),
};

const facts = obj<AlertFacts>({
  milestoneStatus: optional(oneOf(MilestoneStatuses)),
  daysLeft: optional(int({ minimum: 0 })),
  daysOverdue: optional(int({ minimum: 0 })),
  previousDueDate: optional(date()),
  slipDays: optional(int()),
  slipCount: optional(int({ minimum: 0 })),
  reason: optional(text()),
  outcome: optional(oneOf(AlertResolutions)),
  outcomeOn: optional(date()),
  lastActivityAt: optional(instant()),
  idleDays: optional(int({ minimum: 0 })),
  projectedOn: optional(nullable(date())),
  projectedEarliest: optional(nullable(date())),
  projectedLatest: optional(nullable(date())),
  velocityPerDay: optional(nullable(num())),
  reportsUsed: optional(arr(obj<{ on: string; percent: number }>({ on: date(), percent: num({ minimum: 0, maximum: 100 }) }))),
  causedByEventId: optional(uuid()),
});

const alertData: { [K in AlertEventType]: JsonSchema<AlertEventData[K]> } = {
  'alert.raised': obj<AlertEventData['alert.raised']>({
    alertId: uuid(),
    dedupKey: text(
      '`<milestone or agreement id>|<kind>|<due date or ->|<window or ->`: one alert per key, ever',
    ),
    kind: oneOf(AlertKinds),
    severity: oneOf(AlertSeverities),
    agreementId: uuid(),
    milestoneId: nullable(uuid()),
    milestoneType: nullable(oneOf(MilestoneTypes)),
    milestoneTitle: nullable(text()),
    dueDate: nullable(date()),
    window: nullable(int({ description: 'approach window in days, slip number or idle days' })),
    facts,
  }),
  'alert.acknowledged': obj<AlertEventData['alert.acknowledged']>({
    alertId: uuid(),
    agreementId: uuid(),
    by: text(),
    note: optional(text()),
  }),
  'alert.snoozed': obj<AlertEventData['alert.snoozed']>({
    alertId: uuid(),
    agreementId: uuid(),
    by: text(),
    until: instant('out of the recipient’s inbox and reminders until then'),
    note: optional(text()),
  }),
  'alert.markedDone': obj<AlertEventData['alert.markedDone']>({
    alertId: uuid(),
    agreementId: uuid(),
    by: text(),
    note: optional(text()),
  }),
  'alert.inhibited': obj<AlertEventData['alert.inhibited']>({
    alertId: uuid(),
    agreementId: uuid(),
    reason: oneOf(AlertInhibitions),
    causedByEventId: optional(uuid('the agreement event that suspended it')),
  }),
  'alert.released': obj<AlertEventData['alert.released']>({
    alertId: uuid(),
    agreementId: uuid(),
    causedByEventId: optional(uuid('the agreement event that resumed it')),
  }),
  'alert.resolved': obj<AlertEventData['alert.resolved']>({
    alertId: uuid(),
    agreementId: uuid(),
    resolution: oneOf(AlertResolutions),
    causedByEventId: optional(uuid('the milestone event that closed the alert')),
  }),
};

/** The schema version each alert event type is written with now (all 1 so far). */
const AlertSchemaVersions = {
  'alert.raised': 1,
  'alert.acknowledged': 1,
  'alert.snoozed': 1,
  'alert.markedDone': 1,
  'alert.inhibited': 1,
  'alert.released': 1,
  'alert.resolved': 1,
} as const satisfies Record<AlertEventType, number>;

export type PublishedEventType = AgreementEventType | MilestoneEventType | AlertEventType;

/** One event type in one schema version: where it is published and the schema of its `data`. */
export interface EventSchema {
  type: PublishedEventType;
  schemaVersion: number;
  /** The topic it is published on (without the environment's prefix). */
  topic: string;
  data: AnySchema;
  /** True for the version written now; older ones can still be on a topic (events are published as stored). */
  current: boolean;
}

function versionsOf<K extends PublishedEventType>(
  topic: string,
  type: K,
  currentVersion: number,
  current: AnySchema,
): EventSchema[] {
  const schemas: EventSchema[] = [
    { type, schemaVersion: currentVersion, topic, data: current, current: true },
  ];
  let newer = current;
  // Down to the first version without an upcaster or without what it adds written down (the test names it;
  // throwing here would break every importer of the contracts).
  for (let version = currentVersion - 1; version >= 1; version--) {
    const upcaster = EventUpcasters.find((u) => u.type === type && u.fromSchemaVersion === version);
    const added = olderVersionLacks[`${type} v${version}`];
    if (!upcaster || !added) break;
    newer = withoutFields(newer, added);
    schemas.push({ type, schemaVersion: version, topic, data: newer, current: false });
  }
  return schemas;
}

/** The fields each upcaster adds, i.e. what the older version's data lacks (the test checks the upcasters agree). */
const olderVersionLacks: Readonly<Record<string, readonly string[]>> = {
  'agreement.suspended v1': ['effectiveOn'],
  'agreement.resumed v1': ['effectiveOn'],
  'agreement.terminated v1': ['effectiveOn'],
  'agreement.expired v1': ['effectiveOn'],
  'milestone.progress-reported v1': ['reportedOn'],
  'milestone.rescheduled v1': ['decidedOn'],
  'milestone.not-met v1': ['on'],
  'milestone.cancelled v1': ['on'],
};

/** Every event type in every schema version that can be on a topic, by topic, then type, newest version first. */
export const EventSchemas: readonly EventSchema[] = [
  ...Object.entries(agreementData).flatMap(([type, schema]) =>
    versionsOf(
      Topics.agreements,
      type as AgreementEventType,
      AgreementSchemaVersions[type as AgreementEventType],
      schema,
    ),
  ),
  ...Object.entries(milestoneData).flatMap(([type, schema]) =>
    versionsOf(
      Topics.milestones,
      type as MilestoneEventType,
      MilestoneSchemaVersions[type as MilestoneEventType],
      schema,
    ),
  ),
  ...Object.entries(alertData).flatMap(([type, schema]) =>
    versionsOf(Topics.alerts, type as AlertEventType, AlertSchemaVersions[type as AlertEventType], schema),
  ),
];

const ACTOR_ROLES = ['monitor', 'stakeholder', 'auditor', 'admin', 'system'] as const;

const envelopeFields = obj<EventEnvelope>({
  eventId: uuid('UUID v7: unique, and sortable by creation time'),
  type: text(),
  schemaVersion: int({ minimum: 1 }),
  streamId: str({ pattern: '^[a-z]+-.+$', description: 'the aggregate’s stream, e.g. agreement-<uuid>' }),
  streamVersion: int({ minimum: 1 }),
  position: int({ minimum: 0, description: 'position in the owning service’s whole log' }),
  agreementId: uuid('the agreement this fact is about: also the Kafka message key'),
  occurredAt: instant('business time: when it happened in the world'),
  recordedAt: instant('record time: when the tracker recorded it'),
  actor: obj<Actor>({ id: text('the API key’s name, or the service itself'), role: oneOf(ACTOR_ROLES) }),
  correlationId: text('the request or process the event belongs to'),
  causationId: nullable(text('the event or request that caused this one')),
  data: anything(),
  hash: hash('SHA-256 (hex) of the previous event’s hash in the stream and this event’s canonical JSON'),
  prevHash: nullable(hash('the previous event’s hash in the stream; null for the first')),
});

/** The schema of a whole published event (the Kafka message value) of one type and schema version. */
export function envelopeSchema(event: Pick<EventSchema, 'type' | 'schemaVersion' | 'data'>): AnySchema {
  const base = envelopeFields as { properties: Record<string, unknown> };
  return {
    ...envelopeFields,
    title: `${event.type} v${event.schemaVersion}`,
    properties: {
      ...base.properties,
      type: { type: 'string', const: event.type },
      schemaVersion: { type: 'integer', const: event.schemaVersion },
      data: event.data,
    },
  };
}
