/**
 * Passage search over the index. BM25 (FTS5, weighted title / heading path / text) always; when
 * an embedding provider is configured, the query is embedded too, the nearest passages by cosine
 * similarity are fused with the BM25 list by reciprocal rank fusion, and a provider that fails
 * degrades the answer to BM25 with a note instead of failing it. The final list is diversified
 * across documents and every passage carries its citation (document path and line range).
 */
import type { EmbeddingsClient } from '../connectors/embeddings.ts';
import type { DocumentKind, KnowledgeStore, PassageRow } from '../store/knowledge-store.ts';
import { buildMatchQuery } from './query.ts';
import { diversify, reciprocalRankFusion } from './rank.ts';

export interface SearchRequest {
  query: string;
  limit: number;
  kind?: DocumentKind | undefined;
}

export interface PassageResult {
  document: string;
  title: string;
  kind: DocumentKind;
  heading: string;
  lines: string;
  score: number;
  snippet: string;
}

export interface SearchAnswer {
  mode: 'bm25' | 'hybrid';
  note?: string;
  results: PassageResult[];
}

/** The query has nothing to search for; the tool turns it into a ToolError. */
export class QueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryError';
  }
}

interface Ranked extends PassageRow {
  score: number;
  snippet: string;
}

const SNIPPET_WORDS = 30;

/** How long a search waits for the query's embedding before answering from BM25 alone. */
export const QUERY_EMBEDDING_TIMEOUT_MS = 3_000;

function compact(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The opening words of a passage, for hits that BM25 did not highlight. */
function leadingSnippet(text: string): string {
  const words = compact(text).split(' ');
  return words.length > SNIPPET_WORDS ? `${words.slice(0, SNIPPET_WORDS).join(' ')} …` : words.join(' ');
}

function candidatesFor(limit: number): number {
  return Math.max(50, limit * 10);
}

function toResult(row: Ranked, digits: number): PassageResult {
  return {
    document: row.path,
    title: row.title,
    kind: row.kind,
    heading: row.heading,
    lines: `L${row.startLine}-L${row.endLine}`,
    score: Number(row.score.toFixed(digits)),
    snippet: compact(row.snippet),
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function searchPassages(
  store: KnowledgeStore,
  request: SearchRequest,
  embedder?: EmbeddingsClient,
  signal?: AbortSignal,
): Promise<SearchAnswer> {
  const match = buildMatchQuery(request.query);
  if (!match) {
    throw new QueryError(
      'The query has no searchable words (only punctuation, one-letter words or common words such as "how", "the", "what"). Search with the key terms of the topic, e.g. "ledger-db failover" or "idempotency keys".',
    );
  }
  const pool = candidatesFor(request.limit);
  const bm25 = store.bm25(match.match, request.kind, pool);
  const lexical = (): SearchAnswer & { ranked: Ranked[] } => ({ mode: 'bm25', results: [], ranked: bm25 });

  let outcome: SearchAnswer & { ranked: Ranked[] } = lexical();
  if (embedder) {
    const deadline = AbortSignal.timeout(QUERY_EMBEDDING_TIMEOUT_MS);
    try {
      const [queryVector] = await embedder.embed(
        [request.query],
        signal ? AbortSignal.any([signal, deadline]) : deadline,
      );
      const nearest = queryVector ? store.nearest(queryVector, request.kind, pool) : [];
      if (nearest.length === 0) {
        outcome = { ...lexical(), note: 'no passage has an embedding yet; results are BM25 only' };
      } else {
        const fused = reciprocalRankFusion([bm25.map((h) => h.id), nearest.map((n) => n.id)]);
        const byId = new Map<number, Ranked>(bm25.map((h) => [h.id, h]));
        const rows = store.passagesByIds(fused.filter((f) => !byId.has(f.id)).map((f) => f.id));
        const ranked = fused.flatMap((f): Ranked[] => {
          const row = byId.get(f.id) ?? rows.get(f.id);
          if (!row) return [];
          const snippet = 'snippet' in row ? (row as Ranked).snippet : leadingSnippet(row.text);
          return [{ ...row, snippet, score: f.score }];
        });
        outcome = { mode: 'hybrid', results: [], ranked };
      }
    } catch (error) {
      signal?.throwIfAborted();
      const reason = deadline.aborted
        ? `the embedding provider gave no answer within ${QUERY_EMBEDDING_TIMEOUT_MS} ms`
        : errorText(error);
      outcome = { ...lexical(), note: `vector search unavailable (${reason}); results are BM25 only` };
    }
  }
  const { ranked, ...answer } = outcome;
  const digits = answer.mode === 'hybrid' ? 5 : 3;
  return { ...answer, results: diversify(ranked, request.limit).map((row) => toResult(row, digits)) };
}
