/**
 * The tool index: ranks a catalog's tools against a question in plain language with BM25+
 * (minisearch), over the tool's name split into words (and its title), its description, and the
 * names and descriptions of its parameters, a question's action verbs also finding the verbs of the
 * same operation (action-verbs.ts). No model, no download: built once per catalog change,
 * queried many times (well under a millisecond at a thousand tools, at the median).
 *
 * The index knows nothing of callers. The gateway builds one per role set over exactly the tools
 * that role set may see (policy/catalog-view.ts), so a hidden tool is never ranked, never returned,
 * and weighs in no score; `filter` narrows one search further.
 */
import MiniSearch, { type Query } from 'minisearch';
import { relatedActionVerbs } from './action-verbs.ts';
import { schemaText } from './schema-text.ts';
import { searchTerms, toolNameWords } from './terms.ts';

/** A tool as the index reads it: the fields of an MCP tool definition that describe what it does. */
export interface SearchableTool {
  name: string;
  /** The human-readable name (MCP `title`), ranked with the name when present. */
  title?: string;
  description?: string;
  inputSchema?: Record<string, unknown>;
}

/** One match: the tool's name and its relevance (higher is better; only the order is meaningful). */
export interface ToolHit {
  name: string;
  score: number;
}

export interface ToolSearchOptions {
  /** Only tools for which this answers true are ranked (the caller's view); all when absent. */
  filter?: (name: string) => boolean;
}

export interface ToolIndex {
  /** The number of tools indexed. */
  readonly size: number;
  /** The best `limit` tools for `query`, best first; empty for a query with no searchable word. */
  search(query: string, limit: number, options?: ToolSearchOptions): ToolHit[];
}

/**
 * How much a word counts by where it is found: a tool's name says most about what it does, its
 * description and parameter names next, its parameters' descriptions least. (Measured on 103
 * questions written from the purposes of 174 tools of 14 servers, 9 of them from npm: these beat 2/1/1/0.5 and
 * 3/1.5/1.5/0.75 slightly; stemming — an S-stemmer or Porter's — lowered top-1, so there is none.
 * Re-measured on the dev half of 349 questions over 287 tools of 22 servers: Porter stemming or
 * WordNet lemmatization on both sides, WordNet synonym/hypernym/derivation expansion of the
 * question or of the tools, a longer stop list, pseudo-relevance feedback and a penalty on words
 * shared by most tools of one server each lowered top-5 recall or left it within one question;
 * other field boosts and BM25 parameters moved it by one question at most.)
 */
const FIELD_BOOSTS = { name: 3, description: 1.5, params: 1, paramText: 0.5 } as const;

type Field = keyof typeof FIELD_BOOSTS;
const FIELDS = Object.keys(FIELD_BOOSTS) as Field[];

interface IndexedTool extends Record<Field, string> {
  id: number;
}

function indexedTool(tool: SearchableTool, id: number): IndexedTool {
  const schema = schemaText(tool.inputSchema);
  return {
    id,
    name: [...toolNameWords(tool.name), tool.title ?? ''].join(' '),
    description: tool.description ?? '',
    params: schema.names.join(' '),
    paramText: schema.descriptions.join(' '),
  };
}

/**
 * Prefix matching lets "calc" find "calculate" and "invoice" find "invoices"; fuzzy matching
 * forgives a typo in a longer word. Both are weighted below an exact match (minisearch's weights).
 */
const SEARCH_OPTIONS = {
  boost: FIELD_BOOSTS,
  combineWith: 'OR',
  prefix: (term: string) => term.length >= 3,
  fuzzy: (term: string) => (term.length >= 6 ? 0.2 : false),
  maxFuzzy: 2,
} as const;

/**
 * How much a verb brought in by the question's action verb (action-verbs.ts: "remove" brings
 * "delete") counts against the question's own words. Matched exactly: no prefix, no typo.
 * (Tuned on the benchmark's dev half only: 0.2–0.4 were equal, 0.7 lower at top-1.)
 */
const RELATED_VERB_WEIGHT = 0.3;

/** The question's terms as typed, OR the verbs related to its action verbs at a lower weight. */
function expandedQuery(terms: readonly string[], isIndexed: (term: string) => boolean): Query {
  const question = terms.join(' ');
  const verbs = relatedActionVerbs(terms, isIndexed);
  if (verbs.length === 0) return question;
  return {
    combineWith: 'OR',
    queries: [
      question,
      {
        queries: [verbs.join(' ')],
        prefix: false,
        fuzzy: false,
        boostTerm: () => RELATED_VERB_WEIGHT,
      },
    ],
  };
}

/** Index `tools` (names are expected unique; a later duplicate replaces nothing, it is ranked too). */
export function buildToolIndex(tools: readonly SearchableTool[]): ToolIndex {
  const names = tools.map((tool) => tool.name);
  const engine = new MiniSearch<IndexedTool>({
    fields: FIELDS,
    idField: 'id',
    tokenize: (text) => text.split(/\s+/),
    processTerm: (term) => term || null,
    searchOptions: SEARCH_OPTIONS,
  });
  // Text is reduced to terms here, once, so indexing and querying split words the same way.
  const vocabulary = new Set<string>();
  engine.addAll(
    tools.map((tool, id) => {
      const doc = indexedTool(tool, id);
      for (const field of FIELDS) {
        const terms = searchTerms(doc[field]);
        for (const term of terms) vocabulary.add(term);
        doc[field] = terms.join(' ');
      }
      return doc;
    }),
  );
  const isIndexed = (term: string) => vocabulary.has(term);
  return {
    size: tools.length,
    search(query, limit, options = {}) {
      const terms = searchTerms(query);
      if (terms.length === 0 || limit <= 0) return [];
      const { filter } = options;
      const results = engine.search(expandedQuery(terms, isIndexed), {
        ...(filter ? { filter: (result) => filter(names[result.id as number] ?? '') } : {}),
      });
      return results.slice(0, limit).map((result) => ({
        name: names[result.id as number] ?? '',
        score: result.score,
      }));
    },
  };
}
