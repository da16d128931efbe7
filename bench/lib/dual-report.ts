/**
 * The tables and charts of bench/dual-architecture.ts: the seed's comparison table with what the
 * run observed per row, the questions side by side on both paths (latency, tool calls, tokens),
 * the tokens in detail, which tools each path shows to whom, the plain per-call latency, and what
 * each path answered.
 */

import type { Observations, PathListing } from './dual-checks.ts';
import type { Answerable, PathPlan, Question } from './dual-questions.ts';
import type { TurnMeasure } from './dual-turns.ts';
import type { PathName } from './dual-world.ts';
import { median, percentile } from './figures.ts';
import type { ChartSpec, ResultTable } from './results.ts';
import { bar } from './series.ts';

export type Measures = Map<string, TurnMeasure[]>;
export const measureKey = (question: string, path: PathName) => `${question}|${path}`;

const SEED_ROWS: [keyof Observations, string, string, string][] = [
  ['location', 'Location', "Runs in user's environment", "Runs within your product's backend"],
  ['access', 'Access method', "Via your product's API", 'Direct access to backend systems'],
  ['authentication', 'Authentication', 'User credentials/API tokens', 'Internal service authentication'],
  [
    'dataAccess',
    'Data access',
    'Limited to API capabilities',
    'Full access to raw data and internal systems',
  ],
  ['securityContext', 'Security context', "User's permissions", 'Elevated system permissions'],
  ['aiInterface', 'AI interface', 'External MCP hosts', 'Your internal MCP client'],
];

export function comparisonTable(observations: Observations): ResultTable {
  return {
    title: "The seed's comparison table, observed at run time",
    columns: [
      'aspect',
      'seed: product-level server',
      'seed: internal server',
      'external path (observed)',
      'internal path (observed)',
      'held',
    ],
    rows: SEED_ROWS.map(([key, aspect, seedExternal, seedInternal]) => {
      const o = observations[key];
      return [aspect, seedExternal, seedInternal, o.external, o.internal, o.held ? 'yes' : 'NO'];
    }),
    caption:
      "Each observed cell comes from this run: the external server's process and tool list, the activity log's door for each opening, and refusals the bench provoked. \"Security context\": Lantern's internal server has service authentication but acts within the named user's role — elevated only in reach (raw data, operators across orgs), not beyond the user.",
  };
}

function latencies(ms: TurnMeasure[]): Float64Array {
  return Float64Array.from(ms.map((m) => m.latencyMs)).sort();
}

const ms = (x: number) => x.toFixed(1);
const tokens = (m: TurnMeasure) => m.definitionTokens + m.resultTokens;

/** "p50 (p90)" of the turns' wall time. */
function latencyCell(measures: TurnMeasure[]): string {
  const sorted = latencies(measures);
  return sorted.length === 0 ? '–' : `${ms(percentile(sorted, 0.5))} (${ms(percentile(sorted, 0.9))})`;
}

/** A per-round count: the value when every round agrees, else the median (min–max). */
function steady(values: number[]): string {
  if (values.length === 0) return '–';
  const min = Math.min(...values);
  const max = Math.max(...values);
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return min === max ? n(min) : `${n(median(values))} (${n(min)}–${n(max)})`;
}

const ANSWERS: Record<Answerable, string> = {
  yes: 'yes',
  computed: 'computed',
  partial: 'partial',
  no: 'no',
};

export function questionsTable(
  questions: readonly Question[],
  plans: Map<string, PathPlan>,
  measures: Measures,
  emailRole: (email: string) => string,
): ResultTable {
  const rows = questions.map((q) => {
    const cells = (path: PathName) => {
      const m = measures.get(measureKey(q.id, path)) ?? [];
      const plan = plans.get(measureKey(q.id, path));
      return [
        ANSWERS[plan?.answers ?? 'no'],
        steady(m.map((x) => x.toolCalls)),
        latencyCell(m),
        steady(m.map(tokens)),
      ];
    };
    return [`${q.id} (${emailRole(q.user)})`, ...cells('external'), ...cells('internal')];
  });
  const whys = questions.flatMap((q) =>
    (['external', 'internal'] as const).flatMap((path) => {
      const why = plans.get(measureKey(q.id, path))?.why;
      return why === undefined
        ? []
        : [`${q.id}, ${path}: ${plans.get(measureKey(q.id, path))?.answers} — ${why}`];
    }),
  );
  return {
    title: 'The same questions on both paths: latency per question, tool calls, tokens per answer',
    columns: [
      'question (asker)',
      'external: answers',
      'external: tool calls',
      'external: ms p50 (p90)',
      'external: tokens',
      'internal: answers',
      'internal: tool calls',
      'internal: ms p50 (p90)',
      'internal: tokens',
    ],
    rows,
    caption: `Each question is one turn of the host's agent loop (a fresh conversation) with the loopback model playing the tool plan a model would make on that path; ms is the turn's wall time (model round trips on loopback included, the same on both paths) over the measured rounds; tokens = the tool definitions of every model request plus every tool result, o200k. "answers": yes = fully; computed = the model must compute it from raw lists; partial = only part of it; no = not possible on this path. ${whys.join('. ')}.`,
  };
}

export function tokensTable(questions: readonly Question[], measures: Measures): ResultTable {
  const rows = questions.flatMap((q) =>
    (['external', 'internal'] as const).map((path) => {
      const m = measures.get(measureKey(q.id, path)) ?? [];
      const last = m[m.length - 1];
      const toolMs = m.map((x) => x.toolMs);
      return [
        q.id,
        path,
        String(last?.requests ?? '–'),
        last === undefined
          ? '–'
          : `${last.definitionTokensPerRequest.toLocaleString('en-US')} × ${last.requests}`,
        steady(m.map((x) => x.resultTokens)),
        steady(m.map(tokens)),
        steady(toolMs),
      ];
    }),
  );
  return {
    title: 'Where the tokens and the tool time go, per question and path',
    columns: [
      'question',
      'path',
      'model requests',
      'definition tokens (per request × requests)',
      'result tokens',
      'tokens per answer',
      'tool-call ms, summed: median (min–max)',
    ],
    rows,
    caption:
      "Definition tokens: countToolDefinitionTokens of the path's tool list (what each request carries), from the host's transcript; result tokens: o200k of each tool result's text as the model received it; the loopback's own usage figures are not used. Tool-call ms: the transcript's latency of the turn's calls (whole ms), summed.",
  };
}

export function listingsTable(listings: PathListing[], privileged: string[]): ResultTable {
  return {
    title: 'Which tools each path shows to whom',
    columns: [
      'path',
      'user (role)',
      'servers',
      'tools',
      'definition tokens per request',
      'tools listed (privileged in bold)',
    ],
    rows: listings.map((l) => [
      l.path,
      `${l.email.split('@')[0]} (${l.role})`,
      l.servers.join(', '),
      String(l.tools.length),
      l.definitionTokens.toLocaleString('en-US'),
      l.tools.map((t) => (privileged.includes(t) ? `**${t}**` : t)).join(', '),
    ]),
    caption:
      "External: the stdio server with each user's token (it lists the same tools for everyone; the API refuses what the role may not do). Internal: the components the built-in chat connects for the user's role, each listing its tools.",
  };
}

export function visibilityTable(listings: PathListing[], privileged: string[]): ResultTable {
  const tools = [...new Set(listings.flatMap((l) => l.tools))].sort();
  const seenBy = (tool: string, path: PathName) =>
    listings
      .filter((l) => l.path === path && l.tools.includes(tool))
      .map((l) => l.role)
      .join(', ') || '– (invisible)';
  return {
    title: 'Each tool: who sees it on which path',
    columns: ['tool', 'external path: seen by', 'internal path: seen by', 'privileged (internal only)'],
    rows: tools.map((t) => [
      t,
      seenBy(t, 'external'),
      seenBy(t, 'internal'),
      privileged.includes(t) ? 'yes' : '',
    ]),
    caption:
      'Privileged: an internal tool no external listing has, under its name or its public twin (add_note ↔ add_incident_note, set_status ↔ set_incident_status). Roles: admin alice, responder bob, viewer carol (Northwind), operator olivia (Lantern).',
  };
}

export interface CallSeries {
  read: string;
  setup: string;
  sorted: Float64Array;
}

export function perCallTable(series: CallSeries[], calls: number): ResultTable {
  const internalP50 = (read: string) => {
    const s = series.find((x) => x.read === read && x.setup.startsWith('internal'));
    return s === undefined ? Number.NaN : percentile(s.sorted, 0.5);
  };
  return {
    title: `Plain per-call latency of the same read, no model loop (${calls} calls each)`,
    columns: ['read', 'setup', 'p50 ms', 'p90 ms', 'p99 ms', '× internal p50'],
    rows: series.map((s) => {
      const p50 = percentile(s.sorted, 0.5);
      return [
        s.read,
        s.setup,
        ms(p50),
        ms(percentile(s.sorted, 0.9)),
        ms(percentile(s.sorted, 0.99)),
        `${(p50 / internalP50(s.read)).toFixed(2)}×`,
      ];
    }),
    caption:
      'Interleaved calls (one of each setup in turn, the order rotating) after a warm-up, as Alice. External and internal: the host library\'s callTool on the path\'s connection; "REST API alone": fetch with her token and JSON parsing; "domain in-process": core.incidents with no transport at all.',
  };
}

export function answersTable(questions: readonly Question[], measures: Measures): ResultTable {
  const cut = (text: string) => (text.length > 220 ? `${text.slice(0, 220)}…` : text);
  return {
    title: 'What each path answered (the last round), built from the real tool results',
    columns: ['question', 'external path', 'internal path'],
    rows: questions.map((q) => [
      q.id,
      cut(measures.get(measureKey(q.id, 'external'))?.at(-1)?.answer ?? '–'),
      cut(measures.get(measureKey(q.id, 'internal'))?.at(-1)?.answer ?? '–'),
    ]),
  };
}

export function charts(
  questions: readonly Question[],
  measures: Measures,
  series: CallSeries[],
): ChartSpec[] {
  const perQuestion = (pick: (m: TurnMeasure) => number) =>
    questions.flatMap((q) =>
      (['external', 'internal'] as const).map((path) =>
        bar(path, (measures.get(measureKey(q.id, path)) ?? []).map(pick), q.id),
      ),
    );
  return [
    {
      id: 'latency-per-question',
      title: 'Latency per question (turn wall time, median with min–max)',
      unit: 'ms',
      series: perQuestion((m) => m.latencyMs),
    },
    {
      id: 'tokens-per-answer',
      title: 'Tokens per answer (tool definitions per request + tool results, o200k)',
      unit: 'tokens',
      series: perQuestion(tokens),
    },
    {
      id: 'per-call-latency',
      title: 'One read without the model loop: p50 per setup',
      unit: 'ms',
      series: series.map((s) => ({
        label: s.setup,
        value: percentile(s.sorted, 0.5),
        min: percentile(s.sorted, 0.1),
        max: percentile(s.sorted, 0.9),
        group: s.read,
      })),
    },
  ];
}
