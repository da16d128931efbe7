/**
 * Which configuration a command reads, through the real CLI: `--config`, else $GATEHOUSE_CONFIG,
 * else ./gatehouse.yaml, else the running demo's (from the directory it runs in, or one below
 * it). With the demo running on non-default ports, `catalog` and `explain` given no flags, from a
 * subdirectory, show what the running gateway serves: the demo's sandbox URL and data directory
 * come from its runtime file. A runtime file whose process is gone is ignored.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';
import { type CliRun, GATEHOUSE_BIN, gatehouseCli } from './helpers/child-gateway.ts';
import { connectClient, OPEN_ACCESS_YAML } from './helpers/harness.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The environment of a user's shell: no gatehouse variables set. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('GATEHOUSE_')) delete env[name];
  return { ...env, ...extra };
}

function gatehouse(args: string[], cwd: string, env: NodeJS.ProcessEnv = userEnv()): Promise<CliRun> {
  return gatehouseCli(args, { cwd, env, timeoutMs: 120_000 });
}

/** A config whose server.port tells which file was read. */
function configWithPort(dir: string, name: string, port: number): string {
  const file = join(dir, name);
  writeFileSync(file, `server: { port: ${port} }\nstorage: { path: ./g.db }\n${OPEN_ACCESS_YAML}`);
  return file;
}

async function portRead(args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<number> {
  const run = await gatehouse(['check', ...args], cwd, env);
  assert.equal(run.status, 0, run.stderr);
  return (JSON.parse(run.stdout) as { server: { port: number } }).server.port;
}

describe('where the configuration comes from', () => {
  it('--config, then GATEHOUSE_CONFIG, then ./gatehouse.yaml', async () => {
    const dir = makeTempDir('gatehouse-discovery-');
    const local = configWithPort(dir, 'gatehouse.yaml', 1001);
    const fromEnv = configWithPort(dir, 'env.yaml', 1002);
    const flagged = configWithPort(dir, 'flag.yaml', 1003);
    assert.ok(existsSync(local));
    const withEnv = userEnv({ GATEHOUSE_CONFIG: fromEnv });
    assert.equal(await portRead(['--config', flagged], dir, withEnv), 1003);
    assert.equal(await portRead([], dir, withEnv), 1002);
    assert.equal(await portRead([], dir), 1001);
    // GATEHOUSE_CONFIG relative to the current directory.
    assert.equal(await portRead([], dir, userEnv({ GATEHOUSE_CONFIG: 'env.yaml' })), 1002);
  });

  it("ignores a runtime file whose demo is gone, and says where it looked when there's nothing", async () => {
    const dir = makeTempDir('gatehouse-discovery-');
    const config = configWithPort(dir, 'other.yaml', 1004);
    const gone = spawn(process.execPath, ['-e', '0']);
    const deadPid = await new Promise<number>((resolve) =>
      gone.once('exit', () => resolve(gone.pid as number)),
    );
    mkdirSync(join(dir, '.gatehouse'));
    const record = { pid: deadPid, config, cwd: dir, url: '', sandboxUrl: '', env: {}, startedAt: '' };
    writeFileSync(join(dir, '.gatehouse', 'demo.json'), JSON.stringify(record));
    const run = await gatehouse(['catalog', '--as', 'alice'], dir);
    assert.equal(run.status, 2);
    assert.equal(
      run.stderr,
      'gatehouse catalog: no configuration: pass --config <file>, set GATEHOUSE_CONFIG, create ./gatehouse.yaml, or start the demo (./scripts/start.sh)\n',
    );
    // With a live process it is used (this test's own pid stands in for the demo).
    writeFileSync(join(dir, '.gatehouse', 'demo.json'), JSON.stringify({ ...record, pid: process.pid }));
    mkdirSync(join(dir, 'sub'));
    assert.equal(await portRead([], join(dir, 'sub')), 1004);
  });
});

describe('the running demo (sandbox on a non-default port), with no flags, from a subdirectory', () => {
  let demo: ChildProcess;
  let text = '';
  let url = '';
  const keys: Record<string, string> = {};

  before(async () => {
    const dataDir = makeTempDir('gatehouse-discovery-demo-');
    demo = spawn(process.execPath, [GATEHOUSE_BIN, 'demo'], {
      cwd: ROOT,
      env: userEnv({
        GATEHOUSE_PORT: '0',
        GATEHOUSE_SANDBOX_PORT: '0',
        GATEHOUSE_DATA_DIR: dataDir,
        GATEHOUSE_LOG_LEVEL: 'warn',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    demo.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`demo did not start:\n${text}\n${stderr}`)), 240_000);
      demo.stdout?.on('data', (c: Buffer) => {
        text += c.toString();
        if (!text.includes('Claude Desktop')) return;
        clearTimeout(timer);
        resolve();
      });
      demo.once('exit', (code) => reject(new Error(`demo exited (${code}):\n${stderr}`)));
    });
    url = /MCP endpoint\s+(\S+)/.exec(text)?.[1] ?? '';
    for (const m of text.matchAll(/^ {2}(\w+)\s+(ghk_\S+)$/gm)) keys[m[1] as string] = m[2] as string;
  });

  after(async () => {
    if (demo?.exitCode === null && demo.signalCode === null) {
      const exited = new Promise((resolve) => demo.once('exit', resolve));
      demo.kill('SIGTERM');
      await exited;
    }
  });

  it('the demo records itself in .gatehouse/demo.json (owner-only) where it runs', () => {
    const file = join(ROOT, '.gatehouse', 'demo.json');
    const record = JSON.parse(readFileSync(file, 'utf8')) as {
      pid: number;
      config: string;
      url: string;
      env: Record<string, string>;
    };
    if (record.pid !== demo.pid) return; // another demo started from here since (another test)
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(record.config, join(ROOT, 'examples/demo/gatehouse.yaml'));
    assert.equal(record.url, url);
    assert.match(record.env.GATEHOUSE_SANDBOX_URL ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(record.env.GATEHOUSE_SANDBOX_URL, 'http://127.0.0.1:7300');
    assert.ok(record.env.GATEHOUSE_DATA_DIR?.includes('gatehouse-discovery-demo-'));
  });

  it('catalog shows what the running gateway serves that role', async () => {
    const run = await gatehouse(['catalog', '--as', 'sre', '--json'], join(ROOT, 'docs'));
    assert.equal(run.status, 0, run.stderr);
    assert.match(
      run.stderr,
      /using the running demo's configuration .*examples\/demo\/gatehouse\.yaml \(pid \d+\)/,
    );
    const seen = JSON.parse(run.stdout) as {
      tools: { name: string }[];
      resources: string[];
      unreachable: { name: string; reason: string }[];
    };
    assert.deepEqual(seen.unreachable, [], 'every upstream reachable, the platform server included');
    const client = await connectClient(url, 'modern', undefined, {}, { authorization: `Bearer ${keys.sre}` });
    try {
      const tools = (await client.listTools()).tools.map((t) => t.name).sort();
      const resources = (await client.listResources()).resources.map((r) => r.uri).sort();
      assert.deepEqual(seen.tools.map((t) => t.name).sort(), tools);
      assert.deepEqual([...seen.resources].sort(), resources);
      assert.ok(resources.length >= 12, `the platform's service catalog is listed: ${resources.join(', ')}`);
    } finally {
      await client.close();
    }
  });

  it("explain finds the demo's keys (its data directory) with no flags", async () => {
    const run = await gatehouse(
      ['explain', '--as', 'sales', '--tool', 'customer_get_deal'],
      join(ROOT, 'docs'),
    );
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^ALLOW: tool customer_get_deal for sales \(roles: sales\)/);
  });

  it("--config naming the demo's file reads it with the demo's environment too", async () => {
    const run = await gatehouse(
      ['catalog', '--as', 'sre', '--json', '--config', 'examples/demo/gatehouse.yaml'],
      ROOT,
    );
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual((JSON.parse(run.stdout) as { unreachable: unknown[] }).unreachable, []);
  });

  it('once the demo stops, its runtime file is gone', async () => {
    const exited = new Promise((resolve) => demo.once('exit', resolve));
    demo.kill('SIGTERM');
    await exited;
    const file = join(ROOT, '.gatehouse', 'demo.json');
    // Another demo (another test) may have started from the same directory meanwhile.
    if (existsSync(file)) {
      assert.notEqual((JSON.parse(readFileSync(file, 'utf8')) as { pid: number }).pid, demo.pid);
      return;
    }
    const run = await gatehouse(['catalog', '--as', 'sre'], join(ROOT, 'docs'));
    assert.equal(run.status, 2);
    assert.match(run.stderr, /^gatehouse catalog: no configuration: /);
  });
});
