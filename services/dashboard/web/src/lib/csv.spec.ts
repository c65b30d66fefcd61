import { csvCell, toCsv } from './csv';

describe('csvCell', () => {
  it.each([
    ['plain text as it is', 'TR-UZ-2026-MINING', 'TR-UZ-2026-MINING'],
    ['non-ASCII text as it is', 'Republic of Türkiye', 'Republic of Türkiye'],
    ['a comma inside quotes', 'Ankara, Türkiye', '"Ankara, Türkiye"'],
    ['quotes doubled, inside quotes', 'The "FORGE" partnership', '"The ""FORGE"" partnership"'],
    [
      'a line break inside quotes',
      'information sharing\nresearch and development',
      '"information sharing\nresearch and development"',
    ],
    ['a CRLF inside quotes', 'line one\r\nline two', '"line one\r\nline two"'],
    ['an ISO date as it is', '2026-01-29', '2026-01-29'],
  ])('given %s, it writes it', (_, value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  // Titles come from other people: a spreadsheet must not run them as formulas (OWASP CSV injection).
  it.each([
    ['=', '=HYPERLINK("https://evil.example","click")', `"'=HYPERLINK(""https://evil.example"",""click"")"`],
    ['+', '+1 more', "'+1 more"],
    ['-', '-2+3', "'-2+3"],
    ['@', '@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['a tab', '\t=1+1', "'\t=1+1"],
    ['a carriage return', '\r=1+1', `"'\r=1+1"`],
  ])('given text starting with %s, it prefixes an apostrophe', (_, value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it('leaves a formula character that is not at the start alone', () => {
    expect(csvCell('Target: 2 = 1 + 1')).toBe('Target: 2 = 1 + 1');
  });

  // Numbers are data: a negative count or slip must stay a number a spreadsheet can add up.
  it.each([
    [-10, '-10'],
    [-0.5, '-0.5'],
    [0, '0'],
    [92, '92'],
  ])('given the number %p, it writes %p unguarded', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it.each([
    [true, 'true'],
    [false, 'false'],
    [null, ''],
    [undefined, ''],
  ])('given %p, it writes %p', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });
});

describe('toCsv', () => {
  it('starts with a byte-order mark so spreadsheets read UTF-8 (Türkiye, not TÃ¼rkiye)', () => {
    const csv = toCsv(['party'], [['Türkiye']]);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect([...new TextEncoder().encode(csv).slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it('writes the header and one CRLF-terminated record per row, commas between cells', () => {
    const csv = toCsv(
      ['reference', 'place', 'slip days', 'signed on'],
      [
        ['TR-UZ-2026-MINING', 'Ankara, Türkiye', 92, '2026-01-29'],
        ['TR-NE-MINING', 'Istanbul, Türkiye', -10, null],
      ],
    );
    expect(csv).toBe(
      '\uFEFF' +
        'reference,place,slip days,signed on\r\n' +
        'TR-UZ-2026-MINING,"Ankara, Türkiye",92,2026-01-29\r\n' +
        'TR-NE-MINING,"Istanbul, Türkiye",-10,\r\n',
    );
  });

  it('keeps a quoted line break inside its record', () => {
    const csv = toCsv(['objectives'], [['information sharing\nresearch and development']]);
    // Record separators are CRLF only; the LF inside the quoted cell is part of the cell.
    expect(csv.slice(1).split('\r\n')).toEqual([
      'objectives',
      '"information sharing\nresearch and development"',
      '',
    ]);
  });

  it('writes the header alone when there are no rows', () => {
    expect(toCsv(['reference', 'title'], [])).toBe('\uFEFFreference,title\r\n');
  });
});
