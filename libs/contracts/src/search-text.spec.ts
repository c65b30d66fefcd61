import { foldForSearch, searchTokens } from './search-text';

describe('text folded for search', () => {
  it.each([
    ['Türkiye', 'turkiye'],
    ['TÜRKİYE', 'turkiye'], // capital dotted İ
    ['Bayraktar, Alparslan', 'bayraktar, alparslan'],
    ['Kırşehir', 'kirsehir'], // dotless ı, ş
    ['Doğan', 'dogan'],
    ['Çağrı', 'cagri'],
    ['São Tomé', 'sao tome'],
    ['Łódź', 'lodz'],
    ['Straße', 'strasse'],
    ['Ørsted', 'orsted'],
    ['ﬁnancing', 'financing'], // a compatibility ligature
    ['Ｔａｓｈｋｅｎｔ', 'tashkent'], // full-width letters
    ['TR-UZ-2026', 'tr-uz-2026'],
  ])('%s -> %s', (text, folded) => {
    expect(foldForSearch(text)).toBe(folded);
  });

  it('splits into words at anything but letters and digits', () => {
    expect(searchTokens('TR-UZ-2026-MINING')).toEqual(['tr', 'uz', '2026', 'mining']);
    expect(searchTokens('  Ankara, Türkiye (29 January) ')).toEqual(['ankara', 'turkiye', '29', 'january']);
    expect(searchTokens('— ,; ')).toEqual([]);
  });
});
