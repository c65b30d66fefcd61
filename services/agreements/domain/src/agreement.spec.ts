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
const today = '2026-11-22';
const registered: AgreementEvent = { type: 'agreement.registered', schemaVersion: 1, data: { agreementId, ...details } };
const suspended: AgreementEvent = { type: 'agreement.suspended', schemaVersion: 1, data: { agreementId, reason: 'political crisis' } };
const terminated: AgreementEvent = { type: 'agreement.terminated', schemaVersion: 1, data: { agreementId, reason: 'withdrawn' } };
const expired: AgreementEvent = { type: 'agreement.expired', schemaVersion: 1, data: { agreementId } };
const causedBy = { eventId: 'e-1', type: 'milestone.met', milestoneId: 'm-1' };
const delivering: AgreementEvent = {
  type: 'agreement.status-derived',
  schemaVersion: 1,
  data: { agreementId, from: 'signed', to: 'delivering', causedBy },
};

describe('Agreement decider', () => {
  const accepted: Array<[string, AgreementEvent[], AgreementCommand, AgreementEvent[]]> = [
    ['register', [], { kind: 'register', agreementId, details, today }, [registered]],
    [
      'register with a month-precise signing date in the current month',
      [],
      { kind: 'register', agreementId, details: { ...details, signedOn: '2026-11', datePrecision: 'month' }, today },
      [{ type: 'agreement.registered', schemaVersion: 1, data: { agreementId, ...details, signedOn: '2026-11', datePrecision: 'month' } }],
    ],
    [
      'amend only what changed',
      [registered],
      { kind: 'amend', changes: { title: details.title, place: 'Ankara, Türkiye' }, today },
      [{ type: 'agreement.amended', schemaVersion: 1, data: { agreementId, changes: { place: 'Ankara, Türkiye' } } }],
    ],
    ['amend with nothing new decides nothing', [registered], { kind: 'amend', changes: { title: details.title }, today }, []],
    [
      'attach a source',
      [registered],
      { kind: 'attachSource', source: { url: 'https://example.org/analysis', title: 'Analysis' } },
      [{ type: 'agreement.source-attached', schemaVersion: 1, data: { agreementId, source: { url: 'https://example.org/analysis', title: 'Analysis' } } }],
    ],
    [
      'add an objective',
      [registered],
      { kind: 'addObjective', objective: 'research and development' },
      [{ type: 'agreement.objective-added', schemaVersion: 1, data: { agreementId, objective: 'research and development' } }],
    ],
    [
      'add a quantified target',
      [registered],
      { kind: 'addTarget', target: { description: 'Chinese investment', amount: 2e9, currency: 'USD', byDate: '2031-01-01' } },
      [
        {
          type: 'agreement.target-added',
          schemaVersion: 1,
          data: { agreementId, target: { description: 'Chinese investment', amount: 2e9, currency: 'USD', byDate: '2031-01-01' } },
        },
      ],
    ],
    ['suspend', [registered], { kind: 'suspend', reason: 'political crisis' }, [suspended]],
    ['resume', [registered, suspended], { kind: 'resume' }, [{ type: 'agreement.resumed', schemaVersion: 1, data: { agreementId } }]],
    ['terminate a suspended agreement', [registered, suspended], { kind: 'terminate', reason: 'withdrawn' }, [terminated]],
    ['expire', [registered], { kind: 'expire' }, [expired]],
    ['derive a new status from milestones', [registered], { kind: 'deriveStatus', status: 'delivering', causedBy }, [delivering]],
    ['derive the same status again decides nothing', [registered, delivering], { kind: 'deriveStatus', status: 'delivering', causedBy }, []],
    ['a terminated agreement keeps its implementation record', [registered, terminated], { kind: 'deriveStatus', status: 'delivering', causedBy }, []],
  ];
  it.each(accepted)('accepts: %s', (_name, given, command, then) => {
    spec.given(given).when(command).then(then);
  });

  const refused: Array<[string, AgreementEvent[], AgreementCommand, string, RegExp]> = [
    ['register twice', [registered], { kind: 'register', agreementId, details, today }, 'conflict', /already exists/],
    ['a signing date in the future', [], { kind: 'register', agreementId, details: { ...details, signedOn: '2026-11-23' }, today }, 'invalid', /future/],
    ['a signing month in the future', [], { kind: 'register', agreementId, details: { ...details, signedOn: '2026-12', datePrecision: 'month' }, today }, 'invalid', /future/],
    ['amend an unknown agreement', [], { kind: 'amend', changes: { title: 'x' }, today }, 'not-found', /not found/],
    ['amend a terminated agreement', [registered, terminated], { kind: 'amend', changes: { title: 'x' }, today }, 'invalid-transition', /terminated/],
    ['amend the signing date into the future', [registered], { kind: 'amend', changes: { signedOn: '2027-01-01' }, today }, 'invalid', /future/],
    ['attach a source to an expired agreement', [registered, expired], { kind: 'attachSource', source: { title: 'x' } }, 'invalid-transition', /expired/],
    ['attach the same source twice', [registered], { kind: 'attachSource', source: { url: 'https://example.org/news', title: 'again' } }, 'conflict', /already attached/],
    ['add a known objective', [registered], { kind: 'addObjective', objective: 'information sharing' }, 'conflict', /already/],
    ['suspend twice', [registered, suspended], { kind: 'suspend', reason: 'x' }, 'invalid-transition', /already suspended/],
    ['resume an active agreement', [registered], { kind: 'resume' }, 'invalid-transition', /not suspended/],
    ['terminate twice', [registered, terminated], { kind: 'terminate', reason: 'x' }, 'invalid-transition', /terminated/],
    ['resume a terminated agreement', [registered, suspended, terminated], { kind: 'resume' }, 'invalid-transition', /terminated/],
    ['derive status of an unknown agreement', [], { kind: 'deriveStatus', status: 'delivering', causedBy }, 'not-found', /not found/],
  ];
  it.each(refused)('refuses: %s', (_name, given, command, code, message) => {
    spec.given(given).when(command).thenThrows(code as never, message);
  });

  it('shows the lifecycle status over the implementation status, and the implementation status again on resume', () => {
    const fold = (events: AgreementEvent[]) => events.reduce(agreementDecider.evolve, agreementDecider.initialState());
    const s1 = fold([registered, delivering, suspended]);
    const s2 = fold([registered, delivering, suspended, { type: 'agreement.resumed', schemaVersion: 1, data: { agreementId } }]);
    expect(s1.exists && statusOf(s1)).toBe('suspended');
    expect(s2.exists && statusOf(s2)).toBe('delivering');
  });
});
