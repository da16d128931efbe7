/**
 * The BenchResult of bench/tool-search.ts: the catalog, ranking quality (index-only and end to
 * end), the search-mode tools/list, search latency at 1,000 tools, tokens per turn, the targets of
 * issue 16 with PASS/FAIL, and the misses (question → expected vs got).
 */
import type { BenchResult, ResultTable, TargetCheck } from './results.ts';
import { type CatalogSnapshot, nameWordsUsed } from './tool-search-catalog.ts';
import { type Latency, type Quality, type QueryOutcome, quality } from './tool-search-measure.ts';
import type { GatewayFigures, SearchModeFigures } from './tool-search-run.ts';

export const TARGETS = { recall5: 0.95, listTokens: 1_500, p50Ms: 5 } as const;

export interface IndexFigures {
  tools: number;
  padded: number;
  buildMs: number;
  buildPaddedMs: number;
  outcomes: QueryOutcome[];
  quality: Quality;
  paddedQuality: Quality;
  latency: Latency;
}

export interface ReportInput {
  startedAt: Date;
  command: string;
  snapshot: CatalogSnapshot;
  queries: number;
  allQueries: number;
  rounds: number;
  index: IndexFigures;
  gateway: GatewayFigures | undefined;
}

const n0 = (x: number) => Math.round(x).toLocaleString('en-US');
const f3 = (x: number) => x.toFixed(3);
const ms = (x: number) => `${x.toFixed(2)} ms`;

function catalogTable(snapshot: CatalogSnapshot): ResultTable {
  return {
    title: `The catalog: ${snapshot.tools.length} tools from ${snapshot.servers.length} servers`,
    columns: ['upstream (tool prefix)', 'package', 'version', 'tools'],
    rows: snapshot.servers.map((s) => [
      s.name,
      s.package ?? 'demo domain server (this repository)',
      s.version ?? '–',
      String(s.tools),
    ]),
    caption:
      'Read through the gateway as a role that sees every tool; equal to bench/tool-search/catalog.json (checked every run).',
  };
}

function qualityRow(label: string, tools: number, q: Quality): string[] {
  return [label, String(tools), f3(q.at1), `${f3(q.at5)} (${Math.round(q.at5 * q.n)}/${q.n})`, f3(q.mrr)];
}

function qualityTable(input: ReportInput): ResultTable {
  const { index, gateway } = input;
  const rows = [
    qualityRow('index only (buildToolIndex over the snapshot)', index.tools, index.quality),
    qualityRow('index only, padded with distractors', index.padded, index.paddedQuality),
  ];
  if (gateway?.search)
    rows.push(qualityRow('end to end: search_tools, search-mode role', index.tools, gateway.search.quality));
  return {
    title: `Ranking quality over ${input.queries} of ${input.allQueries} queries`,
    columns: ['searched by', 'tools', 'recall@1', 'recall@5', 'MRR@5'],
    rows,
    caption:
      'recall@k: the tool that answers the question is among the first k; MRR@5: mean of 1/rank (0 when not in the top 5).',
  };
}

/** Recall@5 and MRR per server: where the ranking finds tools and where it does not. */
function serverTable(input: ReportInput): ResultTable {
  const serverOf = new Map(input.snapshot.tools.map((t) => [t.name, t.server]));
  const e2e = input.gateway?.search;
  const pick = (outcomes: readonly QueryOutcome[], server: string) =>
    outcomes.filter((o) => serverOf.get(o.query.tool) === server);
  const cell = (outcomes: readonly QueryOutcome[]) => {
    const q = quality(outcomes);
    return `${f3(q.at5)} (${Math.round(q.at5 * q.n)}/${q.n}), MRR ${f3(q.mrr)}`;
  };
  const rows = input.snapshot.servers
    .filter((s) => pick(input.index.outcomes, s.name).length > 0)
    .map((s) => [
      s.name,
      String(pick(input.index.outcomes, s.name).length),
      cell(pick(input.index.outcomes, s.name)),
      ...(e2e ? [cell(pick(e2e.outcomes, s.name))] : []),
    ]);
  return {
    title: 'Recall@5 per server',
    columns: ['server', 'queries', 'index only', ...(e2e ? ['end to end'] : [])],
    rows,
    caption: 'The queries whose answer is a tool of that server.',
  };
}

function latencyTable(input: ReportInput): ResultTable {
  const rows = [
    [
      `index only: search() over ${input.index.padded} tools`,
      ms(input.index.latency.p50),
      ms(input.index.latency.p99),
      n0(input.index.latency.samples),
    ],
  ];
  const search = input.gateway?.search;
  if (search)
    rows.push([
      `end to end: tools/call search_tools (${input.index.padded} tools, role search-1000)`,
      ms(search.latency.p50),
      ms(search.latency.p99),
      n0(search.latency.samples),
    ]);
  return {
    title: 'search_tools latency at 1,000 tools',
    columns: ['what', 'p50', 'p99', 'samples'],
    rows,
    caption: `Every query ${input.rounds} times after a warm-up pass. Index: build ${ms(input.index.buildPaddedMs)} at ${input.index.padded} tools. End to end: Streamable HTTP on loopback, one client, 2026-07-28 era.`,
  };
}

function listTable(gateway: GatewayFigures): ResultTable {
  const rows = [
    ['full: the real catalog', String(gateway.full.tools), n0(gateway.full.tokens)],
    ['full-1000: real catalog + padding', String(gateway.full1000.tools), n0(gateway.full1000.tokens)],
  ];
  if (gateway.search)
    rows.push(
      [
        `search: search mode, no core (${gateway.search.listNames.join(', ')})`,
        String(gateway.search.list.tools),
        n0(gateway.search.list.tokens),
      ],
      [
        `search-core: search mode, a core of five (${gateway.search.coreTools.map((t) => `${t.name} ${n0(t.tokens)}`).join(', ')})`,
        String(gateway.search.coreList.tools),
        n0(gateway.search.coreList.tokens),
      ],
    );
  return {
    title: 'Initial tools/list per role (o200k_base)',
    columns: ['role', 'tools', 'tokens'],
    rows,
    caption:
      'The tools array of a full listing as sent (compact JSON). A core costs what its tools cost (each with its own tokens in the search-core row); the target is checked on the role with no core — what search mode itself adds.',
  };
}

function conversationTable(search: SearchModeFigures): ResultTable {
  const { turns, full, search: inSearch } = search.conversation;
  const rows = turns.map((turn, i) => {
    const a = full[i] as (typeof full)[number];
    const b = inSearch[i] as (typeof inSearch)[number];
    return [
      `${i + 1}. ${turn.question} → ${turn.tool}`,
      `${n0(a.input)} (${a.requests} requests)`,
      `${n0(b.input)} (${b.requests} requests)`,
      `${(a.input / b.input).toFixed(1)}×`,
      turn.searchRank === undefined ? 'not in the top 5' : `#${turn.searchRank}`,
    ];
  });
  const total = (t: typeof full) => t.reduce((sum, x) => sum + x.input, 0);
  rows.push([
    'total',
    n0(total(full)),
    n0(total(inSearch)),
    `${(total(full) / total(inSearch)).toFixed(1)}×`,
    '',
  ]);
  return {
    title: 'Tokens a host sends per turn: full list vs search mode (o200k_base)',
    columns: [
      'turn (question → tool)',
      'full list',
      'search mode',
      'full / search',
      'tool found by search_tools',
    ],
    rows,
    caption:
      'Input tokens of every model request of the turn (tools + messages so far, as an OpenAI-compatible request); tool results and answers are the same stand-ins in both modes. The scripted model calls the right tool even when search_tools did not return it (last column).',
  };
}

function missesTable(label: string, outcomes: readonly QueryOutcome[]): ResultTable {
  const misses = outcomes.filter((o) => o.rank === undefined);
  return {
    title: `Misses, ${label} (${misses.length})`,
    columns: ['query', 'expected', 'top 5'],
    rows: misses.map((o) => [o.query.query, o.query.tool, o.got.join(', ') || '(nothing)']),
  };
}

function targets(input: ReportInput): TargetCheck[] {
  const { index, gateway } = input;
  const e2e = gateway?.search;
  const recall = e2e?.quality ?? index.quality;
  const indexOnly =
    gateway === undefined ? 'index only (--index-only)' : 'index only (no search mode in this gateway)';
  const where = e2e ? 'end to end' : indexOnly;
  const checks: TargetCheck[] = [
    {
      name: `top-5 recall over ${input.queries} queries, ${where}`,
      target: `≥ ${TARGETS.recall5}`,
      measured: `${f3(recall.at5)} (MRR ${f3(recall.mrr)})`,
      pass: recall.at5 >= TARGETS.recall5,
    },
  ];
  if (e2e) {
    checks.push(
      {
        name: 'initial tools/list of the search-mode role (no core: search_tools and call_tool)',
        target: `≤ ${n0(TARGETS.listTokens)} tokens (o200k)`,
        measured: `${n0(e2e.list.tokens)} tokens (${e2e.list.tools} tools; with a core of five: ${n0(e2e.coreList.tokens)})`,
        pass: e2e.list.tokens <= TARGETS.listTokens,
      },
      {
        name: `search_tools p50 at ${index.padded} tools, end to end`,
        target: `≤ ${TARGETS.p50Ms} ms`,
        measured: `${ms(e2e.latency.p50)} (p99 ${ms(e2e.latency.p99)}; index alone ${ms(index.latency.p50)})`,
        pass: e2e.latency.p50 <= TARGETS.p50Ms,
      },
    );
  } else {
    checks.push({
      name: `search p50 at ${index.padded} tools, ${indexOnly}`,
      target: `≤ ${TARGETS.p50Ms} ms`,
      measured: `${ms(index.latency.p50)} (p99 ${ms(index.latency.p99)})`,
      pass: index.latency.p50 <= TARGETS.p50Ms,
    });
  }
  return checks;
}

export function report(input: ReportInput): BenchResult {
  const { index, gateway } = input;
  const tables = [catalogTable(input.snapshot), qualityTable(input), serverTable(input), latencyTable(input)];
  if (gateway) tables.push(listTable(gateway));
  if (gateway?.search) tables.push(conversationTable(gateway.search));
  tables.push(missesTable('index only', index.outcomes));
  if (gateway?.search) tables.push(missesTable('end to end', gateway.search.outcomes));
  const byName = new Map(input.snapshot.tools.map((t) => [t.name, t]));
  const usingNameWords = index.outcomes.filter((o) => {
    const tool = byName.get(o.query.tool);
    return tool !== undefined && nameWordsUsed(o.query, tool).length > 0;
  }).length;
  const notes = [
    `Wording: ${usingNameWords} of ${index.outcomes.length} questions use a word of their tool's own name (mostly a domain noun such as collection, page or file); the others none.`,
    `Catalog: ${input.snapshot.tools.length} tools; padding to ${index.padded} with bench/upstream/many-tools-server.ts (generic business tools, distractors for the demo queries).`,
    `Index build: ${ms(index.buildMs)} at ${index.tools} tools, ${ms(index.buildPaddedMs)} at ${index.padded}.`,
  ];
  if (gateway?.search) {
    const same = gateway.search.outcomes.filter(
      (o, i) => o.got.join(' ') === index.outcomes[i]?.got.join(' '),
    ).length;
    notes.push(
      `End to end and index-only rank the same top 5 for ${same} of ${gateway.search.outcomes.length} queries (a difference means the gateway indexes or filters other than buildToolIndex over the snapshot).`,
    );
  }
  if (gateway === undefined)
    notes.push('Index only (--index-only): no servers started, no end-to-end figures.');
  else if (gateway.search === undefined)
    notes.push(
      'This gateway has no search mode (toolSearch) yet: end-to-end figures and tokens per turn not measured.',
    );
  const charts: BenchResult['charts'] = [
    {
      id: 'recall',
      title: 'Tool search: recall@1, recall@5 and MRR@5',
      unit: 'share of queries (MRR: mean reciprocal rank)',
      series: [
        ['index only', index.quality] as const,
        ['index, padded to 1,000', index.paddedQuality] as const,
        ...(gateway?.search ? [['end to end', gateway.search.quality] as const] : []),
      ].flatMap(([group, q]) => [
        { label: 'recall@1', value: q.at1, group },
        { label: 'recall@5', value: q.at5, group },
        { label: 'MRR@5', value: q.mrr, group },
      ]),
      reference: { label: 'target recall@5', value: TARGETS.recall5 },
    },
  ];
  if (gateway?.search) {
    const sum = (t: { input: number }[]) => t.reduce((s, x) => s + x.input, 0);
    charts.push({
      id: 'tokens-per-conversation',
      title: 'Tokens a host sends for the 5-question conversation',
      unit: 'tokens (o200k_base)',
      series: [
        { label: 'full list', value: sum(gateway.search.conversation.full) },
        { label: 'search mode', value: sum(gateway.search.conversation.search) },
      ],
    });
  }
  return {
    bench: 'tool-search',
    title: 'Tool search: recall, tools/list tokens, latency at 1,000 tools, tokens per turn',
    command: input.command,
    startedAt: input.startedAt.toISOString(),
    durationMs: Date.now() - input.startedAt.getTime(),
    tables,
    charts,
    targets: targets(input),
    notes,
  };
}
