/** The OCDS mapping both ways (ADR 0012), pure: statuses, types, dates, and the steps an import decides. */
import Ajv from 'ajv';
import type { MilestoneState } from '@tracker/milestones-domain';
import type { AgreementEntry } from '../agreement-directory/agreement-directory';
import type { MilestoneViewDoc } from '../milestones/milestone-views';
import {
  checkSteps,
  importSteps,
  ocdsMilestone,
  releasePackage,
  wantedMilestone,
  type WantedMilestone,
} from './ocds';
import { releasePackageSchema } from './ocds-schema';
import { openApiSchemaOf } from './responses';

const state = (
  overrides: Partial<MilestoneState & { exists: true }> = {},
): MilestoneState & { exists: true } => ({
  exists: true,
  milestoneId: '0197a3c2-0000-7000-8000-000000000001',
  agreementId: '0197a3c2-0000-7000-8000-0000000000aa',
  type: 'geological_survey',
  title: 'Joint exploration programme launched',
  status: 'scheduled',
  plannedDueDate: '2026-12-31',
  dueDate: '2026-12-31',
  percent: 0,
  evidence: [],
  slips: [],
  slipCount: 0,
  ...overrides,
});
const view = (s: MilestoneState & { exists: true }): MilestoneViewDoc => ({
  _id: s.milestoneId,
  version: 1,
  state: s,
  plannedAt: '2026-03-01T09:00:00.000Z',
  updatedAt: '2026-03-02T09:00:00.000Z',
});
const agreement: AgreementEntry = {
  _id: '0197a3c2-0000-7000-8000-0000000000aa',
  version: 1,
  reference: 'TR-UZ-2026-MINING',
  title: 'MoU on mining',
  signedOn: '2026-01-29',
  datePrecision: 'day',
  implementation: 'signed',
  lifecycle: 'active',
  registeredAt: '2026-02-01T09:00:00.000Z',
};
const wanted = (overrides: Partial<WantedMilestone> = {}): WantedMilestone => ({
  externalId: 'm1',
  type: 'geological_survey',
  title: 'Survey',
  dueDate: '2026-12-31',
  status: 'scheduled',
  evidence: [],
  releaseId: 'r1',
  ...overrides,
});

describe('OCDS export', () => {
  it.each([
    ['scheduled', 'scheduled'],
    ['inProgress', 'scheduled'],
    ['met', 'met'],
    ['partiallyMet', 'partiallyMet'],
    ['notMet', 'notMet'],
    ['cancelled', 'notMet'],
  ] as const)(
    'writes status %s as the OCDS code %s, and the tracker status as statusDetails',
    (status, code) => {
      expect(ocdsMilestone(view(state({ status })))).toMatchObject({ status: code, statusDetails: status });
    },
  );

  it('writes dates as date-times, the type as OCDS nature and tracker code, evidence as documents', () => {
    const m = ocdsMilestone(
      view(
        state({
          status: 'met',
          outcomeOn: '2026-02-27',
          percent: 100,
          dueDate: '2027-01-31',
          evidence: [{ url: 'https://example.org/r.pdf', title: 'Report' }],
        }),
      ),
    );
    expect(m).toEqual({
      id: '0197a3c2-0000-7000-8000-000000000001',
      title: 'Joint exploration programme launched',
      type: 'assessment',
      code: 'geological_survey',
      dueDate: '2027-01-31T00:00:00Z',
      dateMet: '2026-02-27T00:00:00Z',
      dateModified: '2026-03-02T09:00:00.000Z',
      status: 'met',
      statusDetails: 'met',
      plannedDueDate: '2026-12-31T00:00:00Z',
      percentComplete: 100,
      documents: [
        {
          id: '0197a3c2-0000-7000-8000-000000000001-evidence-1',
          title: 'Report',
          url: 'https://example.org/r.pdf',
        },
      ],
    });
  });

  it('dates the package by its latest change, so the same state gives the same package, valid against the schema', () => {
    const pkg = releasePackage(agreement, [view(state())], 'https://tracker.example/ocds/agreements/x');
    expect(pkg.publishedDate).toBe('2026-03-02T09:00:00.000Z');
    expect(pkg.releases[0].id).toBe(`ocds-trkr00-${agreement._id}-20260302090000`);
    expect(pkg.releases[0].contracts[0]).toMatchObject({
      status: 'active',
      dateSigned: '2026-01-29T00:00:00Z',
    });
    const validate = new Ajv().compile(releasePackageSchema);
    expect(validate(pkg) ? [] : validate.errors).toEqual([]);
    expect(releasePackage(agreement, [view(state())], 'https://tracker.example/ocds/agreements/x')).toEqual(
      pkg,
    );
  });

  it('documents the schema in OpenAPI 3.0 terms: nullable instead of a null type, oneOf for several types', () => {
    expect(openApiSchemaOf({ type: ['string', 'null'], enum: ['a', null] })).toEqual({
      type: 'string',
      nullable: true,
      enum: ['a'],
    });
    expect(openApiSchemaOf({ properties: { id: { type: ['string', 'integer'], minLength: 1 } } })).toEqual({
      properties: { id: { oneOf: [{ type: 'string', minLength: 1 }, { type: 'integer' }], pattern: '^.+$' } },
    });
  });
});

describe('OCDS import', () => {
  it.each([
    [{ status: 'scheduled', statusDetails: 'inProgress' }, 'inProgress'],
    [{ status: 'scheduled' }, 'scheduled'],
    [{ status: 'notMet', statusDetails: 'cancelled' }, 'cancelled'],
    [{ status: 'notMet' }, 'notMet'],
    // A statusDetails that contradicts the code is not believed.
    [{ status: 'met', statusDetails: 'cancelled', dateMet: '2026-02-01T00:00:00Z' }, 'met'],
  ])('reads %p as %s', (fields, status) => {
    expect(
      wantedMilestone(
        { id: 'm1', title: 'Survey', code: 'other', dueDate: '2026-12-31T00:00:00Z', ...fields },
        'r1',
      ),
    ).toMatchObject({ status });
  });

  it.each([
    [{ code: 'mine' }, /code must be one of/],
    [{ title: 'x' }, /title is required/],
    [{ dueDate: null }, /dueDate is required/],
    [{ status: 'met' }, /dateMet is required when the status is met/],
    [{ documents: [{ id: 'd', url: 'ftp://example.org/x' }] }, /http\(s\) url/],
  ])('refuses %p', (fields, reason) => {
    const result = wantedMilestone(
      { id: 'm1', title: 'Survey', code: 'other', dueDate: '2026-12-31T00:00:00Z', ...fields },
      'r1',
    );
    expect(result).toEqual({ refused: expect.stringMatching(reason) });
  });

  it.each([
    ['nothing when it is as published', state(), wanted(), []],
    ['a reschedule when the due date differs', state(), wanted({ dueDate: '2027-03-31' }), ['reschedule']],
    ['a start for in progress', state(), wanted({ status: 'inProgress' }), ['start']],
    [
      'nothing for scheduled when in progress (OCDS scheduled covers it)',
      state({ status: 'inProgress' }),
      wanted(),
      [],
    ],
    [
      'met with the documents as evidence',
      state(),
      wanted({ status: 'met', metOn: '2026-02-01', evidence: [{ url: 'https://example.org/a' }] }),
      ['markMet'],
    ],
    ['a cancellation', state(), wanted({ status: 'cancelled' }), ['cancel']],
  ])('decides %s', (_name, current, want, kinds) => {
    expect(importSteps(current, want).map((s) => s.kind)).toEqual(kinds);
  });

  it('names the release in the reasons it records', () => {
    expect(importSteps(state(), wanted({ dueDate: '2027-03-31', releaseId: 'ocds-x-1' }))).toEqual([
      { kind: 'reschedule', newDueDate: '2027-03-31', reason: 'as published in OCDS release ocds-x-1' },
    ]);
  });

  it('lets the decider refuse what a milestone cannot do, before anything is written', () => {
    const met = state({ status: 'met', outcomeOn: '2026-02-01' });
    const steps = importSteps(met, wanted({ status: 'notMet' }));
    const commands = steps.map((s) => ({ ...s, now: '2026-03-01T09:00:00.000Z', agreement: null }) as never);
    expect(() => checkSteps(met, commands)).toThrow(/cannot mark as not met: the milestone is already met/);
    expect(() => importSteps(met, wanted())).toThrow(/cannot schedule again/);
  });
});
