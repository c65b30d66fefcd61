import Ajv from 'ajv';
import {
  AgreementEventTypes,
  AgreementSchemaVersions,
  type AgreementEventData,
  type AgreementEventType,
} from '../agreement-events';
import { AlertEventTypes, type AlertEventData, type AlertEventType } from '../alert-events';
import type { EventEnvelope } from '../envelope';
import {
  MilestoneEventTypes,
  MilestoneSchemaVersions,
  type MilestoneEventData,
  type MilestoneEventType,
} from '../milestone-events';
import { Topics } from '../topics';
import { EventUpcasters } from '../upcasters';
import { EventSchemas, envelopeSchema, type EventSchema, type PublishedEventType } from './event-schemas';

const ajv = new Ajv({ allErrors: true, format: 'full', jsonPointers: true });
const problemsOf = (schema: object, value: unknown): string[] => {
  const validate = ajv.compile(schema);
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.dataPath || '/'} ${e.message}`);
};

const A = '0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c70';
const M = '0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c71';
const L = '0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c72';
const E = '0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c73';
const link = {
  url: 'https://example.org/report',
  title: 'Report',
  kind: 'official',
  published: '2026-02',
  archived: { url: 'https://archive.example.org/r', sha256: 'a'.repeat(64) },
} as const;

/** One event of every type as the services write it now (typed: a sample that no longer fits its type fails to compile). */
const agreementSamples: { [K in AgreementEventType]: AgreementEventData[K] } = {
  'agreement.registered': {
    agreementId: A,
    reference: 'TR-UZ-2026-MINING',
    title: 'Memorandum of Understanding on cooperation in the mining sector',
    kind: 'mou',
    parties: [
      { country: 'TR', name: 'Republic of Türkiye' },
      { organisation: 'UZ-GEO', name: 'State Committee on Geology' },
    ],
    signatories: [
      { name: 'Alparslan Bayraktar', title: 'Minister of Energy and Natural Resources', party: 'TR' },
    ],
    signedOn: '2026-01-29',
    datePrecision: 'day',
    place: 'Ankara, Türkiye',
    sectors: ['mining'],
    commodities: ['copper', 'rare-earth-elements'],
    objectives: ['information sharing'],
    targets: [
      { targetId: 'T1', description: 'pilot plant', amount: 10000, unit: 't/y', byDate: '2028-12-31' },
    ],
    sources: [
      {
        sourceId: 'S1',
        url: 'https://example.org/news',
        title: 'Signing',
        publisher: 'AA',
        published: '2026-01-29',
        kind: 'media',
      },
    ],
  },
  'agreement.amended': {
    agreementId: A,
    changes: { title: 'MoU on critical minerals', signedOn: null, datePrecision: 'unknown' },
  },
  'agreement.source-attached': {
    agreementId: A,
    source: { title: 'Ministry statement', url: 'https://example.org/s', published: '2026' },
  },
  'agreement.objective-added': { agreementId: A, objective: 'joint exploration' },
  'agreement.target-added': {
    agreementId: A,
    target: { description: 'training of 200 geologists', amount: 200, unit: 'people' },
  },
  'agreement.target-corrected': {
    agreementId: A,
    targetId: 'T1',
    changes: { amount: 12000 },
    reason: 'typo',
  },
  'agreement.target-removed': { agreementId: A, targetId: 'T1', reason: 'not in the text' },
  'agreement.source-corrected': {
    agreementId: A,
    sourceId: 'S1',
    changes: { kind: 'official' },
    reason: 'a ministry page',
  },
  'agreement.source-removed': { agreementId: A, sourceId: 'S1', reason: 'dead link' },
  'agreement.objective-corrected': {
    agreementId: A,
    objective: 'joint exploraton',
    correctedTo: 'joint exploration',
    reason: 'typo',
  },
  'agreement.objective-removed': { agreementId: A, objective: 'joint exploration', reason: 'duplicate' },
  'agreement.suspended': { agreementId: A, reason: 'elections', effectiveOn: '2026-05-01' },
  'agreement.resumed': { agreementId: A, effectiveOn: '2026-06-01' },
  'agreement.terminated': { agreementId: A, reason: 'withdrawn', effectiveOn: '2027-01-01' },
  'agreement.expired': { agreementId: A, effectiveOn: '2031-01-29' },
  'agreement.status-derived': {
    agreementId: A,
    from: 'signed',
    to: 'inImplementation',
    causedBy: { eventId: E, type: 'milestone.started', milestoneId: M },
  },
  'agreement.corrected': {
    agreementId: A,
    correctsEventId: E,
    correctsType: 'agreement.registered',
    changes: { signedOn: '2026-01-28' },
    reason: 'wrong day',
    occurredAt: '2026-01-28T10:00:00.000Z',
  },
  'agreement.visibility-changed': { agreementId: A, public: true, reason: 'open data' },
};
const milestoneSamples: { [K in MilestoneEventType]: MilestoneEventData[K] } = {
  'milestone.planned': {
    milestoneId: M,
    agreementId: A,
    type: 'geological_survey',
    title: 'Joint geological survey',
    expectedOutcome: { description: 'a resource map', quantity: { amount: 3, unit: 'maps' } },
    dueDate: '2026-06-30',
    evidence: [],
    contributesTo: ['T1'],
  },
  'milestone.started': { milestoneId: M, agreementId: A, startedOn: '2026-03-01' },
  'milestone.progress-reported': {
    milestoneId: M,
    agreementId: A,
    percent: 40,
    evidence: [link],
    reportedOn: '2026-04-01',
  },
  'milestone.rescheduled': {
    milestoneId: M,
    agreementId: A,
    previousDueDate: '2026-06-30',
    newDueDate: '2026-09-30',
    slipDays: 92,
    reason: 'permits pending',
    slipCount: 1,
    decidedOn: '2026-05-15',
  },
  'milestone.met': {
    milestoneId: M,
    agreementId: A,
    metOn: '2026-09-20',
    evidence: [link],
    achieved: { amount: 5, unit: 'maps' },
  },
  'milestone.partially-met': {
    milestoneId: M,
    agreementId: A,
    metOn: '2026-09-20',
    evidence: [],
    note: 'two of three regions',
  },
  'milestone.not-met': { milestoneId: M, agreementId: A, reason: 'no funding', on: '2026-10-01' },
  'milestone.cancelled': { milestoneId: M, agreementId: A, reason: 'merged into another', on: '2026-10-01' },
  'milestone.corrected': {
    milestoneId: M,
    agreementId: A,
    current: true,
    correctsEventId: E,
    correctsType: 'milestone.planned',
    changes: { dueDate: '2026-07-31' },
    reason: 'misread',
  },
};
const alertSamples: { [K in AlertEventType]: AlertEventData[K] } = {
  'alert.raised': {
    alertId: L,
    dedupKey: `${M}|deadline.approaching|2026-06-30|30`,
    kind: 'deadline.approaching',
    severity: 'medium',
    agreementId: A,
    milestoneId: M,
    milestoneType: 'geological_survey',
    milestoneTitle: 'Joint geological survey',
    dueDate: '2026-06-30',
    window: 30,
    facts: { milestoneStatus: 'inProgress', daysLeft: 29 },
  },
  'alert.acknowledged': { alertId: L, agreementId: A, by: 'dev-stakeholder' },
  'alert.snoozed': { alertId: L, agreementId: A, by: 'dev-stakeholder', until: '2026-06-05T08:00:00.000Z', note: 'after the board meeting' },
  'alert.markedDone': { alertId: L, agreementId: A, by: 'dev-stakeholder' },
  'alert.inhibited': { alertId: L, agreementId: A, reason: 'agreementSuspended', causedByEventId: E },
  'alert.released': { alertId: L, agreementId: A, causedByEventId: E },
  'alert.resolved': { alertId: L, agreementId: A, resolution: 'met', causedByEventId: E },
};
const samples: Record<PublishedEventType, unknown> = {
  ...agreementSamples,
  ...milestoneSamples,
  ...alertSamples,
};

function envelopeOf(type: string, schemaVersion: number, data: unknown): EventEnvelope {
  return {
    eventId: E,
    type,
    schemaVersion,
    streamId: `stream-${A}`,
    streamVersion: 2,
    position: 7,
    agreementId: A,
    occurredAt: '2026-03-01T09:00:00.000Z',
    recordedAt: '2026-03-02T09:00:00.000Z',
    actor: { id: 'dev-monitor', role: 'monitor' },
    correlationId: 'client-req-42',
    causationId: null,
    data,
    hash: 'b'.repeat(64),
    prevHash: 'c'.repeat(64),
  };
}

const schemaOf = (type: string, schemaVersion: number): EventSchema => {
  const found = EventSchemas.find((s) => s.type === type && s.schemaVersion === schemaVersion);
  if (!found) throw new Error(`no schema of ${type} v${schemaVersion}`);
  return found;
};
const current = EventSchemas.filter((s) => s.current);

describe('the event schemas', () => {
  it('have one current schema per event type, in the version it is written with now, on its topic, and no other', () => {
    const expected = [
      ...AgreementEventTypes.map((t) => `${Topics.agreements} ${t} v${AgreementSchemaVersions[t]}`),
      ...MilestoneEventTypes.map((t) => `${Topics.milestones} ${t} v${MilestoneSchemaVersions[t]}`),
      ...AlertEventTypes.map((t) => `${Topics.alerts} ${t} v1`),
    ].sort();
    expect(current.map((s) => `${s.topic} ${s.type} v${s.schemaVersion}`).sort()).toEqual(expected);
  });

  it('have a schema of every version of every type, from 1 to the one written now', () => {
    const missing = current.flatMap((s) =>
      Array.from({ length: s.schemaVersion - 1 }, (_, i) => i + 1)
        .filter((v) => !EventSchemas.some((o) => o.type === s.type && o.schemaVersion === v))
        .map((v) => `${s.type} v${v} (an upcaster from it, and what it adds in olderVersionLacks)`),
    );
    expect(missing).toEqual([]);
  });

  it('have a schema of every older version an upcaster reads, and none that no upcaster reads', () => {
    const older = EventSchemas.filter((s) => !s.current).map((s) => `${s.type} v${s.schemaVersion}`);
    expect(older.sort()).toEqual(EventUpcasters.map((u) => `${u.type} v${u.fromSchemaVersion}`).sort());
  });

  it.each(current.map((s) => [`${s.type} v${s.schemaVersion}`, s] as const))(
    '%s: the sample event validates',
    (_, schema) => {
      expect(
        problemsOf(
          envelopeSchema(schema),
          envelopeOf(schema.type, schema.schemaVersion, samples[schema.type]),
        ),
      ).toEqual([]);
    },
  );

  it.each(EventUpcasters.map((u) => [`${u.type} v${u.fromSchemaVersion}`, u] as const))(
    '%s: the sample without what its upcaster adds validates as it, and upcast validates as the next version',
    (_, upcaster) => {
      const older = schemaOf(upcaster.type, upcaster.fromSchemaVersion);
      const newer = schemaOf(upcaster.type, upcaster.fromSchemaVersion + 1);
      const newerData = samples[upcaster.type as PublishedEventType] as Record<string, unknown>;
      const lacks = Object.keys((newer.data as { properties: object }).properties).filter(
        (field) => !Object.keys((older.data as { properties: object }).properties).includes(field),
      );
      expect(lacks).toHaveLength(1);
      const olderData = Object.fromEntries(
        Object.entries(newerData).filter(([field]) => !lacks.includes(field)),
      );
      const envelope = envelopeOf(upcaster.type, upcaster.fromSchemaVersion, olderData);
      expect(problemsOf(envelopeSchema(older), envelope)).toEqual([]);
      // The field the upcaster adds is what the older version lacks, and the upcast data is the newer version.
      const upcast = upcaster.upcast(olderData, envelope);
      expect(Object.keys(upcast as object).filter((f) => !Object.keys(olderData).includes(f))).toEqual(lacks);
      expect(problemsOf(newer.data, upcast)).toEqual([]);
    },
  );

  describe('refuse what the types do not allow', () => {
    const schema = schemaOf('milestone.rescheduled', 2);
    const good = milestoneSamples['milestone.rescheduled'];
    it.each([
      [
        'a required field left out',
        { ...good, reason: undefined },
        /^\/data should have required property 'reason'/,
      ],
      ['a field no type has', { ...good, delayed: true }, /^\/data should NOT have additional properties/],
      [
        'a date that is no date',
        { ...good, newDueDate: '30/09/2026' },
        /^\/data\/newDueDate should match format "date"/,
      ],
      ['a count that is no integer', { ...good, slipCount: 1.5 }, /^\/data\/slipCount should be integer/],
    ])('%s', (_, data, problem) => {
      const envelope = JSON.parse(JSON.stringify(envelopeOf('milestone.rescheduled', 2, data)));
      expect(problemsOf(envelopeSchema(schema), envelope)).toEqual(
        expect.arrayContaining([expect.stringMatching(problem)]),
      );
    });

    it.each([
      ['another type', { type: 'milestone.met' }, /^\/type should be equal to constant/],
      ['another schema version', { schemaVersion: 1 }, /^\/schemaVersion should be equal to constant/],
      [
        'an unknown role',
        { actor: { id: 'x', role: 'root' } },
        /^\/actor\/role should be equal to one of the allowed values/,
      ],
      ['a hash that is not hex', { hash: 'not-a-hash' }, /^\/hash should match pattern/],
    ])('an envelope with %s', (_, change, problem) => {
      const envelope = { ...envelopeOf('milestone.rescheduled', 2, good), ...change };
      expect(problemsOf(envelopeSchema(schema), envelope)).toEqual(
        expect.arrayContaining([expect.stringMatching(problem)]),
      );
    });
  });
});
