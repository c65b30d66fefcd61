/**
 * Finding agreements (by reference, by text search) and the CSV export, against the real stack.
 */
import { parse } from 'csv-parse/sync';
import { startService, testConfig, trUzMemorandum, uniqueName, type RunningService } from '@tracker/testing';
import { AgreementsApp } from '../service';
import { AgreementsConfig } from '../config';
import type { AgreementView } from './agreement-read-model';

const agreements = [
  trUzMemorandum('TR-UZ-2026-MINING', {
    title:
      'Memorandum of Understanding on cooperation in the mining sector (critical minerals and rare earth elements)',
    place: 'Ankara, Türkiye',
    signatories: [
      { name: 'Alparslan Bayraktar', title: 'Minister of Energy and Natural Resources', party: 'TR' },
      { name: 'Bobir Islamov', title: 'Minister of Mining Industry and Geology', party: 'UZ' },
    ],
    commodities: ['copper', 'lithium', 'rare-earth-elements'],
    objectives: ['information sharing', 'research and development'],
    sectors: ['mining'],
  }),
  trUzMemorandum('TR-NE-2026', {
    title: 'Mining and hydrocarbons cooperation',
    parties: [
      { country: 'TR', name: 'Republic of Türkiye' },
      { country: 'NE', name: 'Republic of the Niger' },
    ],
    place: 'Niamey',
    context: 'Visit of the Turkish delegation, led from Ankara',
  }),
  trUzMemorandum('US-UZ-2026-CRITMIN', {
    title: 'Memorandum on critical minerals, Uzbekistan and the United States',
    kind: 'framework',
    parties: [
      { country: 'US', name: 'United States of America' },
      { country: 'UZ', name: 'Republic of Uzbekistan' },
    ],
    signedOn: '2026-02',
    datePrecision: 'month',
  }),
  // Text a spreadsheet could misread: separators, quotes, a line break, a formula.
  trUzMemorandum('CSV-EDGE-1', {
    title: '=HYPERLINK("https://example.org","click"), "quoted"; and\na second line',
    parties: [{ organisation: 'European Commission', name: '+European Commission' }],
    place: '@Brussels',
    signedOn: null,
    datePrecision: 'unknown',
  }),
];

describe('finding and exporting agreements', () => {
  let svc: RunningService;
  const ids = new Map<string, string>();

  beforeAll(async () => {
    const config = testConfig(AgreementsConfig, { KAFKA_TOPIC_PREFIX: `${uniqueName('find')}.` });
    svc = await startService(AgreementsApp.forRoot(config));
    for (const body of agreements) {
      const res = await svc.as('monitor').post('/agreements').send(body).expect(201);
      ids.set(res.body.reference, res.body.id);
    }
  });
  afterAll(async () => {
    await svc?.close();
  });

  const references = (res: { body: { items: Array<{ reference: string }> } }) =>
    res.body.items.map((a) => a.reference);

  describe('by reference', () => {
    it('answers the agreement with its ETag, ignoring case', async () => {
      for (const reference of ['TR-UZ-2026-MINING', 'tr-uz-2026-mining', ' Tr-Uz-2026-Mining ']) {
        const res = await svc
          .as('stakeholder')
          .get(`/agreements/by-reference/${encodeURIComponent(reference)}`)
          .expect(200);
        expect(res.body).toMatchObject({
          id: ids.get('TR-UZ-2026-MINING'),
          reference: 'TR-UZ-2026-MINING',
          version: 1,
        });
        expect(res.headers['etag']).toBe('"1"');
      }
    });

    it('answers 404 naming the reference for an unknown one, 400 for one that cannot be a reference', async () => {
      const unknown = await svc.as('monitor').get('/agreements/by-reference/TR-XX-1999').expect(404);
      expect(unknown.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(unknown.body.detail).toMatch(/no agreement has the reference TR-XX-1999.*\?q=/);
      const invalid = await svc
        .as('monitor')
        .get(`/agreements/by-reference/${encodeURIComponent('TR UZ;*')}`)
        .expect(400);
      expect(invalid.body.errors.map((e: { field: string }) => e.field)).toEqual(['reference']);
    });

    it('filters the list by reference, ignoring case', async () => {
      expect(
        references(await svc.as('auditor').get('/agreements?reference=us-uz-2026-critmin').expect(200)),
      ).toEqual(['US-UZ-2026-CRITMIN']);
      expect(references(await svc.as('auditor').get('/agreements?reference=US-UZ').expect(200))).toEqual([]);
      const bad = await svc.as('auditor').get('/agreements?reference=a%20b').expect(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['reference']);
    });
  });

  describe('text search', () => {
    const table: Array<[string, string, string[]]> = [
      ['a party name', 'q=Uzbekistan', ['US-UZ-2026-CRITMIN', 'TR-UZ-2026-MINING']],
      ['a place, and a place in the context', 'q=ankara', ['TR-UZ-2026-MINING', 'TR-NE-2026']],
      ['part of a reference', 'q=TR-UZ', ['TR-UZ-2026-MINING', 'TR-NE-2026', 'US-UZ-2026-CRITMIN']],
      [
        'the whole reference first',
        'q=us-uz-2026-critmin',
        ['US-UZ-2026-CRITMIN', 'TR-UZ-2026-MINING', 'TR-NE-2026'],
      ],
      ['without accents', 'q=turkiye', ['TR-UZ-2026-MINING', 'TR-NE-2026']],
      ['upper case with a dotted capital I', 'q=T%C3%9CRK%C4%B0YE', ['TR-UZ-2026-MINING', 'TR-NE-2026']],
      ['the start of a word', 'q=uzbek', ['US-UZ-2026-CRITMIN', 'TR-UZ-2026-MINING']],
      ['a signatory, partly', 'q=bayrak', ['TR-UZ-2026-MINING']],
      ['an objective', 'q=research', ['TR-UZ-2026-MINING']],
      ['an organisation', 'q=commission', ['CSV-EDGE-1']],
      ['more words matched first', 'q=mining%20niger', ['TR-NE-2026', 'TR-UZ-2026-MINING']],
      ['with another filter', 'q=uzbek&country=US', ['US-UZ-2026-CRITMIN']],
      ['the middle of a word finds nothing', 'q=zbekistan', []],
      ['regex characters are no pattern', 'q=.*', []],
    ];
    it.each(table)('finds by %s (%s)', async (_name, query, expected) => {
      expect(references(await svc.as('stakeholder').get(`/agreements?${query}`).expect(200))).toEqual(
        expected,
      );
    });

    it('pages a ranked search with its cursor in the same order', async () => {
      const all = references(await svc.as('monitor').get('/agreements?q=TR-UZ&limit=100').expect(200));
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: { items: Array<{ reference: string }>; nextCursor: string | null } } = await svc
          .as('monitor')
          .get(`/agreements?q=TR-UZ&limit=1${cursor ? `&cursor=${cursor}` : ''}`)
          .expect(200);
        paged.push(...references(res));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(paged).toEqual(all);
      expect(all).toHaveLength(3);
    });

    it('refuses a cursor that is not one of a search', async () => {
      const plain = await svc.as('monitor').get('/agreements?limit=1').expect(200);
      const res = await svc
        .as('monitor')
        .get(`/agreements?q=mining&cursor=${plain.body.nextCursor}`)
        .expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['cursor']);
    });
  });

  describe('CSV export', () => {
    const COLUMNS = [
      'id',
      'reference',
      'title',
      'kind',
      'status',
      'signedOn',
      'datePrecision',
      'place',
      'partyCountries',
      'parties',
      'signatories',
      'commodities',
      'sectors',
      'objectives',
      'milestonesPlanned',
      'milestonesMet',
      'milestonesPartiallyMet',
      'milestonesMissed',
      'milestonesSlipped',
      'nextDueDate',
      'registeredAt',
      'lastActivityAt',
      'version',
    ];
    const guard = (text: string) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);
    /** A JSON agreement as its CSV row should read, built here from the JSON. */
    const rowOf = (a: AgreementView) => ({
      id: a.id,
      reference: a.reference,
      title: guard(a.title),
      kind: a.kind,
      status: a.status,
      signedOn: a.signedOn ?? '',
      datePrecision: a.datePrecision,
      place: guard(a.place ?? ''),
      partyCountries: a.parties.flatMap((p) => (p.country ? [p.country] : [])).join('; '),
      parties: guard(a.parties.map((p) => p.name).join('; ')),
      signatories: a.signatories.map((s) => s.name).join('; '),
      commodities: a.commodities.join('; '),
      sectors: a.sectors.join('; '),
      objectives: a.objectives.join('; '),
      milestonesPlanned: String(a.milestones.planned),
      milestonesMet: String(a.milestones.met),
      milestonesPartiallyMet: String(a.milestones.partiallyMet),
      milestonesMissed: String(a.milestones.missed),
      milestonesSlipped: String(a.milestones.slipped),
      nextDueDate: a.milestones.nextDueDate ?? '',
      registeredAt: a.registeredAt,
      lastActivityAt: a.lastActivityAt,
      version: String(a.version),
    });
    const exported = async (query: string) => {
      const res = await svc.as('stakeholder').get(`/agreements/export.csv${query}`).expect(200);
      return {
        res,
        text: res.text,
        rows: parse(res.text, { columns: true }) as Array<Record<string, string>>,
      };
    };

    it('answers every agreement as RFC 4180 CSV with a header row, equal to the JSON list', async () => {
      const { res, text, rows } = await exported('');
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toMatch(
        /^attachment; filename="agreements-\d{4}-\d{2}-\d{2}\.csv"$/,
      );
      expect(text.split('\r\n')[0]).toBe(COLUMNS.join(','));
      expect(text.endsWith('\r\n')).toBe(true);
      const json = await svc.as('stakeholder').get('/agreements?limit=100').expect(200);
      expect(rows).toEqual(json.body.items.map(rowOf));
      expect(rows.map((r) => r.reference)).toEqual([
        'TR-UZ-2026-MINING',
        'TR-NE-2026',
        'US-UZ-2026-CRITMIN',
        'CSV-EDGE-1',
      ]);
    });

    it('keeps separators, quotes and line breaks in their cells and turns formulas into text', async () => {
      const { rows } = await exported('?reference=CSV-EDGE-1');
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        title: `'=HYPERLINK("https://example.org","click"), "quoted"; and\na second line`,
        place: "'@Brussels",
        parties: "'+European Commission",
        partyCountries: '',
        signedOn: '',
      });
      const trUz = (await exported('?reference=tr-uz-2026-mining')).rows[0];
      expect(trUz).toMatchObject({
        place: 'Ankara, Türkiye',
        commodities: 'copper; lithium; rare-earth-elements',
        signatories: 'Alparslan Bayraktar; Bobir Islamov',
      });
    });

    it('takes the list filters, q in its ranked order', async () => {
      const filters = [
        '?country=UZ',
        '?kind=framework',
        '?signedFrom=2026-02-01',
        '?commodity=lithium&kind=mou',
        '?q=TR-UZ',
        '?q=uzbek&country=TR',
      ];
      for (const query of filters) {
        const json = await svc
          .as('auditor')
          .get(`/agreements?limit=100&${query.slice(1)}`)
          .expect(200);
        const { rows } = await exported(query);
        expect(rows).toEqual(json.body.items.map(rowOf));
        expect({ query, matched: rows.length > 0 }).toEqual({ query, matched: true });
      }
    });

    it('exports more than one read batch, every matching agreement once', async () => {
      for (let i = 0; i < 105; i++)
        await svc
          .as('monitor')
          .post('/agreements')
          .send(
            trUzMemorandum(`BULK-${i}`, {
              title: `Bulk memorandum ${i}`,
              parties: [{ country: 'KZ', name: 'Kazakhstan' }],
            }),
          )
          .expect(201);
      const { rows } = await exported('?country=KZ');
      expect(rows).toHaveLength(105);
      expect(new Set(rows.map((r) => r.reference)).size).toBe(105);
      const ranked = await exported('?q=bulk');
      expect(ranked.rows).toHaveLength(105);
    });

    it('answers only the header row when nothing matches', async () => {
      const { text, rows } = await exported('?country=FR');
      expect(text).toBe(`${COLUMNS.join(',')}\r\n`);
      expect(rows).toEqual([]);
    });

    it('refuses bad filters and paging with 400 problem details', async () => {
      for (const [query, field] of [
        ['?country=ZZ', 'country'],
        ['?limit=5', 'limit'],
        ['?cursor=abc', 'cursor'],
        ['?status=finished', 'status'],
      ]) {
        const res = await svc.as('monitor').get(`/agreements/export.csv${query}`).expect(400);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
    });
  });
});
