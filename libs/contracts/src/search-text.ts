/**
 * Text as a search compares it: case- and accent-insensitive, so "turkiye" finds "Türkiye" and "TASHKENT" finds
 * "Tashkent". The same folding runs on the stored text and on the query, so both sides always agree.
 */

/** Letters that NFKD does not take apart into a base letter and marks (the Turkish dotless ı among them). */
const FOLDED: Record<string, string> = {
  ı: 'i',
  ł: 'l',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ħ: 'h',
  þ: 'th',
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
};
const UNFOLDED = new RegExp(`[${Object.keys(FOLDED).join('')}]`, 'gu');

/** Compatibility decomposition, combining marks dropped, lower case, the letters above folded. */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(UNFOLDED, (c) => FOLDED[c]);
}

/** The words of a text as search sees them: folded, split at anything that is not a letter or a digit. */
export function searchTokens(text: string): string[] {
  return foldForSearch(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0);
}
