import type { AlertSeverity, MilestoneStatus } from '@tracker/contracts';
import type { Agreement, Alert, Milestone } from '../api/types';
import {
  alertWeight,
  byStatus,
  duePerMonth,
  partiesText,
  portfolioCsv,
  portfolioRows,
  signedText,
  sortRows,
  type PortfolioRow,
} from './portfolio';

// Agreements from the seed data (/work/shared/seed-data/agreements.json), as the agreements service lists them.
const counts = (c: Partial<Agreement['milestones']> = {}): Agreement['milestones'] => ({
  planned: 0,
  inProgress: 0,
  met: 0,
  partiallyMet: 0,
  missed: 0,
  cancelled: 0,
  slipped: 0,
  nextDueDate: null,
  ...c,
});

function agreement(a: Partial<Agreement> & Pick<Agreement, 'id' | 'reference' | 'title'>): Agreement {
  return {
    version: 1,
    kind: 'mou',
    parties: [],
    signatories: [],
    signedOn: null,
    datePrecision: 'unknown',
    sectors: ['mining'],
    commodities: [],
    objectives: [],
    targets: [],
    sources: [],
    status: 'signed',
    lifecycle: 'active',
    implementationStatus: 'signed',
    milestones: counts(),
    registeredAt: '2026-02-01T09:00:00.000Z',
    lastActivityAt: '2026-02-01T09:00:00.000Z',
    ...a,
  };
}

const trUz = agreement({
  id: '0b7c4f0e-9c1e-4b8e-8f57-3f1c2a6d9e41',
  reference: 'TR-UZ-2026-MINING',
  title:
    'Memorandum of Understanding on cooperation in the mining sector (critical minerals and rare earth elements)',
  parties: [
    { country: 'TR', name: 'Republic of Türkiye' },
    { country: 'UZ', name: 'Republic of Uzbekistan' },
  ],
  signedOn: '2026-01-29',
  datePrecision: 'day',
  commodities: ['copper', 'lithium', 'rare-earth-elements'],
  status: 'inImplementation',
  // Five planned: one met, one cancelled, three open; one of them slipped.
  milestones: counts({
    planned: 5,
    inProgress: 1,
    met: 1,
    cancelled: 1,
    slipped: 1,
    nextDueDate: '2026-09-30',
  }),
});
const trCn = agreement({
  id: '5d1e2a77-2b8e-4c3a-9a61-7e0f4b2c8d13',
  reference: 'TR-CN-MINING',
  title: 'Memorandum of Understanding on cooperation in critical minerals',
  parties: [
    { country: 'TR', name: 'Republic of Türkiye' },
    { country: 'CN', name: "People's Republic of China" },
  ],
  commodities: ['rare-earth-elements', 'neodymium'],
  milestones: counts({ planned: 3, nextDueDate: '2026-12-31' }),
});
const usUz = agreement({
  id: '9a3f6c21-4d5e-4f70-8b19-2c6e1d7a0f58',
  reference: 'US-UZ-2026-CRITMIN',
  title: 'Bilateral framework agreement and memorandum on cooperation in critical minerals',
  kind: 'framework',
  parties: [
    { country: 'US', name: 'United States of America' },
    { country: 'UZ', name: 'Republic of Uzbekistan' },
  ],
  signedOn: '2026-02',
  datePrecision: 'month',
  status: 'suspended',
});

let alertNo = 0;
const alert = (agreementId: string, severity: AlertSeverity, status: Alert['status'] = 'open'): Alert => ({
  id: `alert-${++alertNo}`,
  kind: 'deadline.approaching',
  severity,
  status,
  agreementId,
  milestoneId: null,
  milestoneTitle: null,
  milestoneType: null,
  dueDate: '2026-09-30',
  window: 30,
  facts: {},
  raisedAt: '2026-08-31T06:00:00.000Z',
});

const noAlerts = { info: 0, low: 0, medium: 0, high: 0, critical: 0 };

describe('portfolioRows', () => {
  it('gives each agreement its milestone figures, the total counting every milestone planned', () => {
    const [row] = portfolioRows([trUz], []);
    expect(row).toEqual({
      id: trUz.id,
      reference: 'TR-UZ-2026-MINING',
      title: trUz.title,
      kind: 'mou',
      parties: [
        { code: 'TR', name: 'Republic of Türkiye' },
        { code: 'UZ', name: 'Republic of Uzbekistan' },
      ],
      signedOn: '2026-01-29',
      datePrecision: 'day',
      status: 'inImplementation',
      commodities: ['copper', 'lithium', 'rare-earth-elements'],
      met: 1,
      total: 5, // the cancelled one included: it was planned
      slips: 1,
      nextDueDate: '2026-09-30',
      openAlerts: noAlerts,
    });
  });

  it('counts the open and acknowledged alerts of each agreement by severity, not the resolved ones', () => {
    const rows = portfolioRows(
      [trUz, trCn],
      [
        alert(trUz.id, 'high'),
        alert(trUz.id, 'high', 'acknowledged'),
        alert(trUz.id, 'critical'),
        alert(trUz.id, 'low', 'resolved'),
        alert(trCn.id, 'medium'),
        alert('7f0c0de0-0000-4000-8000-000000000000', 'critical'), // an agreement not listed
      ],
    );
    expect(rows.map((r) => [r.reference, r.openAlerts])).toEqual([
      ['TR-UZ-2026-MINING', { ...noAlerts, high: 2, critical: 1 }],
      ['TR-CN-MINING', { ...noAlerts, medium: 1 }],
    ]);
  });

  it('gives an organisation party no country code', () => {
    const eu = agreement({
      id: 'e1',
      reference: 'EU-UZ-MINERALS',
      title: 'Strategic partnership on raw materials',
      parties: [
        { organisation: 'European Union', name: 'European Commission' },
        { country: 'UZ', name: 'Republic of Uzbekistan' },
      ],
    });
    expect(portfolioRows([eu], [])[0].parties).toEqual([
      { code: null, name: 'European Commission' },
      { code: 'UZ', name: 'Republic of Uzbekistan' },
    ]);
  });
});

describe('partiesText and signedText', () => {
  const [uz, us] = portfolioRows([trUz, usUz], []);

  it('names the countries (Intl names, TR is Türkiye) with their codes', () => {
    expect(partiesText(uz)).toBe('Türkiye (TR); Uzbekistan (UZ)');
  });

  it('writes the signing date no more precisely than known', () => {
    expect([signedText(uz), signedText(us)]).toEqual(['29 Jan 2026', 'Feb 2026']);
  });
});

describe('sortRows', () => {
  const row = (r: Partial<PortfolioRow> & Pick<PortfolioRow, 'reference'>): PortfolioRow => ({
    id: r.reference,
    title: r.reference,
    kind: 'mou',
    parties: [],
    signedOn: null,
    datePrecision: 'unknown',
    status: 'signed',
    commodities: [],
    met: 0,
    total: 0,
    slips: 0,
    nextDueDate: null,
    openAlerts: { ...noAlerts },
    ...r,
  });
  const refs = (rows: PortfolioRow[]) => rows.map((r) => r.reference);

  it.each([
    [
      'signing date',
      'signedOn',
      [
        row({ reference: 'B', signedOn: '2026-02-04' }),
        row({ reference: 'A', signedOn: '2026-01-29' }),
        row({ reference: 'C', signedOn: null }),
      ],
      ['C', 'A', 'B'],
    ],
    [
      'slips',
      'slips',
      [
        row({ reference: 'A', slips: 2 }),
        row({ reference: 'B', slips: 0 }),
        row({ reference: 'C', slips: 10 }),
      ],
      ['B', 'A', 'C'],
    ],
    [
      'progress, met share of the total, no milestones below 0%',
      'progress',
      [
        row({ reference: 'A', met: 1, total: 2 }),
        row({ reference: 'B', met: 1, total: 5 }),
        row({ reference: 'C' }),
        row({ reference: 'D', met: 0, total: 3 }),
      ],
      ['C', 'D', 'B', 'A'],
    ],
    [
      'next due date, none last',
      'nextDueDate',
      [
        row({ reference: 'A' }),
        row({ reference: 'B', nextDueDate: '2027-06-30' }),
        row({ reference: 'C', nextDueDate: '2026-09-30' }),
      ],
      ['C', 'B', 'A'],
    ],
    [
      'title, as people sort it: accents and case do not push a title to the end',
      'title',
      [
        row({ reference: 'A', title: 'Zambia copper offtake' }),
        row({ reference: 'B', title: 'Élysée minerals dialogue' }),
        row({ reference: 'C', title: 'eskişehir rare earths' }),
      ],
      ['B', 'C', 'A'],
    ],
  ] as const)('sorts ascending by %s', (_, key, rows, expected) => {
    expect(refs(sortRows(rows, key, 'asc'))).toEqual(expected);
  });

  it('reverses for descending, ties still by reference', () => {
    const rows = [
      row({ reference: 'TR-UZ', slips: 1 }),
      row({ reference: 'TR-CN', slips: 1 }),
      row({ reference: 'US-UZ', slips: 3 }),
    ];
    expect(refs(sortRows(rows, 'slips', 'desc'))).toEqual(['US-UZ', 'TR-CN', 'TR-UZ']);
  });

  it('ranks by alerts weighted by severity: one critical above several lower ones', () => {
    const rows = [
      row({ reference: 'A', openAlerts: { ...noAlerts, low: 5, medium: 3 } }),
      row({ reference: 'B', openAlerts: { ...noAlerts, critical: 1 } }),
      row({ reference: 'C', openAlerts: { ...noAlerts, high: 1 } }),
      row({ reference: 'D' }),
    ];
    expect(refs(sortRows(rows, 'alerts', 'desc'))).toEqual(['B', 'C', 'A', 'D']);
    expect(alertWeight(rows[3])).toBe(0);
  });

  it('leaves the rows it was given in their order', () => {
    const rows = [row({ reference: 'B' }), row({ reference: 'A' })];
    sortRows(rows, 'reference', 'asc');
    expect(refs(rows)).toEqual(['B', 'A']);
  });
});

describe('portfolioCsv', () => {
  it('writes one record per agreement, parties named, numbers as numbers, a formula-like title guarded', () => {
    const hostile = agreement({
      id: 'c0ffee00-1111-4222-8333-444455556666',
      reference: 'XX-TEST',
      title: '=HYPERLINK("https://evil.example","Open")',
      milestones: counts({ planned: 2 }),
    });
    const [head, uz, bad, end] = portfolioCsv(portfolioRows([trUz, hostile], [alert(trUz.id, 'high')])).split(
      '\r\n',
    );
    expect(head).toBe(
      '\uFEFFreference,title,kind,parties,signed on,date precision,status,milestones met,milestones total,slips,next due date,' +
        'open alerts info,open alerts low,open alerts medium,open alerts high,open alerts critical,id',
    );
    expect(uz).toBe(
      'TR-UZ-2026-MINING,Memorandum of Understanding on cooperation in the mining sector (critical minerals and rare earth elements),' +
        `mou,Türkiye (TR); Uzbekistan (UZ),2026-01-29,day,inImplementation,1,5,1,2026-09-30,0,0,0,1,0,${trUz.id}`,
    );
    expect(bad).toBe(
      `XX-TEST,"'=HYPERLINK(""https://evil.example"",""Open"")",mou,,,unknown,signed,0,2,0,,0,0,0,0,0,${hostile.id}`,
    );
    expect(end).toBe('');
  });
});

describe('byStatus', () => {
  it('counts agreements per status, largest first, equal counts by name', () => {
    const rows = portfolioRows([trUz, trCn, usUz, { ...trCn, id: 'x', reference: 'TR-NE-MINING' }], []);
    expect(byStatus(rows)).toEqual([
      { status: 'signed', count: 2 },
      { status: 'inImplementation', count: 1 },
      { status: 'suspended', count: 1 },
    ]);
  });

  it('gives nothing for no agreements', () => {
    expect(byStatus([])).toEqual([]);
  });
});

describe('duePerMonth', () => {
  let no = 0;
  const milestone = (dueDate: string, status: MilestoneStatus = 'scheduled'): Milestone => ({
    id: `m-${++no}`,
    version: 1,
    agreementId: trUz.id,
    type: 'geological_survey',
    title: `Milestone due ${dueDate}`,
    status,
    plannedDueDate: dueDate,
    dueDate,
    percent: 0,
    evidence: [],
    slips: [],
    slipCount: 0,
    overdue: false,
    repeatedlySlipped: false,
    plannedAt: '2026-02-01T09:00:00.000Z',
    updatedAt: '2026-02-01T09:00:00.000Z',
  });

  it('counts open milestones per month across a year boundary, months without any as zeros', () => {
    const today = '2026-11-15';
    expect(
      duePerMonth(
        [
          milestone('2027-02-28'),
          milestone('2026-11-30', 'inProgress'),
          milestone('2026-11-01'), // before today: overdue
          milestone('2026-11-15'), // due today: not overdue yet
          milestone('2026-10-31', 'inProgress'),
          milestone('2026-12-31', 'met'), // closed: not counted
          milestone('2027-03-31', 'cancelled'),
          milestone('2026-09-30', 'notMet'),
        ],
        today,
      ),
    ).toEqual([
      { month: '2026-10', due: 0, overdue: 1 },
      { month: '2026-11', due: 2, overdue: 1 },
      { month: '2026-12', due: 0, overdue: 0 },
      { month: '2027-01', due: 0, overdue: 0 },
      { month: '2027-02', due: 1, overdue: 0 },
    ]);
  });

  it('gives a single month for milestones all due in it', () => {
    expect(duePerMonth([milestone('2026-09-30'), milestone('2026-09-01')], '2026-02-01')).toEqual([
      { month: '2026-09', due: 2, overdue: 0 },
    ]);
  });

  it('gives nothing when no milestone is open', () => {
    expect(
      duePerMonth([milestone('2026-09-30', 'met'), milestone('2026-10-31', 'partiallyMet')], '2026-02-01'),
    ).toEqual([]);
  });
});
