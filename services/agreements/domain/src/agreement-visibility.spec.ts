/** The public flag (issue 21): a monitor's decision on who may read the agreement, private by default. */
import { DeciderSpecification, type AgreementEvent } from '@tracker/contracts';
import { agreementDecider, type AgreementCommand } from './agreement';

const spec = DeciderSpecification(agreementDecider);
const agreementId = 'a-1';
const now = '2026-11-22T10:00:00.000Z';
const registered: AgreementEvent = {
  type: 'agreement.registered',
  schemaVersion: 1,
  data: {
    agreementId,
    reference: 'TR-UZ-2026-MINING',
    title: 'Memorandum of Understanding on cooperation in the mining sector',
    kind: 'mou',
    parties: [{ country: 'TR', name: 'Republic of Türkiye' }],
    signatories: [],
    signedOn: '2026-01-29',
    datePrecision: 'day',
    sectors: [],
    commodities: [],
    objectives: [],
    targets: [],
    sources: [],
  },
};
const madePublic: AgreementEvent = {
  type: 'agreement.visibility-changed',
  schemaVersion: 1,
  data: { agreementId, public: true, reason: 'published by the ministry' },
};
const terminated: AgreementEvent = {
  type: 'agreement.terminated',
  schemaVersion: 2,
  data: { agreementId, reason: 'withdrawn', effectiveOn: '2026-11-22' },
};
const fold = (events: AgreementEvent[]) =>
  events.reduce(agreementDecider.evolve, agreementDecider.initialState());

describe('Agreement visibility', () => {
  const accepted: Array<[string, AgreementEvent[], AgreementCommand, AgreementEvent[]]> = [
    [
      'make a private agreement public',
      [registered],
      { kind: 'changeVisibility', public: true, reason: 'published by the ministry', now },
      [madePublic],
    ],
    [
      'make a public agreement private again',
      [registered, madePublic],
      { kind: 'changeVisibility', public: false, reason: 'a party asked', now },
      [
        {
          type: 'agreement.visibility-changed',
          schemaVersion: 1,
          data: { agreementId, public: false, reason: 'a party asked' },
        },
      ],
    ],
    [
      'a closed record can still be published',
      [registered, terminated],
      { kind: 'changeVisibility', public: true, reason: 'published by the ministry', now },
      [madePublic],
    ],
    [
      'public again decides nothing',
      [registered, madePublic],
      { kind: 'changeVisibility', public: true, reason: 'again', now },
      [],
    ],
    [
      'private when private (the default) decides nothing',
      [registered],
      { kind: 'changeVisibility', public: false, reason: 'again', now },
      [],
    ],
  ];
  it.each(accepted)('accepts: %s', (_name, given, command, then) => {
    spec.given(given).when(command).then(then);
  });

  it('refuses an unknown agreement', () => {
    spec
      .given([])
      .when({ kind: 'changeVisibility', public: true, reason: 'r', now })
      .thenThrows('not-found', /agreement not found/);
  });

  it('is private until made public, and follows the last decision', () => {
    expect(fold([registered])).not.toHaveProperty('public');
    expect(fold([registered, madePublic])).toMatchObject({ public: true });
    expect(
      fold([registered, madePublic, { ...madePublic, data: { ...madePublic.data, public: false } }]),
    ).toMatchObject({ public: false });
  });
});
