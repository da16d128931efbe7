/**
 * The dual MCP architecture (issue 17), measured: the same questions answered through Lantern's
 * two MCP paths, side by side, and the seed's comparison table with what the run observed.
 *
 *   external  host → Lantern's external MCP server (a real stdio process, the user's API token)
 *             → the REST API → the database: the user's permissions
 *   internal  host → Lantern's internal component servers (HTTP on their own loopback listener,
 *             the service token, the user in each call's _meta) → the domain → the database
 *
 * One Lantern on a temporary SQLite file, seeded, plus --history more incidents and three notes
 * on INC-3. Both paths are connected with the host library (`connectToolSource`): the external one
 * from a stdio server entry with the user's token, the internal one from the built-in chat's own
 * server configs for the user (`ChatService.serversFor`).
 *
 * The questions (lib/dual-questions.ts) are asked by Alice (admin), the last by Olivia (operator):
 * open incidents, INC-3 with notes, open / note / resolve / delete an incident, statistics by
 * service for 30 days, who changed what today, open incidents across all orgs. Each is one turn of
 * the host's agent loop with the loopback model of the host's tests playing the tool plan a model
 * would make on that path (the only double: the calls, their latency and their results are real,
 * the answer is built from the results). Where a path lacks the tool, the plan does what a model
 * with only that path's tools would do, and the table says how far it got.
 *
 * Per question and path, over --rounds measured rounds after --warmup rounds (the paths' order
 * alternating by round): the turn's wall time (p50, p90), its tool calls, and the tokens the
 * model reads — the tool definitions of each model request (o200k, from the host's transcript)
 * plus every tool result (o200k). Then which tools each path lists for an admin, a responder, a
 * viewer and an operator; the run-time observations behind each row of the seed's table; and the
 * plain latency of one read on each path without the model (--calls interleaved calls), next to
 * the REST API alone and the domain in-process. Figures are printed, never asserted; the run
 * exits non-zero when a turn does not go as planned or an observation does not hold.
 *
 *   node bench/dual-architecture.ts [--rounds 30] [--warmup 1] [--calls 200] [--history 40] [--json FILE]
 *   node bench/dual-architecture.ts --smoke     (2 rounds, 20 calls: a few seconds)
 */
import { parseArgs } from 'node:util';
import type { McpToolSource } from '../packages/host/src/index.ts';
import type { Actor } from '../packages/lantern/src/domain/permissions.ts';
import { listPaths, observe, privilegedTools } from './lib/dual-checks.ts';
import { type PathPlan, QUESTIONS, type RoundState } from './lib/dual-questions.ts';
import {
  answersTable,
  type CallSeries,
  charts,
  comparisonTable,
  listingsTable,
  type Measures,
  measureKey,
  perCallTable,
  questionsTable,
  tokensTable,
  visibilityTable,
} from './lib/dual-report.ts';
import { hostCall, interleavedLatencies, runTurn, type TimedCall } from './lib/dual-turns.ts';
import { ALICE, type DualWorld, OLIVIA, PATHS, type PathName, startDualWorld } from './lib/dual-world.ts';
import { positiveInt } from './lib/figures.ts';
import { type BenchResult, commandLine, writeResult } from './lib/results.ts';
import { loadLine, printResult } from './lib/scale-harness.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '1' },
    calls: { type: 'string', default: '200' },
    history: { type: 'string', default: '40' },
    smoke: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const ROUNDS = values.smoke ? 2 : positiveInt(values.rounds, 'rounds');
const WARMUP = values.smoke ? 1 : Number(values.warmup);
if (!Number.isInteger(WARMUP) || WARMUP < 0)
  throw new Error(`--warmup must be 0 or more, found ${values.warmup}`);
const CALLS = values.smoke ? 20 : positiveInt(values.calls, 'calls');
const HISTORY = values.smoke ? 8 : Number(values.history);
if (!Number.isInteger(HISTORY) || HISTORY < 0 || HISTORY > 90)
  throw new Error(`--history must be 0 to 90 (list_incidents shows at most 100), found ${values.history}`);

type Sources = Record<PathName, Record<string, McpToolSource>>;

async function connectAll(world: DualWorld): Promise<Sources> {
  const sources: Sources = { external: {}, internal: {} };
  for (const path of PATHS) {
    for (const email of [ALICE, OLIVIA]) sources[path][email] = await world.connect(path, email);
  }
  return sources;
}

interface Played {
  measures: Measures;
  plans: Map<string, PathPlan>;
  opened: Record<PathName, Set<string>>;
}

/** Every question of one round on one path, in order (the later ones act on the incident opened). */
async function playPath(sources: Sources, path: PathName, played: Played, keep: boolean): Promise<void> {
  const state: RoundState = { now: Date.now() };
  for (const question of QUESTIONS) {
    const source = sources[path][question.user];
    if (source === undefined) throw new Error(`no ${path} source for ${question.user}`);
    const prompt = question.prompt(state);
    const plan = question.plan(path, state);
    const measured = await runTurn(source, prompt, plan);
    if (question.id === 'open an incident' && state.ref !== undefined) played.opened[path].add(state.ref);
    const key = measureKey(question.id, path);
    played.plans.set(key, plan);
    if (keep) played.measures.set(key, [...(played.measures.get(key) ?? []), measured]);
  }
}

/** Every question on both paths, round after round; the first WARMUP rounds are not kept. */
async function playRounds(sources: Sources): Promise<Played> {
  const played: Played = {
    measures: new Map(),
    plans: new Map(),
    opened: { external: new Set(), internal: new Set() },
  };
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    const order: PathName[] = round % 2 === 0 ? ['external', 'internal'] : ['internal', 'external'];
    for (const path of order) await playPath(sources, path, played, round >= WARMUP);
    process.stderr.write(`round ${round + 1}/${WARMUP + ROUNDS}${round < WARMUP ? ' (warm-up)' : ''}
`);
  }
  return played;
}

/** list_incidents and get_incident on each path, the REST API alone and the domain in-process. */
async function perCall(world: DualWorld, sources: Sources): Promise<CallSeries[]> {
  const alice = world.users[ALICE];
  if (alice === undefined) throw new Error('no alice');
  const actor: Actor = { kind: 'user', user: alice.identity, via: 'api' };
  const headers = { authorization: `Bearer ${alice.token}` };
  const rest =
    (path: string): TimedCall =>
    async () => {
      const response = await fetch(`${world.lantern.url}/api/v1/${path}`, { headers });
      if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`);
      await response.json();
    };
  const reads: {
    read: string;
    tool: string;
    args: Record<string, unknown>;
    rest: string;
    domain: TimedCall;
  }[] = [
    {
      read: 'list_incidents (status open)',
      tool: 'list_incidents',
      args: { status: 'open' },
      rest: 'incidents?status=open',
      domain: async () => void (await world.lantern.core.incidents.list(actor, { status: 'open' })),
    },
    {
      read: 'get_incident INC-3 (3 notes)',
      tool: 'get_incident',
      args: { ref: 'INC-3' },
      rest: 'incidents/INC-3',
      domain: async () => void (await world.lantern.core.incidents.get(actor, 'INC-3')),
    },
  ];
  const series: CallSeries[] = [];
  for (const read of reads) {
    const setups: Record<string, TimedCall> = {
      'external: host → stdio server → REST API': hostCall(
        sources.external[ALICE] as McpToolSource,
        read.tool,
        read.args,
      ),
      'internal: host → HTTP component → domain': hostCall(
        sources.internal[ALICE] as McpToolSource,
        read.tool,
        read.args,
      ),
      'REST API alone (fetch)': rest(read.rest),
      'domain in-process (no transport)': read.domain,
    };
    const measured = await interleavedLatencies(setups, CALLS, Math.min(20, CALLS));
    for (const [setup, sorted] of Object.entries(measured)) series.push({ read: read.read, setup, sorted });
  }
  return series;
}

/** Whether the statistics the external model computed from the raw list match incident_stats. */
function statsAgreement(measures: Measures): string {
  const last = (path: PathName) =>
    measures.get(measureKey('stats by service, 30 days', path))?.at(-1)?.answer;
  const same = last('external') !== undefined && last('external') === last('internal');
  return `Statistics by service: the answer computed on the external path from list_incidents ${same ? 'is the same as' : 'DIFFERS from'} the internal path's incident_stats (last round).`;
}

async function main(): Promise<number> {
  const startedAt = new Date();
  console.log(
    `dual architecture: ${ROUNDS} rounds (+${WARMUP} warm-up), ${CALLS} plain calls, ${HISTORY} extra incidents; ${loadLine()}`,
  );
  const world = await startDualWorld({ history: HISTORY });
  let sources: Sources | undefined;
  try {
    sources = await connectAll(world);
    const since = new Date().toISOString();
    const played = await playRounds(sources);
    const series = await perCall(world, sources);
    const listings = await listPaths(world);
    const privileged = privilegedTools(listings);
    const observations = await observe({
      world,
      listings,
      sources: {
        external: sources.external[ALICE] as McpToolSource,
        internal: sources.internal[ALICE] as McpToolSource,
      },
      opened: played.opened,
      since,
    });
    const role = (email: string) => world.users[email]?.identity.role ?? '?';
    const result: BenchResult = {
      bench: 'dual-architecture',
      title: "The dual MCP architecture: Lantern's external and internal MCP paths, side by side",
      command: commandLine(),
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      tables: [
        comparisonTable(observations),
        questionsTable(QUESTIONS, played.plans, played.measures, role),
        tokensTable(QUESTIONS, played.measures),
        listingsTable(listings, privileged),
        visibilityTable(listings, privileged),
        perCallTable(series, CALLS),
        answersTable(QUESTIONS, played.measures),
      ],
      charts: charts(QUESTIONS, played.measures, series),
      targets: [],
      notes: [
        statsAgreement(played.measures),
        `${ROUNDS} measured rounds after ${WARMUP} warm-up round(s); each round asks every question on both paths, the order of the paths alternating by round; the incident opened in a round is noted, resolved and deleted in the same round, so every round starts from the same incidents.`,
        `Lantern on a temporary SQLite file: the seed (7 Northwind incidents) plus ${HISTORY} more spread over the last four weeks (one in four left open) and three notes on INC-3, opened by Bob through the domain before the run.`,
        "The model is the loopback server of the host tests (packages/host/test/helpers/openai-loopback.ts) behind the real OpenAI-compatible provider client; a turn's wall time includes its round trips on loopback, the same per model request on both paths.",
        `This process plays both the user's host and Lantern. The external server is a stdio child process (node packages/lantern-mcp/src/main.ts), as an MCP host runs it, so its share of the work runs beside this process (on another CPU when one is free); on the internal path the host, the component servers and the domain share Lantern's event loop, as the built-in chat does in the product. ${loadLine()} at the end.`,
      ],
    };
    printResult(result);
    writeResult(values.json, result);
    const failed = Object.entries(observations).filter(([, o]) => !o.held);
    for (const [aspect] of failed) console.error(`observation did not hold: ${aspect}`);
    return failed.length === 0 ? 0 : 1;
  } finally {
    await Promise.allSettled(
      Object.values(sources ?? {}).flatMap((bySource) => Object.values(bySource).map((s) => s.close())),
    );
    await world.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
