/**
 * The text search of GET /agreements?q=: which fields it covers, how a query matches and how matches are ranked.
 * Both sides are folded the same way (`foldForSearch`: case and accents), so "turkiye" finds Türkiye and "ankara"
 * finds the place "Ankara". The folded words are stored on the view when it is written (`search`), so a query
 * never folds stored text: it is one filter with word-prefix patterns, then the ranking of what matched.
 */
import { searchTokens, type AgreementDetails } from '@tracker/contracts';

/** The fields search covers, said once for the OpenAPI and the README. */
export const SEARCHED_FIELDS =
  'reference, title, place, context, objectives, party names and signatory names';

/** Each field group as a space-led list of folded words (" tr uz 2026 mining"): " uz" is then a word prefix. */
export interface AgreementSearchText {
  reference: string;
  title: string;
  /** Place, context, objectives, party names (and organisations) and signatory names. */
  other: string;
}

type Searched = Pick<
  AgreementDetails,
  'reference' | 'title' | 'place' | 'context' | 'objectives' | 'parties' | 'signatories'
>;

const words = (...texts: Array<string | undefined>) =>
  ` ${texts.flatMap((t) => (t ? searchTokens(t) : [])).join(' ')}`;

export function searchTextOf(agreement: Searched): AgreementSearchText {
  return {
    reference: words(agreement.reference),
    title: words(agreement.title),
    other: words(
      agreement.place,
      agreement.context,
      ...agreement.objectives,
      ...agreement.parties.flatMap((p) => [p.name, p.organisation]),
      ...agreement.signatories.map((s) => s.name),
    ),
  };
}

/** A query's words: folded, distinct, at most ten (more add nothing a person means). */
export interface SearchQuery {
  terms: string[];
  /** The whole query folded into one reference-like string ("tr-uz-2026-mining" -> "tr uz 2026 mining"). */
  phrase: string;
}

export function searchQueryOf(q: string): SearchQuery {
  const tokens = searchTokens(q);
  return { terms: [...new Set(tokens)].slice(0, 10), phrase: tokens.join(' ') };
}

const FIELDS = ['reference', 'title', 'other'] as const;
/** How much a term found in each field counts: a reference word over a title word over any other. */
const WEIGHT = { reference: 3, title: 2, other: 1 } as const;

/**
 * The view filter: any term as the start of a word of any searched field. Terms hold letters and digits only
 * (they are words of the query), so a term can never act as a pattern. A query without words matches nothing.
 */
export function searchFilter(query: SearchQuery): Record<string, unknown> {
  if (query.terms.length === 0) return { _id: { $in: [] } };
  return {
    $or: query.terms.flatMap((term) =>
      FIELDS.map((field) => ({ [`search.${field}`]: { $regex: ` ${term}` } })),
    ),
  };
}

/**
 * How well an agreement matches, higher first, 0 for no match. In order: the whole query is the reference; more
 * of the query's terms found; where they were found (reference, title, other fields); whole words over prefixes.
 */
export function searchRank(text: AgreementSearchText, query: SearchQuery): number {
  if (query.terms.length === 0) return 0;
  const exact = text.reference === ` ${query.phrase}` ? 1 : 0;
  let matched = 0;
  let weight = 0;
  let whole = 0;
  for (const term of query.terms) {
    let best = 0;
    let wholeWord = false;
    for (const field of FIELDS) {
      const haystack = `${text[field]} `;
      if (!haystack.includes(` ${term}`)) continue;
      best = Math.max(best, WEIGHT[field]);
      wholeWord ||= haystack.includes(` ${term} `);
    }
    if (best === 0) continue;
    matched += 1;
    weight += best;
    if (wholeWord) whole += 1;
  }
  if (matched === 0) return 0;
  // Each part outweighs everything after it: at most 10 terms, weights at most 3 each.
  return exact * 1_000_000 + matched * 10_000 + weight * 100 + whole;
}
