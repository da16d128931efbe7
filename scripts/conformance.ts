/**
 * Conformance comparison: the official MCP conformance suite run directly against an MCP server,
 * then through the Gatehouse gateway proxying that server — for the project's conformance server
 * and for servers nobody here wrote, installed from the npm registry into
 * conformance/third-party/ (see third-party-servers.ts):
 *   - project:           packages/conformance-server (both eras)
 *   - server-everything: @modelcontextprotocol/server-everything (SDK v1, 2025 era)
 *   - mcp-handler:       Vercel's mcp-handler on the SDK v2 (2026-07-28, 2025 fallback)
 *
 *   npm run conformance                          # direct + through the gateway
 *   CONFORMANCE_DIRECT_ONLY=1 npm run conformance  # direct runs only
 *
 * Runs (suite versions are npm aliases in the root package.json), per server as RUNS lists:
 *   - conformance-0-1 (0.1.16)         server --url URL --suite all
 *   - conformance-0-2 (0.2.0-alpha.12) server --url URL --requirements 2025-11-25
 *   - conformance-0-2 (0.2.0-alpha.12) server --url URL --requirements 2026-07-28
 * (`--requirements` replaces `--suite` in the alpha CLI; combining them is an error.)
 *
 * Prints a table of passed/failed checks per run and target, and the failing checks
 * (gateway failures the direct run does not have are marked [REGRESSION]). Exit status:
 * 1 when a check passes directly but not through the gateway (failure, warning or info) and
 * conformance/known-gaps.json does not list it with a reason, 2 when a run could not be evaluated or the gateway did not
 * start, 0 otherwise. Raw output of every run (suite
 * stdout/stderr, per-scenario checks.json, server and gateway logs) is kept in a temp dir
 * whose path is printed. CONFORMANCE_RUN_TIMEOUT_MS bounds each run (default 15 min).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freePort,
  killAllChildren,
  killAllChildrenSync,
  killChild,
  lostPasses,
  type RunResult,
  runSuite,
  track,
} from './conformance-lib.ts';
import { installThirdPartyServers, SERVER_IDS, type ServerId, startServer } from './conformance-servers.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUN_TIMEOUT_MS = Number(process.env.CONFORMANCE_RUN_TIMEOUT_MS ?? 15 * 60_000);
const GATEWAY_READY_TIMEOUT_MS = 30_000;

interface SuiteRun {
  readonly id: string;
  /** Which server the run is against (SERVERS). */
  readonly server: ServerId;
  readonly alias: string;
  readonly args: (url: string) => string[];
}

const SUITE_ALL = {
  alias: 'conformance-0-1',
  args: (url: string) => ['server', '--url', url, '--suite', 'all'],
};
const REQ_2025 = {
  alias: 'conformance-0-2',
  args: (url: string) => ['server', '--url', url, '--requirements', '2025-11-25'],
};
const REQ_2026 = {
  alias: 'conformance-0-2',
  args: (url: string) => ['server', '--url', url, '--requirements', '2026-07-28'],
};

const RUNS: readonly SuiteRun[] = [
  { id: 'suite-all', server: 'project', ...SUITE_ALL },
  { id: 'req-2025-11-25', server: 'project', ...REQ_2025 },
  { id: 'req-2026-07-28', server: 'project', ...REQ_2026 },
  { id: 'everything-suite-all', server: 'server-everything', ...SUITE_ALL },
  { id: 'everything-req-2025-11-25', server: 'server-everything', ...REQ_2025 },
  { id: 'handler-req-2026-07-28', server: 'mcp-handler', ...REQ_2026 },
  { id: 'handler-req-2025-11-25', server: 'mcp-handler', ...REQ_2025 },
];

/** The suite CLI's entry file and version, from the aliased package's manifest. */
function suiteBin(alias: string): { bin: string; version: string } {
  const dir = join(ROOT, 'node_modules', alias);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    version?: string;
    bin?: string | Record<string, string>;
  };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.conformance;
  if (bin === undefined) throw new Error(`${alias}: no "conformance" bin in package.json (run npm install)`);
  return { bin: join(dir, bin), version: manifest.version ?? '?' };
}

function runLabel(run: SuiteRun): string {
  const { version } = suiteBin(run.alias);
  return `${run.server}: ${version} ${run.args('URL').slice(3).join(' ')}`;
}

async function runAll(
  target: string,
  server: ServerId,
  url: string,
  outDir: string,
  results: Map<string, RunResult>,
): Promise<void> {
  for (const run of RUNS.filter((r) => r.server === server)) {
    const { bin } = suiteBin(run.alias);
    const started = Date.now();
    process.stderr.write(`[conformance] ${target}: ${runLabel(run)} against ${url} ...`);
    const result = await runSuite({
      bin,
      args: run.args(url),
      outputDir: join(outDir, `${target}-${run.id}`),
      logFile: join(outDir, `${target}-${run.id}.log`),
      timeoutMs: RUN_TIMEOUT_MS,
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const summary = result.error ?? `${result.passed} passed, ${result.failed} failed`;
    process.stderr.write(` ${summary} (${seconds} s)\n`);
    results.set(run.id, result);
  }
}

/** Starts the gateway in front of `upstreamUrl` and waits for /healthz. */
async function startGateway(
  upstreamUrl: string,
  outDir: string,
): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const log = createWriteStream(join(outDir, 'gateway.log'));
  const child = track(
    spawn(
      process.execPath,
      [
        join(ROOT, 'packages/gateway/bin/gatehouse.mjs'),
        'serve',
        '--config',
        join(ROOT, 'examples/conformance/gatehouse.yaml'),
      ],
      {
        cwd: ROOT,
        env: { ...process.env, UPSTREAM_URL: upstreamUrl, PORT: String(port) },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    ),
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const deadline = Date.now() + GATEWAY_READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `gateway exited early (code ${child.exitCode ?? child.signalCode}); see ${outDir}/gateway.log`,
      );
    }
    const healthy = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) })
      .then((response) => response.status === 200)
      .catch(() => false);
    if (healthy) return { child, url: `http://127.0.0.1:${port}/mcp` };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`gateway did not answer /healthz with 200 within 30 s; see ${outDir}/gateway.log`);
}

function cell(result: RunResult | undefined): string {
  if (result === undefined) return '-';
  return result.error === undefined
    ? `${result.passed} / ${result.failed}`
    : `ERROR (${result.passed} / ${result.failed})`;
}

function printTable(direct: Map<string, RunResult>, gateway: Map<string, RunResult> | undefined): void {
  const rows = RUNS.map((run) => [runLabel(run), cell(direct.get(run.id)), cell(gateway?.get(run.id))]);
  const header = ['run', 'direct passed / failed', 'gateway passed / failed'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  const line = (cells: string[]): string =>
    cells.map((text, column) => text.padEnd(widths[column] ?? 0)).join(' | ');
  console.log(`\n${line(header)}\n${widths.map((width) => '-'.repeat(width)).join('-|-')}`);
  for (const row of rows) console.log(line(row));
}

/** Lists a run's failing checks; gateway failures absent from the direct run are marked. */
function printFailures(
  label: string,
  target: string,
  result: RunResult,
  directKeys: Set<string> | undefined,
): void {
  if (result.error !== undefined)
    console.log(`\n[${target}] ${label}: ERROR ${result.error} (${result.logFile})`);
  if (result.failures.length === 0) return;
  console.log(`\n[${target}] ${label}: ${result.failures.length} failing check(s)`);
  const counts = new Map<string, { message: string; count: number }>();
  for (const { key, message } of result.failures) {
    const seen = counts.get(key);
    if (seen === undefined) counts.set(key, { message, count: 1 });
    else seen.count += 1;
  }
  for (const [key, { message, count }] of counts) {
    const times = count > 1 ? ` (x${count})` : '';
    const regression = directKeys !== undefined && !directKeys.has(key) ? '  [REGRESSION]' : '';
    console.log(`  - ${key}${times}${regression}${message === '' ? '' : `: ${message}`}`);
  }
}

function printReport(direct: Map<string, RunResult>, gateway: Map<string, RunResult> | undefined): void {
  printTable(direct, gateway);
  for (const run of RUNS) {
    const label = runLabel(run);
    const directResult = direct.get(run.id);
    const gatewayResult = gateway?.get(run.id);
    if (directResult !== undefined) printFailures(label, 'direct', directResult, undefined);
    if (gatewayResult !== undefined) {
      const directKeys = new Set(directResult?.failures.map((failure) => failure.key));
      printFailures(label, 'gateway', gatewayResult, directKeys);
      const lost = directResult === undefined ? [] : lostPasses(directResult, gatewayResult);
      if (lost.length > 0) {
        console.log(
          `\n[gateway] ${label}: ${lost.length} check(s) pass directly but not through the gateway`,
        );
        for (const { key, gatewayStatus } of lost) console.log(`  - ${key} (gateway: ${gatewayStatus})`);
      }
    }
  }
}

interface KnownGap {
  match: string;
  reason: string;
  /** The server the gap applies to; every server when absent. */
  server?: ServerId;
}

/** conformance/known-gaps.json: gateway-only failures that are known, each with its reason. */
function loadKnownGaps(): KnownGap[] {
  const file = fileURLToPath(new URL('../conformance/known-gaps.json', import.meta.url));
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { gaps?: KnownGap[] };
  return parsed.gaps ?? [];
}

/**
 * Exit status: 1 when a check passes directly but not through the gateway (failing, or only a
 * warning or info there) and is not a listed known gap; 2 when a run failed to evaluate.
 */
function exitStatus(direct: Map<string, RunResult>, gateway: Map<string, RunResult> | undefined): number {
  const errored = [...direct.values(), ...(gateway?.values() ?? [])].some(
    (result) => result.error !== undefined,
  );
  if (errored) return 2;
  if (gateway === undefined) return 0;
  const gaps = loadKnownGaps();
  let unexplained = 0;
  for (const run of RUNS) {
    const directResult = direct.get(run.id);
    const gatewayResult = gateway.get(run.id);
    if (directResult === undefined || gatewayResult === undefined) continue;
    const lost = lostPasses(directResult, gatewayResult);
    const applies = gaps.filter((g) => g.server === undefined || g.server === run.server);
    const known = lost.filter((l) => applies.some((g) => l.key.startsWith(g.match)));
    const other = lost.filter((l) => !applies.some((g) => l.key.startsWith(g.match)));
    if (known.length > 0) {
      console.log(`[conformance] ${runLabel(run)}: ${known.length} lost check(s) are listed known gaps`);
    }
    for (const l of other) {
      console.log(`[conformance] ${runLabel(run)}: UNEXPECTED regression ${l.key} (${l.gatewayStatus})`);
    }
    unexplained += other.length;
  }
  for (const gap of gaps) console.log(`[conformance] known gap "${gap.match}": ${gap.reason}`);
  return unexplained > 0 ? 1 : 0;
}

/** Runs every suite against one server directly, then through a gateway in front of it. */
async function compareOne(
  server: ServerId,
  outDir: string,
  direct: Map<string, RunResult>,
  gateway: Map<string, RunResult>,
): Promise<boolean> {
  const upstream = await startServer(server, outDir);
  let gatewayChild: ChildProcess | undefined;
  try {
    console.log(`[conformance] ${server}: ${upstream.url}`);
    await runAll('direct', server, upstream.url, outDir, direct);
    if (process.env.CONFORMANCE_DIRECT_ONLY === '1') return true;
    const started = await startGateway(upstream.url, join(outDir, server)).catch((error: unknown) => {
      console.log(
        `[conformance] gateway failed to start: ${error instanceof Error ? error.message : String(error)}`,
      );
      return undefined;
    });
    if (started === undefined) return false;
    gatewayChild = started.child;
    console.log(`[conformance] gateway in front of ${server}: ${started.url}`);
    await runAll('gateway', server, started.url, outDir, gateway);
    return true;
  } finally {
    if (gatewayChild !== undefined) await killChild(gatewayChild);
    await upstream.stop();
  }
}

async function main(): Promise<number> {
  const outDir = await mkdtemp(join(tmpdir(), 'gatehouse-conformance-'));
  console.log(`[conformance] raw output: ${outDir}`);
  await installThirdPartyServers();
  const direct = new Map<string, RunResult>();
  const gatewayResults = new Map<string, RunResult>();
  try {
    for (const server of SERVER_IDS) {
      if (!(await compareOne(server, outDir, direct, gatewayResults))) {
        printReport(direct, gatewayResults);
        console.log(`\n[conformance] raw output: ${outDir}\n[conformance] FAIL: the gateway did not start`);
        return 2;
      }
    }
    const gateway = process.env.CONFORMANCE_DIRECT_ONLY === '1' ? undefined : gatewayResults;
    if (gateway === undefined)
      console.log('[conformance] CONFORMANCE_DIRECT_ONLY=1: skipped the gateway runs');
    printReport(direct, gateway);
    console.log(`\n[conformance] raw output: ${outDir}`);
    const status = exitStatus(direct, gateway);
    if (status === 1)
      console.log(
        '[conformance] FAIL: the gateway fails a check that passes directly and is not a known gap',
      );
    if (status === 2) console.log('[conformance] FAIL: a run could not be evaluated (see the logs above)');
    return status;
  } finally {
    await killAllChildren();
  }
}

process.on('exit', killAllChildrenSync);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAllChildrenSync();
    process.exit(130);
  });
}

main().then(
  (status) => process.exit(status),
  (error: unknown) => {
    console.error(`[conformance] error: ${error instanceof Error ? error.message : String(error)}`);
    killAllChildrenSync();
    process.exit(2);
  },
);
