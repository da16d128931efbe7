/**
 * Tool search for large catalogs (issue 16): how well and how fast the gateway finds the tool a
 * question needs, and what search mode saves a model per turn.
 *
 * The catalog: seventeen real MCP servers from the npm registry (bench/lib/tool-search-servers.ts,
 * exact versions in bench/tool-search/servers/), installed by this script into a cache directory,
 * and the five demo domain servers, all stdio upstreams of one `gatehouse serve`; the catalog is
 * read through the gateway and must equal the committed snapshot (bench/tool-search/catalog.json),
 * or the run fails naming the server whose tool list changed under its pinned version. Padding
 * upstreams (bench/upstream/many-tools-server.ts) bring the gateway to 1,000 tools for latency.
 *
 * Measured:
 *   quality     top-1 / top-5 recall and MRR (over the top 5) of bench/tool-search/queries.json,
 *               index-only (buildToolIndex over the snapshot) and end to end (search_tools
 *               through the gateway for the search-mode role); index-only also with the padding
 *               as distractors (1,000 tools)
 *   tokens      the search-mode role's initial tools/list (o200k_base, compact JSON)
 *   latency     search_tools p50/p99 at 1,000 tools: the index alone (search()) and end to end
 *               (tools/call search_tools over Streamable HTTP, 2026-07-28 era)
 *   per turn    tokens a host sends per turn for one scripted 5-question conversation, with the
 *               full list and in search mode (bench/lib/tool-search-conversation.ts)
 *
 *   with a model  the same queries ranked by words alone, by a real embedding model's vectors
 *               alone and by both (HybridRanking at the gateway's default weight), through the
 *               gateway's own OpenAI-compatible client against a loopback server of Google's
 *               Universal Sentence Encoder lite (bench/lib/tool-search-embedding.ts); its latency
 *
 *   node bench/tool-search.ts [--rounds 20] [--cache DIR] [--json FILE] [--embedder use|none]
 *   node bench/tool-search.ts --smoke          (30 queries, 2 latency rounds, no embedder)
 *   node bench/tool-search.ts --index-only     (no servers: the index over the committed snapshot)
 *   node bench/tool-search.ts --write-catalog  (list the catalog and rewrite the snapshot)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildToolIndex, type SearchableTool } from '../packages/tool-search/src/tool-index.ts';
import { positiveInt } from './lib/figures.ts';
import { commandLine, type ResultTable, writeResult } from './lib/results.ts';
import { printResult } from './lib/scale-harness.ts';
import { readQueries, readSnapshot, type SnapshotTool, type ToolQuery } from './lib/tool-search-catalog.ts';
import {
  type EmbeddingFigures,
  embedderCache,
  embeddingLatencyTable,
  embeddingQualityTable,
  measureWithEmbeddings,
} from './lib/tool-search-embedding.ts';
import { latency, type QueryOutcome, quality, rankQueries, TOP_K } from './lib/tool-search-measure.ts';
import { type IndexFigures, report } from './lib/tool-search-report.ts';
import { measureThroughGateway } from './lib/tool-search-run.ts';
import { DEFAULT_CACHE } from './lib/tool-search-servers.ts';
import { padUpstreams } from './lib/tool-search-setup.ts';
import { toolDefinitions } from './upstream/many-tools-server.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const CATALOG_SIZE = 1_000;

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '20' },
    cache: { type: 'string', default: DEFAULT_CACHE },
    json: { type: 'string' },
    smoke: { type: 'boolean', default: false },
    'index-only': { type: 'boolean', default: false },
    'write-catalog': { type: 'boolean', default: false },
    embedder: { type: 'string' },
  },
});
if (values.embedder !== undefined && !['use', 'none'].includes(values.embedder))
  throw new Error(`--embedder: expected use or none, got ${values.embedder}`);
/** Measure with the embedding model: asked for, or by default on every run but a smoke run. */
const embedder = values.embedder ?? (values.smoke ? 'none' : 'use');
const rounds = values.smoke ? 2 : positiveInt(String(values.rounds), 'rounds');

/** The padding's definitions, as the many-tools upstreams list them. */
function paddingTools(realCount: number): SearchableTool[] {
  return padUpstreams(CATALOG_SIZE - realCount).flatMap(({ name, tools }) => toolDefinitions(name, tools));
}

/**
 * The query set in two fixed halves, so ranking can be tuned on one and judged on the other: a
 * question is "dev" when the FNV-1a hash of its text is even, "held-out" when odd (stable across
 * runs and independent of the order of queries.json). Tune on dev only; read held-out to report.
 */
export function querySplit(query: string): 'dev' | 'held-out' {
  let hash = 0x811c9dc5;
  for (let i = 0; i < query.length; i++) hash = Math.imul(hash ^ query.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % 2 === 0 ? 'dev' : 'held-out';
}

/** Index-only quality per half of the query set (see querySplit). */
function splitTable(outcomes: readonly QueryOutcome[]): ResultTable {
  const f3 = (x: number) => x.toFixed(3);
  const rows = (['dev', 'held-out'] as const).map((half) => {
    const q = quality(outcomes.filter((o) => querySplit(o.query.query) === half));
    return [half, f3(q.at1), `${f3(q.at5)} (${Math.round(q.at5 * q.n)}/${q.n})`, f3(q.mrr)];
  });
  return {
    title: 'Index-only quality, dev and held-out halves of the queries',
    columns: ['half', 'recall@1', 'recall@5', 'MRR@5'],
    rows,
    caption:
      'Halves by the parity of an FNV-1a hash of the question. Ranking changes are tuned on dev only; held-out is read only to report.',
  };
}

/** Quality and latency of the index alone, over the snapshot (and the snapshot padded to 1,000). */
async function indexFigures(
  tools: readonly SnapshotTool[],
  queries: readonly ToolQuery[],
): Promise<IndexFigures> {
  let started = performance.now();
  const index = buildToolIndex(tools);
  const buildMs = performance.now() - started;
  const outcomes = await rankQueries(queries, (q) => index.search(q, TOP_K).map((h) => h.name));
  started = performance.now();
  const padded = buildToolIndex([...tools, ...paddingTools(tools.length)]);
  const buildPaddedMs = performance.now() - started;
  const paddedOutcomes = await rankQueries(queries, (q) => padded.search(q, TOP_K).map((h) => h.name));
  const timing = await latency(
    queries.map((q) => q.query),
    rounds,
    (q) => padded.search(q, TOP_K),
  );
  return {
    tools: tools.length,
    padded: padded.size,
    buildMs,
    buildPaddedMs,
    outcomes,
    quality: quality(outcomes),
    paddedQuality: quality(paddedOutcomes),
    latency: timing,
  };
}

/**
 * The three rankings with the Universal Sentence Encoder, or why they were skipped (not asked
 * for, or the model could not be installed or started when it was not asked for explicitly).
 */
async function embeddingFigures(
  tools: readonly SnapshotTool[],
  queries: readonly ToolQuery[],
): Promise<EmbeddingFigures | string> {
  if (embedder === 'none')
    return `skipped: ${values.smoke ? 'a smoke run' : '--embedder none'} (run with --embedder use to measure it)`;
  try {
    const cache = embedderCache(String(values.cache));
    return await measureWithEmbeddings({ tools, queries, cache, log: (line) => console.log(line) });
  } catch (error) {
    if (values.embedder === 'use') throw error;
    return `skipped: the model could not be installed or run (${(error as Error).message.split('\n')[0]})`;
  }
}

async function main(): Promise<number> {
  const startedAt = new Date();
  process.chdir(ROOT);
  const snapshot = readSnapshot();
  const allQueries = readQueries();
  const queries = values.smoke ? allQueries.filter((_, i) => i % 7 === 0).slice(0, 30) : allQueries;
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-tool-search-'));
  try {
    const gateway = values['index-only']
      ? undefined
      : await measureThroughGateway({
          dir,
          cache: String(values.cache),
          snapshot,
          queries,
          allQueries,
          rounds,
          padTools: CATALOG_SIZE - snapshot.tools.length,
          writeCatalog: values['write-catalog'],
          log: (line) => console.log(line),
        });
    if (values['write-catalog']) return 0;
    const index = await indexFigures(readSnapshot().tools, queries);
    const embedding = await embeddingFigures(readSnapshot().tools, queries);
    const result = report({
      startedAt,
      command: commandLine(),
      snapshot,
      queries: queries.length,
      allQueries: allQueries.length,
      rounds,
      index,
      gateway,
    });
    result.tables.splice(2, 0, splitTable(index.outcomes));
    if (typeof embedding === 'string') {
      console.log(`embedding model (Universal Sentence Encoder lite): ${embedding}`);
      result.notes.push(`Embedding model (Universal Sentence Encoder lite): ${embedding}.`);
    } else {
      const tables = [
        embeddingQualityTable(embedding, querySplit),
        embeddingLatencyTable(embedding, snapshot.tools.length),
      ];
      result.tables.splice(3, 0, ...tables);
    }
    printResult(result);
    writeResult(values.json, result);
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
