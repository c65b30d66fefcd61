import { countryName, formatDate, formatInstant, precisionLabel, signedDays, words } from './format';

describe('formatDate', () => {
  // A date is never shown more precisely than the source gives it (seed data: TR-UZ signed 2026-01-29, day precision).
  it.each([
    ['a day-precision date', '2026-01-29', 'day', '29 Jan 2026'],
    ['a month-precision date', '2026-01', 'month', 'Jan 2026'],
    ['a full date known only to the month', '2026-01-29', 'month', 'Jan 2026'],
    ['a year-precision date', '2026', 'year', '2026'],
    ['a full date known only to the year', '2026-02-04', 'year', '2026'],
    ['a date of unknown precision', '2026-02-04', 'unknown', 'unknown'],
    ['a month given where a day was expected', '2026-12', 'day', 'Dec 2026'],
    ['an instant (its calendar day)', '2026-09-30T23:00:00.000Z', 'day', '30 Sep 2026'],
  ] as const)('given %s (%p, %p), it reads %p', (_, date, precision, expected) => {
    expect(formatDate(date, precision)).toBe(expected);
  });

  it.each([null, undefined, ''])('given no date (%p), it says unknown', (date) => {
    expect(formatDate(date)).toBe('unknown');
  });

  it('defaults to day precision', () => {
    expect(formatDate('2027-06-30')).toBe('30 Jun 2027');
  });
});

describe('formatInstant', () => {
  it('writes a record time as its UTC day and minute', () => {
    expect(formatInstant('2026-02-04T15:42:10.123Z')).toBe('4 Feb 2026 15:42 UTC');
  });

  it.each([null, undefined, ''])('given no instant (%p), it writes nothing', (iso) => {
    expect(formatInstant(iso)).toBe('');
  });
});

describe('precisionLabel', () => {
  it.each([
    ['day', 'exact day'],
    ['month', 'month known'],
    ['year', 'year known'],
    ['unknown', 'date unknown'],
  ] as const)('given %p, it says %p', (precision, expected) => {
    expect(precisionLabel(precision)).toBe(expected);
  });
});

describe('words', () => {
  it.each([
    ['inImplementation', 'in implementation'],
    ['partiallyMet', 'partially met'],
    ['geological_survey', 'geological survey'],
    ['rare-earth-elements', 'rare earth elements'],
    ['metOnTime', 'met on time'],
    ['copper', 'copper'],
  ])('given the code %p, it reads %p', (code, expected) => {
    expect(words(code)).toBe(expected);
  });
});

describe('signedDays', () => {
  // The sign tells a slip (later) from a date brought forward; the minus is U+2212, as typeset.
  it.each([
    [92, '+92 days'],
    [1, '+1 day'],
    [-1, '\u22121 day'],
    [-10, '\u221210 days'],
  ])('given %p, it writes %p', (days, expected) => {
    expect(signedDays(days)).toBe(expected);
  });
});

describe('countryName', () => {
  it.each([
    ['TR', 'Türkiye'],
    ['UZ', 'Uzbekistan'],
    ['NE', 'Niger'],
    ['US', 'United States'],
    ['cn', 'China'], // codes typed in lower case are still codes
  ])('given %p, it names %p', (code, expected) => {
    expect(countryName(code)).toBe(expected);
  });

  it('leaves something that is no country code as it is', () => {
    expect(countryName('European Commission')).toBe('European Commission');
  });
});
