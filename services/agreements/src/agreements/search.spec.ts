import { searchFilter, searchQueryOf, searchRank, searchTextOf } from './search';

const trUz = searchTextOf({
  reference: 'TR-UZ-2026-MINING',
  title: 'Memorandum of Understanding on critical minerals and rare earth elements',
  place: 'Ankara, Türkiye',
  context: 'Signed during the visit of the Uzbek delegation',
  objectives: ['information sharing', 'research and development'],
  parties: [
    { country: 'TR', name: 'Republic of Türkiye' },
    { country: 'UZ', name: 'Republic of Uzbekistan' },
  ],
  signatories: [{ name: 'Alparslan Bayraktar' }, { name: 'Bobir Islamov' }],
});

const found = (q: string) => searchRank(trUz, searchQueryOf(q)) > 0;

describe('agreement search', () => {
  it('stores each field group as folded words', () => {
    expect(trUz.reference).toBe(' tr uz 2026 mining');
    expect(trUz.other).toContain(' ankara turkiye ');
    expect(trUz.other).toContain(' bayraktar ');
  });

  it.each([
    ['Uzbekistan', true], // a party name
    ['ankara', true], // the place
    ['TR-UZ', true], // part of the reference
    ['turkiye', true], // without its accent
    ['TÜRKİYE', true], // upper case with the dotted capital I
    ['türk', true], // the start of a word
    ['bayrak', true], // a signatory's name, partly
    ['islamov', true],
    ['research', true], // an objective
    ['delegation', true], // the context
    ['minerals', true], // the title
    ['rkiye', false], // the middle of a word is not a word start
    ['niger', false],
    ['lithium', false], // no field says it
  ])('%j found: %s', (q, expected) => {
    expect(found(q)).toBe(expected);
  });

  it('ranks the exact reference first, then more terms matched, then the field they are in', () => {
    const agreements = {
      exact: searchTextOf({
        reference: 'TR-NE-2026',
        title: 'Mining cooperation',
        objectives: [],
        parties: [],
        signatories: [],
      }),
      bothInTitle: searchTextOf({
        reference: 'X-1',
        title: 'Türkiye and Niger on mining',
        objectives: [],
        parties: [],
        signatories: [],
      }),
      oneInTitle: searchTextOf({
        reference: 'X-2',
        title: 'Niger mining code',
        objectives: [],
        parties: [],
        signatories: [],
      }),
      oneInPlace: searchTextOf({
        reference: 'X-3',
        title: 'Memorandum',
        place: 'Niamey, Niger',
        objectives: [],
        parties: [],
        signatories: [],
      }),
      none: searchTextOf({
        reference: 'X-4',
        title: 'Lithium',
        objectives: [],
        parties: [],
        signatories: [],
      }),
    };
    const rank = (q: string) =>
      Object.entries(agreements)
        .map(([name, text]) => [name, searchRank(text, searchQueryOf(q))] as const)
        .filter(([, score]) => score > 0)
        .sort((a, b) => b[1] - a[1])
        .map(([name]) => name);
    expect(rank('tr-ne-2026')).toEqual(['exact']);
    expect(rank('niger turkiye')).toEqual(['bothInTitle', 'oneInTitle', 'oneInPlace']);
    // A whole word over the start of one, in the same field.
    const whole = searchTextOf({
      reference: 'A-1',
      title: 'Mining',
      objectives: [],
      parties: [],
      signatories: [],
    });
    const prefix = searchTextOf({
      reference: 'A-2',
      title: 'Miningwise',
      objectives: [],
      parties: [],
      signatories: [],
    });
    expect(searchRank(whole, searchQueryOf('mining'))).toBeGreaterThan(
      searchRank(prefix, searchQueryOf('mining')),
    );
  });

  it('filters on word starts of every field, and a query of no words matches nothing', () => {
    expect(searchFilter(searchQueryOf('Türkiye'))).toEqual({
      $or: [
        { 'search.reference': { $regex: ' turkiye' } },
        { 'search.title': { $regex: ' turkiye' } },
        { 'search.other': { $regex: ' turkiye' } },
      ],
    });
    expect(searchQueryOf('(.*)')).toEqual({ terms: [], phrase: '' });
    expect(searchFilter(searchQueryOf('(.*)'))).toEqual({ _id: { $in: [] } });
    expect(searchRank(trUz, searchQueryOf('(.*)'))).toBe(0);
  });
});
