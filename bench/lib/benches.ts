/**
 * The benchmarks `bench/run-all.ts` knows, in the order it runs them: the issue's measurements
 * first (overhead, catalog scale, sessions, audit, tokens), then the domain servers' own. Each is
 * `node bench/<name>.ts [--smoke] --json <file>`; its full settings are its defaults.
 */

export interface BenchDefinition {
  /** The run's name and the prefix of its charts; the script is `bench/<name>.ts` unless `script` says otherwise. */
  name: string;
  /** Another script's base name, run with `args` (e.g. the overhead bench's soak mode). */
  script?: string;
  /** Extra arguments of the full run. */
  args?: readonly string[];
  /** Arguments of a smoke run instead of `--smoke`. */
  smokeArgs?: readonly string[];
  /** One line for the overview table: what it measures. */
  description: string;
}

export const BENCHES: readonly BenchDefinition[] = [
  {
    name: 'overhead',
    description:
      'tools/call direct vs through Gatehouse (full pipeline) vs mcp-proxy and supergateway: calls/s, p50/p99, CPU per 1,000 calls',
  },
  {
    name: 'soak',
    script: 'overhead',
    args: ['--soak-seconds', '300'],
    smokeArgs: ['--soak-seconds', '3', '--soak-concurrency', '8'],
    description:
      'stateless 2026-07-28 tools/call through Gatehouse at concurrency 64 for 5 minutes: throughput and gateway memory over time',
  },
  {
    name: 'catalog-scale',
    description:
      '1,000 tools across 20 upstreams: tools/list latency and bytes per role vs the upstreams listed directly',
  },
  {
    name: 'sessions',
    description: 'memory per idle 2025-era session; authentication cost per call with 10,000 principals',
  },
  {
    name: 'audit-throughput',
    description:
      'sustained audit events/s on SQLite (and PostgreSQL when configured), written = acknowledged',
  },
  {
    name: 'console-audit',
    description:
      "the console's audit page over 1,000,000 audit records: time to first byte and full response, no filter and typical filters (who, tool, status, time range, text)",
  },
  {
    name: 'scale-out',
    description:
      'tools/call calls/s and gateway CPU per call with 1, 2 and 3 replicas behind nginx, and one gateway on the embedded default vs PostgreSQL + Redis (the cost of shared state), both eras',
  },
  { name: 'role-tokens', description: 'tools/list tokens per demo role vs the unfiltered catalog' },
  {
    name: 'customer-tokens',
    description: 'tokens of the shaped customer profile vs the raw CRM, support and billing answers it joins',
  },
  {
    name: 'access-overhead',
    description: 'tools/call direct vs gateway with authentication, policy and audit off vs on, both eras',
  },
  {
    name: 'isolation',
    description: "a healthy upstream's throughput and latency next to a hung or flapping neighbour",
  },
  {
    name: 'knowledge-recall',
    description: 'recall@1/@5 and MRR of search_docs on the held-out question set',
  },
  {
    name: 'tool-search',
    description:
      'tool search over 287 tools of 17 npm and 5 demo MCP servers: top-5 recall and MRR, search-mode tools/list tokens, search_tools p50/p99 at 1,000 tools, tokens per turn vs the full list',
  },
  {
    name: 'dual-architecture',
    description:
      "Lantern's external (stdio server → REST API) and internal (component servers → database) MCP paths on the same questions: latency, tool calls, tokens per answer, which tools each path shows to whom, and the seed's comparison table observed",
  },
  {
    name: 'wallet-transfers',
    description: 'wallet transfers/s with retried idempotency keys, books checked after every run',
  },
];

/** The arguments a benchmark is run with. */
export function benchArgs(name: string, smoke: boolean, jsonFile: string): string[] {
  const bench = BENCHES.find((b) => b.name === name);
  const script = bench?.script ?? name;
  const extra = smoke ? [...(bench?.smokeArgs ?? ['--smoke'])] : [...(bench?.args ?? [])];
  return [`bench/${script}.ts`, ...extra, '--json', jsonFile];
}
