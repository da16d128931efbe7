/**
 * Tokens of `tools/list` per demo role: what each role of the demo (examples/demo/gatehouse.yaml:
 * sales, support, finance, sre, admin) reads when its client lists tools through Gatehouse,
 * against the unfiltered catalog — every tool the five domain servers and Lantern's external MCP
 * server expose, listed from each server directly (its own stdio child, same environment) and
 * merged. Counted with a real BPE
 * tokenizer (o200k_base, gpt-tokenizer) over the `tools` array as sent (compact JSON).
 *
 * The sandbox and Lantern run in this process (`startSandbox`, `startLantern`), the gateway too (the test harness's
 * in-process gateway with the demo configuration, its data under a temp dir), with one API key
 * per role. The typical role is the median role by tokens; the issue's target is that it reads at
 * least 70% fewer tokens than the unfiltered catalog.
 *
 * Shaped against raw responses for the customer tools comes from bench/customer-tokens.ts, run as
 * a child with `--json`; its tables and target are carried into this result.
 *
 *   node bench/role-tokens.ts [--customers 20] [--json FILE]
 *   node bench/role-tokens.ts --smoke       (the same lists; 3 customers for the shaped figures)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GATEWAY_UPSTREAM_USER, type RunningLantern, startLantern } from '@gatehouse/lantern';
import { startSandbox } from '@gatehouse/sandbox';
import { Client, type Tool } from '@modelcontextprotocol/client';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { SqliteApiKeys } from '../packages/gateway/src/auth/api-keys-sqlite.ts';
import { exposeName } from '../packages/gateway/src/catalog/naming.ts';
import { DEMO_ROLES } from '../packages/gateway/src/cli/demo.ts';
import { UPSTREAM_TOKEN_FILE } from '../packages/gateway/src/cli/demo-lantern.ts';
import type { StdioUpstreamModel } from '../packages/gateway/src/config/model.ts';
import { modelFromYaml, startGateway } from '../packages/gateway/test/helpers/harness.ts';
import { median, positiveInt } from './lib/figures.ts';
import { type BenchResult, commandLine, writeResult } from './lib/results.ts';
import { connectClient, listAllTools, printResult } from './lib/scale-harness.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DEMO_CONFIG = join(ROOT, 'examples/demo/gatehouse.yaml');
const TOKENIZER = 'o200k_base (gpt-tokenizer)';
const TARGET_FEWER = 0.7;

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '20' },
    json: { type: 'string' },
    smoke: { type: 'boolean', default: false },
  },
});
const customers = values.smoke ? 3 : positiveInt(values.customers, 'customers');

interface Listing {
  name: string;
  tools: number;
  bytes: number;
  tokens: number;
  /** Tool names as listed. */
  names: string[];
}

function measureTools(name: string, tools: Tool[]): Listing {
  const json = JSON.stringify(tools);
  const names = tools.map((t) => t.name);
  return { name, tools: tools.length, bytes: Buffer.byteLength(json), tokens: countTokens(json), names };
}

/** A tool as its server lists it, and the name Gatehouse exposes it under (the upstream prefix). */
interface ServerTool {
  exposed: string;
  tool: Tool;
}

/** The demo configuration with `node` pinned to this Node, so the children do not depend on PATH. */
function demoYaml(): string {
  return readFileSync(DEMO_CONFIG, 'utf8').replace(
    /^(\s+command:) node$/gm,
    `$1 ${JSON.stringify(process.execPath)}`,
  );
}

/** Every tool each domain server exposes, listed from the server itself (no gateway). */
async function unfilteredCatalog(
  upstreams: readonly StdioUpstreamModel[],
  maxNameLength: number,
): Promise<ServerTool[]> {
  const all: ServerTool[] = [];
  for (const upstream of upstreams) {
    const client = new Client({ name: 'gatehouse-bench', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: upstream.command,
        args: upstream.args,
        env: { ...getDefaultEnvironment(), ...upstream.env },
        cwd: upstream.cwd ?? ROOT,
        stderr: 'ignore',
      }),
    );
    try {
      const { tools } = await listAllTools(client);
      all.push(
        ...tools.map((tool) => ({
          exposed: exposeName(upstream.namespace, tool.name, maxNameLength).exposed,
          tool,
        })),
      );
    } finally {
      await client.close();
    }
  }
  return all;
}

/** bench/customer-tokens.ts as a child, with --json; its result, or undefined if it wrote none. */
function customerTokens(
  dir: string,
): Promise<{ code: number | null; result: BenchResult | undefined; out: string }> {
  const file = join(dir, 'customer-tokens.json');
  const args = [join(ROOT, 'bench/customer-tokens.ts'), '--json', file];
  args.push(...(values.smoke ? ['--smoke'] : ['--customers', String(customers)]));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      let result: BenchResult | undefined;
      try {
        result = JSON.parse(readFileSync(file, 'utf8')) as BenchResult;
      } catch {
        result = undefined;
      }
      resolve({ code, result, out });
    });
  });
}

interface Listings {
  roles: Listing[];
  unfiltered: Listing;
  serverTools: ServerTool[];
}

/**
 * Lantern, as the demo starts it for its `lantern` upstream: LANTERN_URL and the upstream user's
 * token in the data directory's token file (no internal server, no chat, no automation).
 */
async function startDemoProduct(dataDir: string): Promise<RunningLantern> {
  const lantern = await startLantern({
    database: join(dataDir, 'lantern.db'),
    internal: false,
    logError: () => {},
  });
  const user = await lantern.core.accounts.userByEmail(GATEWAY_UPSTREAM_USER);
  if (user === undefined) throw new Error(`Lantern has no user ${GATEWAY_UPSTREAM_USER}`);
  const issued = await lantern.core.accounts.issueToken(
    { kind: 'user', user, via: 'web' },
    'role-tokens bench',
  );
  writeFileSync(join(dataDir, UPSTREAM_TOKEN_FILE), `${issued.token}\n`, { mode: 0o600 });
  process.env.LANTERN_URL = lantern.url;
  return lantern;
}

async function roleListings(dataDir: string): Promise<Listings> {
  const sandbox = await startSandbox({ port: 0 });
  const lantern = await startDemoProduct(dataDir);
  process.env.GATEHOUSE_SANDBOX_URL = sandbox.url;
  process.env.GATEHOUSE_DATA_DIR = dataDir;
  process.env.GATEHOUSE_LOG_LEVEL = 'warn';
  const yaml = demoYaml();
  const gateway = await startGateway(yaml);
  try {
    // The knowledge server indexes its corpus on first start; wait for every server.
    await gateway.gateway.settled(180_000);
    const down = gateway.gateway.upstreams.filter((u) => u.state !== 'ready').map((u) => u.name);
    if (down.length > 0) throw new Error(`demo upstreams not ready: ${down.join(', ')}`);
    const model = modelFromYaml(yaml);
    const store = new SqliteApiKeys(model.storage.path);
    const keys = DEMO_ROLES.map((role) => ({ role, key: store.create({ user: role, roles: [role] }).key }));
    store.close();
    const roles: Listing[] = [];
    for (const { role, key } of keys) {
      const client = await connectClient(gateway.url, 'modern', {
        headers: { authorization: `Bearer ${key}` },
      });
      try {
        roles.push(measureTools(role, (await listAllTools(client)).tools));
      } finally {
        await client.close();
      }
    }
    const stdio = model.upstreams.filter((u): u is StdioUpstreamModel => u.transport === 'stdio');
    const serverTools = await unfilteredCatalog(stdio, model.server.maxNameLength);
    const unfiltered = measureTools(
      'unfiltered catalog',
      serverTools.map((t) => t.tool),
    );
    return { roles, unfiltered, serverTools };
  } finally {
    await gateway.close();
    await lantern.close();
    await sandbox.close();
  }
}

/** Each tool's tokens as its server lists it, and which roles see it: where a role's tokens go. */
function perToolTable(listings: Listings): BenchResult['tables'][number] {
  const rows = listings.serverTools
    .map(({ exposed, tool }) => ({ exposed, tokens: countTokens(JSON.stringify(tool)) }))
    .sort((a, b) => b.tokens - a.tokens)
    .map(({ exposed, tokens }) => [
      exposed,
      tokens.toLocaleString('en-US'),
      `${((tokens / listings.unfiltered.tokens) * 100).toFixed(1)}%`,
      listings.roles
        .filter((r) => r.names.includes(exposed))
        .map((r) => r.name)
        .join(', ') || '–',
    ]);
  return {
    title: 'Where the tokens are: each tool of the unfiltered catalog',
    columns: ['tool (as exposed)', 'tokens', 'of the catalog', 'seen by'],
    rows,
    caption: 'Tokens of each definition as its server lists it; the roles whose tools/list includes it.',
  };
}

function report(
  { roles, unfiltered, serverTools }: Listings,
  customer: Awaited<ReturnType<typeof customerTokens>>,
  startedAt: Date,
): BenchResult {
  const byTokens = [...roles].sort((a, b) => a.tokens - b.tokens);
  const typical = byTokens[Math.floor(byTokens.length / 2)] as Listing;
  const fewer = (l: Listing) => 1 - l.tokens / unfiltered.tokens;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const row = (l: Listing, label = l.name) => [
    label,
    String(l.tools),
    l.bytes.toLocaleString('en-US'),
    l.tokens.toLocaleString('en-US'),
    l === unfiltered ? '–' : pct(fewer(l)),
  ];
  const result: BenchResult = {
    bench: 'role-tokens',
    title: 'Tokens: tools/list per demo role, and shaped against raw customer answers',
    command: commandLine(),
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    tables: [
      {
        title: `tools/list tokens per demo role (${TOKENIZER})`,
        columns: ['role', 'tools', 'bytes', 'tokens', 'fewer than unfiltered'],
        rows: [
          row(unfiltered, 'unfiltered: the five servers listed directly'),
          ...roles.map((l) => row(l, l === typical ? `${l.name} (typical: the median role)` : l.name)),
        ],
        caption:
          'The tools array of a full listing as sent (compact JSON). Through Gatehouse names carry the upstream prefix and shaped tools declare their shaped outputSchema.',
      },
    ],
    charts: [
      {
        id: 'tools-list-tokens-per-role',
        title: 'tools/list tokens per demo role',
        unit: 'tokens',
        series: [unfiltered, ...roles].map((l) => ({ label: l.name, value: l.tokens })),
        reference: { label: '70% fewer than unfiltered', value: unfiltered.tokens * (1 - TARGET_FEWER) },
      },
    ],
    targets: [
      {
        name: `typical demo role (${typical.name}, the median of ${roles.length}) tools/list tokens vs the unfiltered catalog`,
        target: `≥ ${pct(TARGET_FEWER)} fewer`,
        measured: `${pct(fewer(typical))} fewer (${typical.tokens} vs ${unfiltered.tokens} tokens; roles ${pct(median(roles.map(fewer)))} median, ${pct(Math.min(...roles.map(fewer)))}–${pct(Math.max(...roles.map(fewer)))})`,
        pass: fewer(typical) >= TARGET_FEWER,
      },
    ],
    notes: [],
  };
  result.tables.push(perToolTable({ roles, unfiltered, serverTools }));
  if (customer.result) {
    result.tables.push(...customer.result.tables.map((t) => ({ ...t, title: `customer tools: ${t.title}` })));
    result.targets.push(...customer.result.targets.map((t) => ({ ...t, name: `customer tools: ${t.name}` })));
    result.charts.push(...customer.result.charts.map((c) => ({ ...c, id: `customer-${c.id}` })));
    result.notes.push(`Shaped vs raw from: ${customer.result.command}`);
  } else {
    result.notes.push(
      `bench/customer-tokens.ts wrote no JSON result (exit ${customer.code}); its output:\n${customer.out.slice(-2000)}`,
    );
  }
  return result;
}

async function main(): Promise<number> {
  const startedAt = new Date();
  process.chdir(ROOT);
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-tokens-'));
  try {
    const listings = await roleListings(join(dir, 'data'));
    const customer = await customerTokens(dir);
    const result = report(listings, customer, startedAt);
    printResult(result);
    writeResult(values.json, result);
    // Targets are printed, not enforced here; a run that could not measure fails.
    return customer.result === undefined ? 1 : 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
