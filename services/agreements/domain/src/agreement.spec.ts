import { DeciderSpecification, type AgreementDetails, type AgreementEvent } from '@tracker/contracts';
import { agreementDecider, statusOf, type AgreementCommand } from './agreement';

const spec = DeciderSpecification(agreementDecider);
const agreementId = 'a-1';
const details: AgreementDetails = {
  reference: 'TR-UZ-2026-MINING',
  title: 'Memorandum of Understanding on cooperation in the mining sector',
  kind: 'mou',
  parties: [
    { country: 'TR', name: 'Republic of Türkiye' },
    { country: 'UZ', name: 'Republic of Uzbekistan' },
  ],
  signatories: [{ name: 'Alparslan Bayraktar', title: 'Minister of Energy and Natural Resources', party: 'TR' }],
  signedOn: '2026-01-29',
  datePrecision: 'day',
  sectors: ['mining'],
  commodities: ['copper', 'lithium'],
  objectives: ['information sharing'],
  targets: [],
  sources: [{ url: 'https://example.org/news', title: 'Turkey and Uzbekistan Forge Deeper Mining Ties' }],
};
const now = '2026-11-22T10:00:00.000Z';
const signing = { occurredAt: '2026-01-29T00:00:00.000Z' };
/** As registered: each target and source gets its id (T1…, S1…). */
const withIds = (d: AgreementDetails) => ({ ...d, sources: d.sources.map((x, i) => ({ ...x, sourceId: `S${i + 1}` })), targets: d.targets.map((t, i) => ({ ...t, targetId: `T${i + 1}` })) });
const registered: AgreementEvent = { type: 'agreement.registered', schemaVersion: 1, data: { agreementId, ...withIds(details) }, ...signing };
const suspended: AgreementEvent = { type: 'agreement.suspended', schemaVersion: 2, data: { agreementId, reason: 'political crisis', effectiveOn: '2026-11-22' } };
const terminated: AgreementEvent = { type: 'agreement.terminated', schemaVersion: 2, data: { agreementId, reason: 'withdrawn', effectiveOn: '2026-11-22' } };
const expired: AgreementEvent = { type: 'agreement.expired', schemaVersion: 2, data: { agreementId, effectiveOn: '2026-11-22' } };
const causedBy = { eventId: 'e-1', type: 'milestone.met', milestoneId: 'm-1' };
const investment = { description: 'Chinese investment', amount: 2e9, currency: 'USD', byDate: '2031-01-01' };
const targetAdded: AgreementEvent = { type: 'agreement.target-added', schemaVersion: 1, data: { agreementId, target: { ...investment, targetId: 'T1' } } };
const delivering: AgreementEvent = {
  type: 'agreement.status-derived',
  schemaVersion: 1,
  data: { agreementId, from: 'signed', to: 'delivering', causedBy },
};

describe('Agreement decider', () => {
  const accepted: Array<[string, AgreementEvent[], AgreementCommand, AgreementEvent[]]> = [
    ['register', [], { kind: 'register', agreementId, details, now }, [registered]],
    [
      'register with a month-precise signing date in the current month',
      [],
      { kind: 'register', agreementId, details: { ...details, signedOn: '2026-11', datePrecision: 'month' }, now },
      [{ type: 'agreement.registered', schemaVersion: 1, data: { agreementId, ...withIds(details), signedOn: '2026-11', datePrecision: 'month' }, occurredAt: '2026-11-01T00:00:00.000Z' }],
    ],
    [
      'amend only what changed',
      [registered],
      { kind: 'amend', changes: { title: details.title, place: 'Ankara, Türkiye' }, now },
      [{ type: 'agreement.amended', schemaVersion: 1, data: { agreementId, changes: { place: 'Ankara, Türkiye' } } }],
    ],
    [
      'attach a source',
      [registered],
      { kind: 'attachSource', source: { url: 'https://example.org/analysis', title: 'Analysis' }, now },
      [{ type: 'agreement.source-attached', schemaVersion: 1, data: { agreementId, source: { url: 'https://example.org/analysis', title: 'Analysis', sourceId: 'S2' } } }],
    ],
    [
      'add an objective',
      [registered],
      { kind: 'addObjective', objective: 'research and development', now },
      [{ type: 'agreement.objective-added', schemaVersion: 1, data: { agreementId, objective: 'research and development' } }],
    ],
    [
      'add a quantified target',
      [registered],
      { kind: 'addTarget', target: { description: 'Chinese investment', amount: 2e9, currency: 'USD', byDate: '2031-01-01' }, now },
      [
        {
          type: 'agreement.target-added',
          schemaVersion: 1,
          data: { agreementId, target: { description: 'Chinese investment', amount: 2e9, currency: 'USD', byDate: '2031-01-01', targetId: 'T1' } },
        },
      ],
    ],
    ['suspend', [registered], { kind: 'suspend', reason: 'political crisis', now }, [suspended]],
    ['resume', [registered, suspended], { kind: 'resume', now }, [{ type: 'agreement.resumed', schemaVersion: 2, data: { agreementId, effectiveOn: '2026-11-22' } }]],
    ['terminate a suspended agreement', [registered, suspended], { kind: 'terminate', reason: 'withdrawn', now }, [terminated]],
    ['expire', [registered], { kind: 'expire', now }, [expired]],
    [
      'suspend as of a past date: the effective date and the business time',
      [registered],
      { kind: 'suspend', reason: 'political crisis', now, occurredAt: '2026-06-30' },
      [{ ...suspended, data: { agreementId, reason: 'political crisis', effectiveOn: '2026-06-30' }, occurredAt: '2026-06-30T00:00:00.000Z' }],
    ],
    [
      'a source attached with the time it was found, within the clock skew',
      [registered],
      { kind: 'attachSource', source: { title: 'Press release' }, now, occurredAt: '2026-11-22T10:04:00Z' },
      [{ type: 'agreement.source-attached', schemaVersion: 1, data: { agreementId, source: { title: 'Press release', sourceId: 'S2' } }, occurredAt: '2026-11-22T10:04:00.000Z' }],
    ],
    [
      'an objective dated on the signing day itself',
      [registered],
      { kind: 'addObjective', objective: 'research and development', now, occurredAt: '2026-01-29' },
      [{ type: 'agreement.objective-added', schemaVersion: 1, data: { agreementId, objective: 'research and development' }, occurredAt: '2026-01-29T00:00:00.000Z' }],
    ],
    [
      'correct the signing date: the registration moves in business time',
      [registered],
      { kind: 'correct', target: { eventId: 'e-reg', type: 'agreement.registered', data: { ...details }, occurredAt: signing.occurredAt }, correctsEventId: 'e-reg', changes: { signedOn: '2026-01-28' }, reason: 'the ministry dated it 28 January', now },
      [
        {
          type: 'agreement.corrected',
          schemaVersion: 1,
          data: { agreementId, correctsEventId: 'e-reg', correctsType: 'agreement.registered', changes: { signedOn: '2026-01-28' }, occurredAt: '2026-01-28T00:00:00.000Z', reason: 'the ministry dated it 28 January' },
        },
      ],
    ],
    [
      'correct when a suspension took effect (a terminated record too)',
      [registered, suspended, terminated],
      { kind: 'correct', target: { eventId: 'e-s', type: 'agreement.suspended', data: suspended.data as never, occurredAt: now }, correctsEventId: 'e-s', changes: { effectiveOn: '2026-10-01' }, reason: 'typed in late', now },
      [
        {
          type: 'agreement.corrected',
          schemaVersion: 1,
          data: { agreementId, correctsEventId: 'e-s', correctsType: 'agreement.suspended', changes: { effectiveOn: '2026-10-01' }, occurredAt: '2026-10-01T00:00:00.000Z', reason: 'typed in late' },
        },
      ],
    ],
    [
      'correct a target: only what changed',
      [registered, targetAdded],
      { kind: 'correctTarget', targetId: 'T1', changes: { description: investment.description, amount: 2.5e9 }, reason: 'the ministry said 2.5 billion', now },
      [{ type: 'agreement.target-corrected', schemaVersion: 1, data: { agreementId, targetId: 'T1', changes: { amount: 2.5e9 }, reason: 'the ministry said 2.5 billion' } }],
    ],
    [
      'remove a target (a terminated record too: it corrects what is known)',
      [registered, targetAdded, terminated],
      { kind: 'removeTarget', targetId: 'T1', reason: 'entered on the wrong agreement', now },
      [{ type: 'agreement.target-removed', schemaVersion: 1, data: { agreementId, targetId: 'T1', reason: 'entered on the wrong agreement' } }],
    ],
    [
      'correct the kind of a source',
      [registered],
      { kind: 'correctSource', sourceId: 'S1', changes: { kind: 'media', title: details.sources[0].title }, reason: 'a news report', now },
      [{ type: 'agreement.source-corrected', schemaVersion: 1, data: { agreementId, sourceId: 'S1', changes: { kind: 'media' }, reason: 'a news report' } }],
    ],
    [
      'remove a source',
      [registered],
      { kind: 'removeSource', sourceId: 'S1', reason: 'the page is about another agreement', now },
      [{ type: 'agreement.source-removed', schemaVersion: 1, data: { agreementId, sourceId: 'S1', reason: 'the page is about another agreement' } }],
    ],
    [
      'correct an objective',
      [registered],
      { kind: 'correctObjective', objective: 'information sharing', correctedTo: 'sharing of geological information', reason: 'as the text says', now },
      [{ type: 'agreement.objective-corrected', schemaVersion: 1, data: { agreementId, objective: 'information sharing', correctedTo: 'sharing of geological information', reason: 'as the text says' } }],
    ],
    [
      'remove an objective',
      [registered],
      { kind: 'removeObjective', objective: 'information sharing', reason: 'not in the text', now },
      [{ type: 'agreement.objective-removed', schemaVersion: 1, data: { agreementId, objective: 'information sharing', reason: 'not in the text' } }],
    ],
    [
      'a target added after a removal gets a new id, never the removed one',
      [registered, targetAdded, { type: 'agreement.target-removed', schemaVersion: 1, data: { agreementId, targetId: 'T1', reason: 'r' } }],
      { kind: 'addTarget', target: { description: 'plant capacity', amount: 570000, unit: 't/yr' }, now },
      [{ type: 'agreement.target-added', schemaVersion: 1, data: { agreementId, target: { description: 'plant capacity', amount: 570000, unit: 't/yr', targetId: 'T2' } } }],
    ],
    ['derive a new status from milestones', [registered], { kind: 'deriveStatus', status: 'delivering', causedBy }, [delivering]],
    [
      'a derived status happens when the milestone event that moved it happened',
      [registered],
      { kind: 'deriveStatus', status: 'delivering', causedBy, occurredAt: '2026-05-01T00:00:00.000Z' },
      [{ ...delivering, occurredAt: '2026-05-01T00:00:00.000Z' }],
    ],
    ['derive the same status again decides nothing', [registered, delivering], { kind: 'deriveStatus', status: 'delivering', causedBy }, []],
    ['a terminated agreement keeps its implementation record', [registered, terminated], { kind: 'deriveStatus', status: 'delivering', causedBy }, []],
  ];
  it.each(accepted)('accepts: %s', (_name, given, command, then) => {
    spec.given(given).when(command).then(then);
  });

  const refused: Array<[string, AgreementEvent[], AgreementCommand, string, RegExp]> = [
    ['register twice', [registered], { kind: 'register', agreementId, details, now }, 'conflict', /already exists/],
    ['a signing date in the future', [], { kind: 'register', agreementId, details: { ...details, signedOn: '2026-11-23' }, now }, 'invalid', /future/],
    ['a signing month in the future', [], { kind: 'register', agreementId, details: { ...details, signedOn: '2026-12', datePrecision: 'month' }, now }, 'invalid', /future/],
    ['amend an unknown agreement', [], { kind: 'amend', changes: { title: 'x' }, now }, 'not-found', /not found/],
    ['amend a terminated agreement', [registered, terminated], { kind: 'amend', changes: { title: 'x' }, now }, 'invalid-transition', /terminated/],
    ['an amendment that changes nothing', [registered], { kind: 'amend', changes: { title: details.title }, now }, 'invalid', /changes nothing/],
    ['amend the signing date into the future', [registered], { kind: 'amend', changes: { signedOn: '2027-01-01' }, now }, 'invalid', /future/],
    ['attach a source to an expired agreement', [registered, expired], { kind: 'attachSource', source: { title: 'x' }, now }, 'invalid-transition', /expired/],
    ['attach the same source twice', [registered], { kind: 'attachSource', source: { url: 'https://example.org/news', title: 'again' }, now }, 'conflict', /already attached/],
    ['add a known objective', [registered], { kind: 'addObjective', objective: 'information sharing', now }, 'conflict', /already/],
    ['suspend twice', [registered, suspended], { kind: 'suspend', reason: 'x', now }, 'invalid-transition', /already suspended/],
    ['resume an active agreement', [registered], { kind: 'resume', now }, 'invalid-transition', /not suspended/],
    ['terminate twice', [registered, terminated], { kind: 'terminate', reason: 'x', now }, 'invalid-transition', /terminated/],
    ['resume a terminated agreement', [registered, suspended, terminated], { kind: 'resume', now }, 'invalid-transition', /terminated/],
    ['correct an unknown target', [registered], { kind: 'correctTarget', targetId: 'T9', changes: { amount: 1 }, reason: 'r', now }, 'not-found', /target T9 not found .*targets: none/],
    ['a target correction that changes nothing', [registered, targetAdded], { kind: 'correctTarget', targetId: 'T1', changes: { amount: 2e9 }, reason: 'r', now }, 'invalid', /changes nothing/],
    ['a target correction that clears a field', [registered, targetAdded], { kind: 'correctTarget', targetId: 'T1', changes: { byDate: null as never }, reason: 'r', now }, 'invalid', /byDate cannot be cleared/],
    ['remove an unknown source', [registered], { kind: 'removeSource', sourceId: 'S7', reason: 'r', now }, 'not-found', /source S7 not found .*sources: S1/],
    ['a source corrected to the url of another', [registered, { type: 'agreement.source-attached', schemaVersion: 1, data: { agreementId, source: { title: 'b', url: 'https://example.org/b', sourceId: 'S2' } } }], { kind: 'correctSource', sourceId: 'S2', changes: { url: 'https://example.org/news' }, reason: 'r', now }, 'conflict', /already attached/],
    ['correct an objective that is not recorded', [registered], { kind: 'correctObjective', objective: 'x', correctedTo: 'y', reason: 'r', now }, 'not-found', /"x" is not recorded/],
    ['an objective corrected to itself', [registered], { kind: 'correctObjective', objective: 'information sharing', correctedTo: 'information sharing', reason: 'r', now }, 'invalid', /changes nothing/],
    ['remove an objective of an unknown agreement', [], { kind: 'removeObjective', objective: 'x', reason: 'r', now }, 'not-found', /agreement not found/],
    ['derive status of an unknown agreement', [], { kind: 'deriveStatus', status: 'delivering', causedBy }, 'not-found', /not found/],
    ['a business time in the future', [registered], { kind: 'suspend', reason: 'x', now, occurredAt: '2026-11-22T10:06:00Z' }, 'unprocessable', /occurredAt 2026-11-22T10:06:00Z is in the future/],
    ['a business date that has begun nowhere yet', [registered], { kind: 'addObjective', objective: 'y', now, occurredAt: '2026-11-24' }, 'unprocessable', /in the future/],
    ['a business time before the signing', [registered], { kind: 'addObjective', objective: 'y', now, occurredAt: '2026-01-28' }, 'unprocessable', /2026-01-28 is before the agreement was signed \(2026-01-29\)/],
    [
      'a date before a month-precise signing',
      [{ ...registered, data: { ...registered.data, signedOn: '2026-01', datePrecision: 'month' } } as AgreementEvent],
      { kind: 'terminate', reason: 'x', now, occurredAt: '2025-12-31' },
      'unprocessable',
      /before the agreement was signed \(2026-01\)/,
    ],
    ['resume before the suspension took effect', [registered, suspended], { kind: 'resume', now, occurredAt: '2026-11-01' }, 'unprocessable', /2026-11-01 is before the agreement's last change of state, effective on 2026-11-22/],
    ['correct an event of another agreement', [registered], { kind: 'correct', target: null, correctsEventId: 'e-x', changes: { signedOn: '2026-01-28' }, reason: 'r', now }, 'unprocessable', /e-x is not one of this agreement's events/],
    [
      'correct what cannot be corrected',
      [registered],
      { kind: 'correct', target: { eventId: 'e-o', type: 'agreement.objective-added', data: {}, occurredAt: now }, correctsEventId: 'e-o', changes: { effectiveOn: '2026-02-01' }, reason: 'r', now },
      'unprocessable',
      /cannot be corrected/,
    ],
    [
      'correct a field the event does not have',
      [registered],
      { kind: 'correct', target: { eventId: 'e-reg', type: 'agreement.registered', data: { ...details }, occurredAt: signing.occurredAt }, correctsEventId: 'e-reg', changes: { effectiveOn: '2026-02-01' }, reason: 'r', now },
      'unprocessable',
      /effectiveOn cannot be corrected on a agreement.registered event/,
    ],
    [
      'a correction that changes nothing',
      [registered],
      { kind: 'correct', target: { eventId: 'e-reg', type: 'agreement.registered', data: { ...details }, occurredAt: signing.occurredAt }, correctsEventId: 'e-reg', changes: { signedOn: '2026-01-29' }, reason: 'r', now },
      'unprocessable',
      /changes nothing/,
    ],
    [
      'a suspension corrected to before the signing',
      [registered, suspended],
      { kind: 'correct', target: { eventId: 'e-s', type: 'agreement.suspended', data: suspended.data as never, occurredAt: now }, correctsEventId: 'e-s', changes: { effectiveOn: '2025-12-01' }, reason: 'r', now },
      'unprocessable',
      /effectiveOn 2025-12-01 is before the agreement was signed/,
    ],
  ];
  it.each(refused)('refuses: %s', (_name, given, command, code, message) => {
    spec.given(given).when(command).thenThrows(code as never, message);
  });

  it('shows the lifecycle status over the implementation status, and the implementation status again on resume', () => {
    const fold = (events: AgreementEvent[]) => events.reduce(agreementDecider.evolve, agreementDecider.initialState());
    const s1 = fold([registered, delivering, suspended]);
    const s2 = fold([registered, delivering, suspended, { type: 'agreement.resumed', schemaVersion: 2, data: { agreementId, effectiveOn: '2026-11-23' } }]);
    expect(s1.exists && statusOf(s1)).toBe('suspended');
    expect(s2.exists && statusOf(s2)).toBe('delivering');
  });

  it('applies corrections: the signing date, and the date the current lifecycle state took effect; keeps them listed', () => {
    const fold = (events: AgreementEvent[]) => events.reduce(agreementDecider.evolve, agreementDecider.initialState());
    const corrected = (correctsType: 'agreement.registered' | 'agreement.suspended', changes: object): AgreementEvent => ({
      type: 'agreement.corrected',
      schemaVersion: 1,
      data: { agreementId, correctsEventId: 'e', correctsType, changes, reason: 'typo' },
    });
    const s = fold([registered, suspended, corrected('agreement.registered', { signedOn: '2026-01', datePrecision: 'month' }), corrected('agreement.suspended', { effectiveOn: '2026-10-01' })]);
    expect(s).toMatchObject({ signedOn: '2026-01', datePrecision: 'month', lifecycle: 'suspended', lifecycleSince: '2026-10-01' });
    expect(s.exists && s.corrections?.map((c) => c.correctsType)).toEqual(['agreement.registered', 'agreement.suspended']);
    // A correction of an earlier suspension does not move the date of a later resumption.
    const resumed = fold([registered, suspended, { type: 'agreement.resumed', schemaVersion: 2, data: { agreementId, effectiveOn: '2026-11-01' } }, corrected('agreement.suspended', { effectiveOn: '2026-10-01' })]);
    expect(resumed).toMatchObject({ lifecycle: 'active', lifecycleSince: '2026-11-01' });
  });

  it('numbers targets and sources of older events (without ids) in order, and applies list corrections', () => {
    const fold = (events: AgreementEvent[]) => events.reduce(agreementDecider.evolve, agreementDecider.initialState());
    const older: AgreementEvent[] = [
      { type: 'agreement.registered', schemaVersion: 1, data: { agreementId, ...details, targets: [{ description: 'a' }] } },
      { type: 'agreement.target-added', schemaVersion: 1, data: { agreementId, target: { description: 'b' } } },
      { type: 'agreement.source-attached', schemaVersion: 1, data: { agreementId, source: { title: 'c' } } },
    ];
    const s = fold([
      ...older,
      { type: 'agreement.target-corrected', schemaVersion: 1, data: { agreementId, targetId: 'T2', changes: { amount: 3 }, reason: 'r' } },
      { type: 'agreement.target-removed', schemaVersion: 1, data: { agreementId, targetId: 'T1', reason: 'r' } },
      { type: 'agreement.source-removed', schemaVersion: 1, data: { agreementId, sourceId: 'S1', reason: 'r' } },
      { type: 'agreement.objective-corrected', schemaVersion: 1, data: { agreementId, objective: 'information sharing', correctedTo: 'data sharing', reason: 'r' } },
    ]);
    expect(s).toMatchObject({ targets: [{ description: 'b', amount: 3, targetId: 'T2' }], sources: [{ title: 'c', sourceId: 'S2' }], objectives: ['data sharing'], lastTargetNumber: 2 });
  });
});
