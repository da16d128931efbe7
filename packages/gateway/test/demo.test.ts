/**
 * The newcomer's path, exactly as the README gives it: `./scripts/start.sh` from the repository
 * root sets up (progress on stderr), starts the sandbox, the gateway and the five domain servers,
 * and once /readyz answers prints the MCP URL and one key per demo role on stdout.
 *
 * start.sh runs twice while the first demo runs (on its gateway port, then on its sandbox port):
 * each refusal is one line naming the port and the process holding it, and the first demo's keys
 * keep working. Then the demo is restarted on the same data directory: it prints the same keys;
 * and once more with --rotate-keys: new keys, the earlier ones refused. That last demo is then
 * used as any host would: the MCP SDK client connects as each role and
 * calls one tool each, and the printed MCP Inspector command runs as printed with the system Node.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, dirname, join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Client } from '@modelcontextprotocol/client';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';
import { SqliteApiKeys } from '../src/auth/api-keys-sqlite.ts';
import { INSPECTOR_VERSION } from '../src/cli/demo-banner.ts';
import { type DemoKeys, ensureDemoKeys } from '../src/cli/demo-keys.ts';
import { readableLogLine } from '../src/cli/demo-log.ts';
import { loadConfigFile } from '../src/config/load.ts';
import { connectClient, textOf } from './helpers/harness.ts';

const execFileAsync = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface InspectorOutput {
  result: {
    tools: { name: string }[];
    isError?: boolean;
    content?: { type: string; text?: string }[];
    structuredContent?: unknown;
  };
  schemaFindings?: { toolName: string; findings: { path: string; issue: string }[] }[];
}

interface DemoOutput {
  url: string;
  keys: Record<string, string>;
  tools: Record<string, string[]>;
  text: string;
}

interface RunningDemo {
  child: ChildProcess;
  demo: DemoOutput;
  stderr: () => string;
}

/** Reads stdout until the banner is complete. */
function readDemoOutput(child: ChildProcess, timeoutMs: number): Promise<DemoOutput> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`demo did not finish starting:\n${text}`)), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (!text.includes('Press Ctrl+C to stop.')) return;
      clearTimeout(timer);
      const url = /MCP endpoint\s+(\S+)/.exec(text)?.[1];
      const keys: Record<string, string> = {};
      const tools: Record<string, string[]> = {};
      for (const m of text.matchAll(/^ {2}(\w+)\s+(ghk_\S+)\n\s+\d+ tools: (.*)$/gm)) {
        keys[m[1] as string] = m[2] as string;
        tools[m[1] as string] = (m[3] as string).split(', ');
      }
      if (url === undefined) reject(new Error(`no MCP endpoint in:\n${text}`));
      else resolve({ url, keys, tools, text });
    });
    child.once('exit', (code) => reject(new Error(`demo exited early (${code}):\n${text}`)));
  });
}

function startScript(env: NodeJS.ProcessEnv, args: string[] = []): ChildProcess {
  return spawn('bash', ['scripts/start.sh', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

async function startDemo(env: NodeJS.ProcessEnv, args: string[] = []): Promise<RunningDemo> {
  const child = startScript(env, args);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const demo = await readDemoOutput(child, 240_000).catch((error: Error) => {
    child.kill('SIGTERM');
    throw new Error(`${error.message}\nstderr:\n${stderr.slice(-4000)}`);
  });
  return { child, demo, stderr: () => stderr };
}

/** Runs start.sh to its end (stopping it after 60 s: code null): exit code, stdout, stderr. */
function runScriptToEnd(
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = startScript(env);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), 60_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function stopDemo(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** A port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function readIfExists(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

function gitStatus(): string {
  return execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
}

async function listToolsWith(url: string, key: string | undefined): Promise<string[]> {
  const client = await connectClient(url, 'modern', undefined, {}, { authorization: `Bearer ${key}` });
  try {
    return (await client.listTools()).tools.map((t) => t.name);
  } finally {
    await client.close();
  }
}

/** PATH without this repository's Node 24 (.tools) and this test's Node: what a user's shell has. */
function systemPath(): string {
  const ours = [join(ROOT, '.tools'), join(ROOT, 'node_modules'), dirname(process.execPath)];
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '' && !ours.some((own) => dir.startsWith(own)))
    .join(delimiter);
}

describe('the demo from the README (./scripts/start.sh), started twice', () => {
  const dataDir = makeTempDir('gatehouse-demo-');
  let env: NodeJS.ProcessEnv;
  let statusBefore: string;
  let first: RunningDemo;
  let keysFileWhileFirstRan: string;
  let lanternLogLeftAfterStop: boolean;
  let keysFileAfterRefusals: string;
  let onGatewayPort: { code: number | null; stdout: string; stderr: string };
  let onSandboxPort: { code: number | null; stdout: string; stderr: string };
  let firstKeysAfterRefusals: string[] | Error;
  let restarted: RunningDemo;
  let rotated: RunningDemo;
  let restartedSalesAfterRotation: string[] | Error;
  let demo: DemoOutput;

  before(async () => {
    const [gatewayPort, sandboxPort, otherPort] = [await freePort(), await freePort(), await freePort()];
    const [lanternPort, lanternInternalPort] = [await freePort(), await freePort()];
    env = {
      ...process.env,
      GATEHOUSE_PORT: String(gatewayPort),
      GATEHOUSE_SANDBOX_PORT: String(sandboxPort),
      LANTERN_PORT: String(lanternPort),
      LANTERN_INTERNAL_PORT: String(lanternInternalPort),
      // Relative, as a user would type it: the gateway and the domain servers must agree on it.
      GATEHOUSE_DATA_DIR: relative(ROOT, dataDir),
      GATEHOUSE_LOG_LEVEL: 'info',
    };
    statusBefore = gitStatus();
    first = await startDemo(env);
    keysFileWhileFirstRan = readIfExists(join(dataDir, 'demo-keys.json'));
    onGatewayPort = await runScriptToEnd(env);
    onSandboxPort = await runScriptToEnd({ ...env, GATEHOUSE_PORT: String(otherPort) });
    keysFileAfterRefusals = readIfExists(join(dataDir, 'demo-keys.json'));
    // Recorded rather than thrown, so that each test below says what broke.
    firstKeysAfterRefusals = await listToolsWith(first.demo.url, first.demo.keys.sales).catch(
      (error: Error) => error,
    );
    await stopDemo(first.child);
    lanternLogLeftAfterStop = existsSync(join(dataDir, 'lantern.db-wal'));
    restarted = await startDemo(env);
    await stopDemo(restarted.child);
    rotated = await startDemo(env, ['--rotate-keys']);
    demo = rotated.demo;
    restartedSalesAfterRotation = await listToolsWith(demo.url, restarted.demo.keys.sales).catch(
      (error: Error) => error,
    );
  });

  after(async () => {
    await stopDemo(first?.child);
    await stopDemo(restarted?.child);
    await stopDemo(rotated?.child);
  });

  it("a second start.sh on the running demo's gateway port refuses in one line naming the port and the process", () => {
    const port = env.GATEHOUSE_PORT;
    assert.equal(onGatewayPort.code, 1, onGatewayPort.stderr);
    const lines = onGatewayPort.stderr.trimEnd().split('\n');
    assert.match(
      lines.at(-1) ?? '',
      new RegExp(
        `^gatehouse demo: port ${port} for the gateway is already in use by pid ${first.child.pid} \\(.*gatehouse\\.mjs demo .*\\); nothing was changed — stop that process or choose another port with GATEHOUSE_PORT or --port$`,
      ),
    );
    assert.doesNotMatch(onGatewayPort.stderr, /^\s+at /m, 'no stack trace');
    assert.doesNotMatch(onGatewayPort.stderr, /sandbox: starting|keys:/, 'nothing was started or changed');
    assert.equal(onGatewayPort.stdout, '');
  });

  it("…and on the running demo's sandbox port, naming that port and its setting", () => {
    assert.equal(onSandboxPort.code, 1, onSandboxPort.stderr);
    assert.match(
      onSandboxPort.stderr.trimEnd().split('\n').at(-1) ?? '',
      new RegExp(
        `^gatehouse demo: port ${env.GATEHOUSE_SANDBOX_PORT} for the sandbox is already in use by pid ${first.child.pid} \\(.*\\); .*GATEHOUSE_SANDBOX_PORT or --sandbox-port$`,
      ),
    );
  });

  it("the running demo's printed keys still work after both refusals, and its key file is unchanged", () => {
    assert.ok(Array.isArray(firstKeysAfterRefusals), String(firstKeysAfterRefusals));
    assert.deepEqual(firstKeysAfterRefusals.sort(), [...(first.demo.tools.sales ?? [])].sort());
    assert.notEqual(keysFileWhileFirstRan, '');
    assert.equal(keysFileAfterRefusals, keysFileWhileFirstRan);
  });

  it('a restart prints the same keys (the Claude Desktop snippet keeps working); the key file is 0600', () => {
    assert.deepEqual(restarted.demo.keys, first.demo.keys);
    assert.match(restarted.demo.text, /Demo principals \(the same keys as last time; .*--rotate-keys\)/);
    assert.match(restarted.stderr(), /keys: the demo keys from .*demo-keys\.json still work; keeping them/);
    assert.equal(statSync(join(dataDir, 'demo-keys.json')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dataDir, 'claude_desktop_config.json')).mode & 0o777, 0o600);
    // The log names every caller and target: owner-only like the files beside it.
    assert.equal(statSync(join(dataDir, 'gatehouse.log')).mode & 0o777, 0o600);
  });

  it('start.sh --rotate-keys prints new keys, saves them, and the earlier ones are refused', () => {
    for (const role of Object.keys(first.demo.keys))
      assert.notEqual(demo.keys[role], first.demo.keys[role], role);
    assert.match(demo.text, /Demo principals \(new keys, as asked; the earlier demo keys are revoked; /);
    assert.match(rotated.stderr(), /keys: new demo keys, as asked/);
    const saved = JSON.parse(readFileSync(join(dataDir, 'demo-keys.json'), 'utf8')) as Record<string, string>;
    assert.deepEqual(saved, demo.keys);
    assert.ok(restartedSalesAfterRotation instanceof Error, 'the earlier sales key is refused');
    assert.match(String(restartedSalesAfterRotation), /401/);
  });

  it('set-up installs exactly what the lock file says: the work tree is as it was', () => {
    assert.equal(gitStatus(), statusBefore);
  });

  it('each set-up step is reported on stderr, in order, and no JSON log line reaches the terminal', () => {
    const stderr = first.stderr();
    const steps = [
      /^gatehouse: Node: v24\./m,
      /^gatehouse: packages: /m,
      /^gatehouse: sandbox: ready at http:\/\/127\.0\.0\.1:\d+ /m,
      /^gatehouse: keys: new demo keys for sales, support, finance, sre, admin/m,
      /^gatehouse: lantern: ready at http:\/\/127\.0\.0\.1:\d+$/m,
      /^gatehouse: gateway: starting on 127\.0\.0\.1:\d+/m,
      /^gatehouse: upstreams: \w+ ready \(6\/6\)$/m,
      /^gatehouse: gateway: ready \(http:\/\/127\.0\.0\.1:\d+\/readyz answers 200\)$/m,
    ];
    let from = 0;
    for (const step of steps) {
      const at = stderr.slice(from).search(step);
      assert.ok(at >= 0, `${step} after offset ${from} in:\n${stderr}`);
      from += at;
    }
    assert.doesNotMatch(stderr, /^\{"level"/m);
    assert.doesNotMatch(first.demo.text, /^\{"level"/m);
    // The JSON log is in the data directory instead.
    assert.match(readFileSync(join(dataDir, 'gatehouse.log'), 'utf8'), /"msg":"gatehouse listening"/);
  });

  it('the banner prints the console, whose sign-in page the admin key opens', async () => {
    const consoleUrl = /^ {2}Console {8}(\S+) {2}\(sign in with the admin key below\)$/m.exec(demo.text)?.[1];
    assert.ok(consoleUrl, demo.text);
    const login = await fetch(consoleUrl, { redirect: 'manual' });
    assert.equal(login.status, 303);
    const signedIn = await fetch(new URL('/console/login', consoleUrl), {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({ key: demo.keys.admin ?? '' }),
    });
    assert.equal(signedIn.status, 303);
    assert.match(signedIn.headers.get('set-cookie') ?? '', /^gatehouse_console=/);
  });

  it('the banner is printed once, after readiness: stdout starts with it, and every upstream is ready', () => {
    assert.match(first.demo.text, /^\nGatehouse demo is ready\.\n {2}MCP endpoint {3}http:/);
    assert.doesNotMatch(first.demo.text, /Not ready yet/);
  });

  it('the gateway and the domain servers keep their data in the one GATEHOUSE_DATA_DIR', () => {
    for (const file of ['gatehouse.db', 'knowledge.db', 'wallet.db', 'demo-keys.json', 'gatehouse.log']) {
      assert.ok(existsSync(join(dataDir, file)), `${file} in ${dataDir}`);
    }
  });

  it('the printed MCP Inspector command works as printed with the system Node on PATH', async () => {
    const command = /^ {2}(npx .*)$/m.exec(demo.text)?.[1];
    assert.ok(command, demo.text);
    const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    assert.equal(INSPECTOR_VERSION, rootPackage.devDependencies['@modelcontextprotocol/inspector']);
    assert.ok(command.includes(`@modelcontextprotocol/inspector@${INSPECTOR_VERSION}`), command);
    const userEnv: NodeJS.ProcessEnv = { ...process.env, PATH: systemPath() };
    delete userEnv.NODE_TEST_CONTEXT;
    delete userEnv.NODE_OPTIONS;
    const { stdout } = await execFileAsync('bash', ['-c', command], { env: userEnv, timeout: 240_000 });
    const listed = (JSON.parse(stdout) as { tools: { name: string }[] }).tools.map((t) => t.name);
    assert.deepEqual(listed.sort(), [...(demo.tools.sales ?? [])].sort());
  });

  it('the printed gatehouse chat command runs as printed: without a model key it says so in one line', async () => {
    const command = /^ {2}(GATEHOUSE_API_KEY=\S+ npx gatehouse chat --url \S+)$/m.exec(demo.text)?.[1];
    assert.ok(command, demo.text);
    assert.ok(command.includes(demo.keys.sales ?? '(no sales key)'), command);
    const userEnv: NodeJS.ProcessEnv = { ...process.env, PATH: systemPath() };
    for (const name of Object.keys(userEnv)) if (name.startsWith('GATEHOUSE_')) delete userEnv[name];
    for (const name of ['NODE_TEST_CONTEXT', 'NODE_OPTIONS', 'ANTHROPIC_API_KEY', 'OPENAI_API_KEY'])
      delete userEnv[name];
    const run = await execFileAsync('bash', ['-c', `${command} < /dev/null`], {
      cwd: ROOT,
      env: userEnv,
      timeout: 120_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code?: number; stderr?: string }) => ({ code: error.code, stderr: error.stderr ?? '' }),
    );
    assert.equal(run.code, 2, run.stderr);
    assert.equal(
      run.stderr.trim(),
      'gatehouse chat: the anthropic provider needs a key: set ANTHROPIC_API_KEY',
    );
  });

  // Only where set-up brought Node 24 into .tools/ (the system Node is older): then the launcher
  // re-runs the CLI on it. A shell that already has Node 24 from elsewhere never takes that path.
  const localNode = join(ROOT, '.tools', 'node_modules', 'node', 'bin', 'node');
  it('npx gatehouse with the system Node, from a subdirectory, shows what the running demo serves', {
    skip: existsSync(localNode) ? false : 'Node 24 is not in .tools/ (it came from elsewhere)',
  }, async () => {
    // A user's shell: the system Node first on PATH, no gatehouse variables. The launcher runs the
    // CLI on the Node 24 of .tools/, and the upstreams it starts (`command: node`) must get it too.
    const userEnv: NodeJS.ProcessEnv = { ...process.env, PATH: systemPath() };
    for (const name of Object.keys(userEnv)) if (name.startsWith('GATEHOUSE_')) delete userEnv[name];
    delete userEnv.NODE_TEST_CONTEXT;
    delete userEnv.NODE_OPTIONS;
    const { stdout, stderr } = await execFileAsync('bash', ['-c', 'npx gatehouse catalog --as sre'], {
      cwd: join(ROOT, 'docs'),
      env: userEnv,
      timeout: 120_000,
    });
    assert.match(stderr, /using the running demo's configuration/);
    assert.doesNotMatch(stdout, /not reachable/, stdout);
    const sre = demo.tools.sre ?? [];
    assert.match(stdout, new RegExp(`tools \\(${sre.length}\\)`), stdout);
    for (const tool of sre) assert.ok(stdout.includes(tool), `${tool} in\n${stdout}`);
  });

  it("closes Lantern's database when stopped (SQLite leaves no write-ahead log behind)", () => {
    assert.equal(lanternLogLeftAfterStop, false);
  });

  it('says on the console when it is stopped, not only in its log', () => {
    assert.match(first.stderr(), /gatehouse: stopping: finishing calls in flight.*\ngatehouse: stopped\n$/s);
  });

  it('prints the endpoint, a key per role and what each role sees', () => {
    assert.deepEqual(Object.keys(demo.keys).sort(), ['admin', 'finance', 'sales', 'sre', 'support']);
    assert.ok(demo.tools.sales?.includes('customer_find_at_risk_renewals'));
    assert.ok(!demo.tools.sales?.includes('platform_restart_service'), 'sales cannot restart services');
    assert.ok(demo.tools.sre?.includes('platform_restart_service'));
    assert.ok(!demo.tools.sre?.includes('customer_get_invoices'), 'sre sees no invoices');
    assert.ok((demo.tools.admin?.length ?? 0) > (demo.tools.sales?.length ?? 0));
    assert.match(demo.text, /"GATEHOUSE_API_KEY": "ghk_/);
  });

  it('says which tools need an approval, as the README does: transfers for finance, changes for SRE', () => {
    const approvalsOf = (role: string) =>
      new RegExp(`^ {2}${role}\\s+ghk_\\S+\\n.*tools: .*(?:\\n\\s+with approval: (.*))?$`, 'm').exec(
        demo.text,
      )?.[1];
    assert.equal(approvalsOf('finance'), 'wallet_transfer');
    assert.equal(approvalsOf('sre'), 'platform_restart_service, platform_rollback_deploy');
    assert.equal(approvalsOf('sales'), undefined);
    assert.equal(approvalsOf('support'), undefined);
  });

  const calls: [string, string, Record<string, unknown>, RegExp][] = [
    ['sales', 'customer_find_at_risk_renewals', {}, /renewals/i],
    ['support', 'platform_get_service_health', { service: 'checkout-api' }, /checkout-api/],
    ['finance', 'wallet_get_balance', {}, /EUR|USD/],
    ['sre', 'platform_list_recent_deploys', { limit: 3 }, /deploy/i],
    ['admin', 'knowledge_search_docs', { query: 'database failover' }, /ledger-db|failover/i],
  ];
  for (const [role, tool, args, expected] of calls) {
    it(`${role} calls ${tool} with its key`, async () => {
      let client: Client | undefined;
      try {
        client = await connectClient(
          demo.url,
          'legacy',
          undefined,
          {},
          { authorization: `Bearer ${demo.keys[role]}` },
        );
        const result = await client.callTool({ name: tool, arguments: args });
        assert.notEqual(result.isError, true, textOf(result));
        assert.match(textOf(result), expected);
      } finally {
        await client?.close();
      }
    });
  }

  it("the demo's shaping: raw deal and ticket tools come back with the configured fields only", async () => {
    const client = await connectClient(
      demo.url,
      'modern',
      undefined,
      {},
      { authorization: `Bearer ${demo.keys.admin}` },
    );
    try {
      const atRisk = await client.callTool({ name: 'customer_find_at_risk_renewals', arguments: {} });
      const first = (atRisk.structuredContent as { atRisk: { company: string; dealId: string }[] }).atRisk[0];
      assert.ok(first, 'the seeded world has at-risk renewals this quarter');
      const deal = await client.callTool({ name: 'customer_get_deal', arguments: { dealId: first.dealId } });
      const shapedDeal = (deal.structuredContent as { deal: { properties: Record<string, unknown> } }).deal;
      assert.deepEqual(Object.keys(shapedDeal.properties).sort(), [
        'amount',
        'closedate',
        'customer_tier',
        'hubspot_owner_id',
        'name',
        'stage',
      ]);
      assert.deepEqual(JSON.parse(textOf(deal)), deal.structuredContent, 'text and structuredContent agree');
      const tickets = await client.callTool({
        name: 'customer_list_tickets',
        arguments: { company: first.company },
      });
      const shaped = tickets.structuredContent as { tickets: Record<string, unknown>[] };
      assert.ok(shaped.tickets.length > 0);
      for (const ticket of shaped.tickets) {
        assert.ok(
          Object.keys(ticket).every((k) =>
            ['id', 'title', 'state', 'priority', 'created_at', 'updated_at'].includes(k),
          ),
        );
      }
    } finally {
      await client.close();
    }
  });

  /** One MCP Inspector CLI run against the demo with `role`'s key; its parsed stdout and stderr. */
  async function inspectAs(role: string, args: string[]): Promise<{ out: InspectorOutput; stderr: string }> {
    const cli = fileURLToPath(
      import.meta.resolve('@modelcontextprotocol/inspector/clients/cli/build/index.js'),
    );
    const home = makeTempDir('gatehouse-demo-inspector-');
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, MCP_CATALOG_PATH: join(home, 'mcp.json') };
    delete env.NODE_TEST_CONTEXT;
    delete env.NODE_OPTIONS;
    const base = [cli, '--server-url', demo.url, '--transport', 'http'];
    const auth = ['--header', `Authorization: Bearer ${demo.keys[role]}`];
    const argv = [...base, ...auth, '--format', 'json', ...args];
    try {
      const { stdout, stderr } = await execFileAsync(process.execPath, argv, { env, timeout: 30_000 });
      return { out: JSON.parse(stdout) as InspectorOutput, stderr };
    } catch (error) {
      // Exit 5: the tool answered with isError (stdout still has the result).
      const failed = error as { code?: unknown; stdout?: string; stderr?: string };
      if (failed.code !== 5 || !failed.stdout) throw error;
      return { out: JSON.parse(failed.stdout) as InspectorOutput, stderr: failed.stderr ?? '' };
    }
  }

  it('the MCP Inspector CLI sends --tool-arg dealId=<digits> as a number; the string id still reaches get_deal', async () => {
    const client = await connectClient(
      demo.url,
      'modern',
      undefined,
      {},
      {
        authorization: `Bearer ${demo.keys.sales}`,
      },
    );
    let dealId: string;
    try {
      const atRisk = await client.callTool({ name: 'customer_find_at_risk_renewals', arguments: {} });
      dealId = (atRisk.structuredContent as { atRisk: { dealId: string }[] }).atRisk[0]?.dealId ?? '';
    } finally {
      await client.close();
    }
    assert.match(dealId, /^\d+$/, 'a numeric HubSpot deal id');
    const { out, stderr } = await inspectAs('sales', [
      '--method',
      'tools/call',
      '--tool-name',
      'customer_get_deal',
      '--tool-arg',
      `dealId=${dealId}`,
    ]);
    assert.notEqual(out.result.isError, true, `${JSON.stringify(out.result)}\n${stderr}`);
    assert.equal((out.result.structuredContent as { deal?: { id?: string } }).deal?.id, dealId);
  });

  it('a refused argument is reported under the name the caller called (knowledge_search_docs)', async () => {
    const { out } = await inspectAs('sales', [
      '--method',
      'tools/call',
      '--tool-name',
      'knowledge_search_docs',
      '--tool-arg',
      'query=failover',
      '--tool-arg',
      'limit=99',
    ]);
    assert.equal(out.result.isError, true);
    const text = out.result.content?.[0]?.text ?? '';
    assert.match(text, /Invalid arguments for tool knowledge_search_docs: limit: /, text);
    assert.doesNotMatch(text, /tool search_docs/, text);
  });

  it('the MCP Inspector CLI with the printed sales key lists exactly what the demo printed for sales', async () => {
    const { out } = await inspectAs('sales', ['--method', 'tools/list']);
    const listed = out.result.tools.map((t) => t.name);
    assert.deepEqual(listed.sort(), [...(demo.tools.sales ?? [])].sort());
  });

  it('the MCP Inspector CLI finds no schema-portability problem in the tools of any role', async () => {
    for (const role of Object.keys(demo.keys)) {
      const { out, stderr } = await inspectAs(role, ['--method', 'tools/list', '--strict']);
      assert.ok(out.result.tools.length > 0, `${role} sees tools`);
      assert.deepEqual(
        out.schemaFindings ?? [],
        [],
        `${role}: ${JSON.stringify(out.schemaFindings, null, 2)}`,
      );
      assert.doesNotMatch(stderr, /Schema portability|Warning: tool/, `${role}: ${stderr}`);
    }
  });

  it('a role cannot call what it cannot see', async () => {
    const client = await connectClient(
      demo.url,
      'modern',
      undefined,
      {},
      {
        authorization: `Bearer ${demo.keys.sales}`,
      },
    );
    try {
      await assert.rejects(
        client.callTool({
          name: 'platform_restart_service',
          arguments: { service: 'checkout-api', reason: 'x' },
        }),
        /Unknown tool/,
      );
    } finally {
      await client.close();
    }
  });
});

describe('demo keys: kept across restarts, replaced on request', () => {
  const storage = join(makeTempDir('gatehouse-demo-keys-'), 'gatehouse.db');

  it('the first start creates one per role; the next keeps them; --rotate-keys replaces and revokes them', () => {
    const created = ensureDemoKeys(storage, { rotate: false });
    assert.equal(created.outcome, 'created');
    assert.deepEqual([...created.keys.keys()], ['sales', 'support', 'finance', 'sre', 'admin']);
    const kept = ensureDemoKeys(storage, { rotate: false });
    assert.equal(kept.outcome, 'kept');
    assert.deepEqual(keyStrings(kept), keyStrings(created));
    const rotated = ensureDemoKeys(storage, { rotate: true });
    assert.equal(rotated.outcome, 'rotated');
    const store = new SqliteApiKeys(storage, { cacheMs: 0 });
    try {
      for (const [role, key] of Object.entries(keyStrings(created))) {
        assert.notEqual(keyStrings(rotated)[role], key);
        assert.equal(store.verify(key), undefined, `the old ${role} key is revoked`);
        assert.deepEqual(store.verify(keyStrings(rotated)[role] as string)?.roles, [role]);
      }
    } finally {
      store.close();
    }
  });

  it('a saved key revoked meanwhile is replaced, the others are kept', () => {
    const before = keyStrings(ensureDemoKeys(storage, { rotate: false }));
    const store = new SqliteApiKeys(storage, { cacheMs: 0 });
    const salesId = /^ghk_([A-Za-z0-9]{12})_/.exec(before.sales as string)?.[1] as string;
    store.revoke(salesId);
    store.close();
    const after = ensureDemoKeys(storage, { rotate: false });
    assert.equal(after.outcome, 'created');
    assert.deepEqual(after.created, ['sales']);
    assert.notEqual(keyStrings(after).sales, before.sales);
    assert.equal(keyStrings(after).admin, before.admin);
  });
});

describe('where the example configurations keep their data', () => {
  it("the demo's data is in .gatehouse/ at the repository root, as the README says, and git ignores it", () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.GATEHOUSE_DATA_DIR;
    const loaded = loadConfigFile(join(ROOT, 'examples/demo/gatehouse.yaml'), env);
    assert.ok(loaded.ok);
    assert.equal(dirname(loaded.model.storage.path), join(ROOT, '.gatehouse'));
    assert.match(readFileSync(join(ROOT, 'README.md'), 'utf8'), /storage under `\.gatehouse\/`/);
    execFileSync('git', ['check-ignore', '-q', relative(ROOT, loaded.model.storage.path)], { cwd: ROOT });
  });

  it("the benchmark configuration's data directory is ignored by git", () => {
    const env: NodeJS.ProcessEnv = { ...process.env, GATEHOUSE_BENCH_KEY: 'x'.repeat(32) };
    delete env.GATEHOUSE_DATA_DIR;
    const loaded = loadConfigFile(join(ROOT, 'examples/bench/gatehouse.yaml'), env);
    assert.ok(loaded.ok, JSON.stringify(loaded));
    const path = relative(ROOT, loaded.model.storage.path);
    assert.equal(dirname(path), join('examples', 'bench', '.gatehouse-bench'));
    execFileSync('git', ['check-ignore', '-q', path], { cwd: ROOT });
  });
});

function keyStrings(keys: DemoKeys): Record<string, string> {
  return Object.fromEntries([...keys.keys].map(([role, demo]) => [role, demo.key]));
}

describe("the demo's terminal: warnings from the JSON log as one readable line", () => {
  it('a pino record becomes `gatehouse: <level>: <message> {fields}`', () => {
    const line = JSON.stringify({
      level: 40,
      time: 1,
      pid: 2,
      hostname: 'h',
      service: 'gatehouse',
      upstream: 'wallet',
      msg: 'upstream unavailable',
    });
    assert.equal(readableLogLine(line), 'gatehouse: warn: upstream unavailable {"upstream":"wallet"}');
    assert.equal(readableLogLine('not json'), 'gatehouse: not json');
  });
});
