/**
 * Turns free text into a safe FTS5 MATCH expression. The text is split into words (letters and
 * digits only), stop words and one-letter words are dropped, each remaining word is put in
 * double quotes (so FTS5 operators such as NEAR, AND, NOT, `*`, `-`, `^`, `:` and parentheses in
 * the text are just words or nothing) and the words are OR-ed; the last one also matches as a
 * prefix, for a query typed incompletely. Raw user text never reaches MATCH.
 */
import { STOP_WORDS } from './stopwords.ts';

export interface MatchQuery {
  /** The FTS5 expression, e.g. `"ledger" OR "failover"*`. */
  readonly match: string;
  /** The words searched for, in query order. */
  readonly terms: readonly string[];
}

/** Words kept from one query: enough for any real question, bounded for a 10 KB paste. */
export const MAX_QUERY_TERMS = 32;

const WORD = /[\p{L}\p{N}]+/gu;

export function queryTerms(text: string): string[] {
  const terms: string[] = [];
  for (const [word] of text.normalize('NFKC').toLowerCase().matchAll(WORD)) {
    if (word.length < 2 || STOP_WORDS.has(word) || terms.includes(word)) continue;
    terms.push(word);
    if (terms.length === MAX_QUERY_TERMS) break;
  }
  return terms;
}

/** The MATCH expression for `text`, or undefined when it has no searchable word. */
export function buildMatchQuery(text: string): MatchQuery | undefined {
  const terms = queryTerms(text);
  if (terms.length === 0) return undefined;
  const quoted = terms.map((term, i) => {
    const prefix = i === terms.length - 1 && term.length >= 3;
    return `"${term}"${prefix ? '*' : ''}`;
  });
  return { match: quoted.join(' OR '), terms };
}
