/**
 * Word ranking (the tool index) combined with an embedding model's similarity, when one is
 * configured. Tool vectors are computed in the background, once per tool definition (kept across
 * catalog changes), never while a caller waits: until every tool a search ranks has its vector, and
 * whenever the model fails or is slow, a search is ranked by words alone — a search always answers,
 * and waits for the model 2 s at most (after such a timeout, not at all for 30 s).
 *
 * Both signals are brought to 0–1 before they are mixed: word scores relative to the best one,
 * similarities between the lowest and highest among the tools ranked. `weight` is the similarity's
 * share.
 */
import type { Embedder } from './embedder.ts';
import { schemaText } from './schema-text.ts';
import { toolNameWords } from './terms.ts';
import type { SearchableTool, ToolHit, ToolIndex } from './tool-index.ts';

/** How long a search waits for its question's vector before it answers by words alone. */
const QUERY_DEADLINE_MS = 2_000;
/**
 * After the model let a question's vector time out, searches go by words alone this long (a slow
 * model must not slow every search down); after a failed batch of tool vectors, no new batch is
 * sent this long either.
 */
const PAUSE_AFTER_FAILURE_MS = 30_000;
/** At most this many characters of a tool are embedded. */
const MAX_TOOL_TEXT = 2_000;
/** Tool vectors kept (by text); past this the oldest are dropped. */
const MAX_VECTORS = 20_000;

/** What is embedded of a tool: its name as words, its description, its parameters. */
export function toolText(tool: SearchableTool): string {
  const schema = schemaText(tool.inputSchema);
  const parts = [
    toolNameWords(tool.name).join(' '),
    tool.title ?? '',
    tool.description ?? '',
    ...schema.names,
    ...schema.descriptions,
  ];
  return parts
    .filter((part) => part !== '')
    .join('\n')
    .slice(0, MAX_TOOL_TEXT);
}

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

export interface HybridRankingOptions {
  embedder: Embedder;
  /** The similarity's share of the combined score, 0–1. */
  weight: number;
  /** Told when the model failed (the search was answered by words alone). */
  onFailure?: (error: unknown) => void;
}

export class HybridRanking {
  private readonly embedder: Embedder;
  private readonly weight: number;
  private readonly onFailure: (error: unknown) => void;
  private readonly vectors = new Map<string, number[]>();
  /** Texts being embedded now: a background batch is not started twice for the same text. */
  private readonly pending = new Set<string>();
  /** Until then, questions are not sent to the model (it let one time out). */
  private queriesPausedUntil = 0;
  /** Until then, no batch of tool vectors is sent (one failed). */
  private batchesPausedUntil = 0;

  constructor(options: HybridRankingOptions) {
    this.embedder = options.embedder;
    this.weight = options.weight;
    this.onFailure = options.onFailure ?? (() => {});
  }

  /**
   * The best `limit` of `tools` for `query`: by words (from `index`, built over exactly `tools`),
   * mixed with the similarity once every tool has its vector.
   */
  async search(
    index: ToolIndex,
    tools: readonly SearchableTool[],
    query: string,
    limit: number,
    signal?: AbortSignal,
  ): Promise<ToolHit[]> {
    const lexical = index.search(query, tools.length);
    const texts = tools.map(toolText);
    const vectors = texts.map((text) => this.vectors.get(text));
    if (vectors.some((v) => v === undefined)) {
      this.embedInBackground(texts.filter((text) => !this.vectors.has(text)));
      return lexical.slice(0, limit);
    }
    const queryVector = await this.queryVector(query, signal);
    if (queryVector === undefined) return lexical.slice(0, limit);
    return this.mix(tools, vectors as number[][], queryVector, lexical).slice(0, limit);
  }

  /** The question's vector, or undefined when the model failed, was too slow, or is paused. */
  private async queryVector(query: string, signal?: AbortSignal): Promise<number[] | undefined> {
    if (Date.now() < this.queriesPausedUntil) return undefined;
    const deadline = AbortSignal.timeout(QUERY_DEADLINE_MS);
    try {
      const [vector] = await this.embedder.embed([query], {
        signal: signal === undefined ? deadline : AbortSignal.any([signal, deadline]),
      });
      return vector;
    } catch (error) {
      if (deadline.aborted) this.queriesPausedUntil = Date.now() + PAUSE_AFTER_FAILURE_MS;
      this.onFailure(error);
      return undefined;
    }
  }

  private mix(
    tools: readonly SearchableTool[],
    vectors: readonly number[][],
    queryVector: readonly number[],
    lexical: readonly ToolHit[],
  ): ToolHit[] {
    const best = lexical[0]?.score ?? 0;
    const words = new Map(lexical.map((hit) => [hit.name, best > 0 ? hit.score / best : 0]));
    const similarity = vectors.map((v) => cosine(v, queryVector));
    const low = Math.min(...similarity);
    const span = Math.max(...similarity) - low;
    return tools
      .map((tool, i) => {
        const near = span > 0 ? ((similarity[i] ?? low) - low) / span : 0;
        const score = (1 - this.weight) * (words.get(tool.name) ?? 0) + this.weight * near;
        return { name: tool.name, score };
      })
      .filter((hit) => hit.score > 0)
      .sort((a, b) => b.score - a.score);
  }

  private embedInBackground(texts: readonly string[]): void {
    const fresh = [...new Set(texts)].filter((text) => !this.pending.has(text));
    if (fresh.length === 0 || Date.now() < this.batchesPausedUntil) return;
    for (const text of fresh) this.pending.add(text);
    void this.embedder
      .embed(fresh, { retries: 2 })
      .then((vectors) => {
        fresh.forEach((text, i) => {
          const vector = vectors[i];
          if (vector !== undefined) this.vectors.set(text, vector);
        });
        this.trim();
      })
      .catch((error: unknown) => {
        this.batchesPausedUntil = Date.now() + PAUSE_AFTER_FAILURE_MS;
        this.onFailure(error);
      })
      .finally(() => {
        for (const text of fresh) this.pending.delete(text);
      });
  }

  private trim(): void {
    for (const key of this.vectors.keys()) {
      if (this.vectors.size <= MAX_VECTORS) return;
      this.vectors.delete(key);
    }
  }
}
