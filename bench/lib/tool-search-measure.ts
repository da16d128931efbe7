/**
 * The measurements of bench/tool-search.ts: ranking quality of a query set (top-1/top-5 recall and
 * MRR over the top 5), the latency of searches, and the tokens a host sends per turn. Searching
 * is abstracted as a function from a query to ranked tool names, so the same scoring serves the
 * index on its own (buildToolIndex) and the gateway's `search_tools` meta-tool end to end.
 */
import type { Client, Tool } from '@modelcontextprotocol/client';
import { percentile } from './figures.ts';
import type { ToolQuery } from './tool-search-catalog.ts';

export const TOP_K = 5;

/** Ranked tool names for a query, best first. */
export type Searcher = (query: string) => Promise<string[]> | string[];

export interface QueryOutcome {
  query: ToolQuery;
  /** 1-based rank of the expected tool in the top TOP_K; undefined when it is not there. */
  rank: number | undefined;
  got: string[];
}

export interface Quality {
  n: number;
  at1: number;
  at5: number;
  mrr: number;
  misses: QueryOutcome[];
}

export async function rankQueries(queries: readonly ToolQuery[], search: Searcher): Promise<QueryOutcome[]> {
  const outcomes: QueryOutcome[] = [];
  for (const query of queries) {
    const got = (await search(query.query)).slice(0, TOP_K);
    const index = got.indexOf(query.tool);
    outcomes.push({ query, rank: index < 0 ? undefined : index + 1, got });
  }
  return outcomes;
}

export function quality(outcomes: readonly QueryOutcome[]): Quality {
  const n = outcomes.length;
  return {
    n,
    at1: outcomes.filter((o) => o.rank === 1).length / n,
    at5: outcomes.filter((o) => o.rank !== undefined).length / n,
    mrr: outcomes.reduce((sum, o) => sum + (o.rank ? 1 / o.rank : 0), 0) / n,
    misses: outcomes.filter((o) => o.rank === undefined),
  };
}

export interface Latency {
  p50: number;
  p99: number;
  samples: number;
}

/** Runs `once` over the queries `rounds` times (after one untimed warm-up pass): p50/p99 in ms. */
export async function latency(
  queries: readonly string[],
  rounds: number,
  once: (query: string) => unknown,
): Promise<Latency> {
  for (const q of queries) await once(q);
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const q of queries) {
      const started = performance.now();
      await once(q);
      samples.push(performance.now() - started);
    }
  }
  const sorted = Float64Array.from(samples).sort();
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), samples: samples.length };
}

/** The tool names of a search_tools result: structured `tools[]` when present, else the text's JSON. */
export function foundToolNames(result: Record<string, unknown>): string[] {
  const fromList = (list: unknown): string[] | undefined =>
    Array.isArray(list)
      ? list
          .map((t) => (t && typeof t === 'object' ? (t as { name?: unknown }).name : undefined))
          .filter((n): n is string => typeof n === 'string')
      : undefined;
  const structured = result.structuredContent as { tools?: unknown } | undefined;
  const names = fromList(structured?.tools);
  if (names) return names;
  const content = (result.content ?? []) as { type: string; text?: string }[];
  for (const block of content) {
    if (block.type !== 'text' || block.text === undefined) continue;
    try {
      const parsed = JSON.parse(block.text) as unknown;
      const list = fromList(Array.isArray(parsed) ? parsed : (parsed as { tools?: unknown }).tools);
      if (list) return list;
    } catch {
      // not JSON: try the next block
    }
  }
  throw new Error(
    `search_tools answered in a shape this benchmark cannot read: ${JSON.stringify(result).slice(0, 300)}`,
  );
}

/** `search_tools` through the gateway, as a model's call would be made. */
export async function callSearchTools(client: Client, query: string): Promise<Record<string, unknown>> {
  const result = (await client.request({
    method: 'tools/call',
    params: { name: 'search_tools', arguments: { query } },
  })) as Record<string, unknown>;
  if (result.isError === true)
    throw new Error(`search_tools failed for "${query}": ${JSON.stringify(result)}`);
  return result;
}

/** A tool as an OpenAI-compatible chat request carries it. */
export function asFunction(tool: Tool): Record<string, unknown> {
  return {
    type: 'function',
    function: { name: tool.name, description: tool.description ?? '', parameters: tool.inputSchema },
  };
}
