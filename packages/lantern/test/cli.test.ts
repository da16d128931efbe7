/**
 * `lantern serve` and `lantern token` as processes: a new database prints its users' passwords
 * once (and not on the next start), a token from `lantern token` works on the REST API, and
 * SIGTERM stops the server cleanly. Mistakes are one line and exit 1.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const dir = makeTempDir('lantern-cli-');
const database = join(dir, 'lantern.db');
after(() => rmSync(dir, { recursive: true, force: true }));

async function serve(
  extra: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const args = [MAIN, 'serve', '--port', '0', '--internal-port', '0', '--database', database, ...extra];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const deadline = Date.now() + 15_000;
  while (!/serving (http:\/\/\S+) [\s\S]*its service token/.test(output)) {
    assert.ok(Date.now() < deadline, `lantern did not start: ${output}`);
    assert.equal(child.exitCode, null, `lantern exited: ${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 50));
  const url = /serving (http:\/\/\S+) /.exec(output)?.[1] ?? '';
  return { child, url, output: () => output };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const [code] = await exited;
  return code as number | null;
}

it('prints the seeded passwords on a new database only, and stops on SIGTERM', async () => {
  const first = await serve();
  assert.match(first.output(), /bob@northwind\.example {2}\S{12,}/);
  assert.equal(await stop(first.child), 0);
  const second = await serve();
  assert.doesNotMatch(second.output(), /passwords/);
  assert.equal(await stop(second.child), 0);
});

it('issues a token that the REST API accepts', async () => {
  const issued = spawnSync(
    process.execPath,
    [MAIN, 'token', '--email', 'carol@northwind.example', '--database', database],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(issued.status, 0, issued.stderr);
  const token = issued.stdout.trim();
  assert.match(token, /^lnt_[\w-]{40,}$/);
  const server = await serve();
  try {
    const me = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(((await me.json()) as { user: { email: string } }).user.email, 'carol@northwind.example');
  } finally {
    await stop(server.child);
  }
});

it('prints where the internal MCP server listens, which refuses calls without its service token', async () => {
  const token = 'cli-test-service-token-0123456789abcdef';
  const server = await serve(['--internal-components', 'analytics, operations'], {
    ...process.env,
    LANTERN_INTERNAL_TOKEN: token,
  });
  try {
    const line =
      /internal MCP server on (http:\/\/127\.0\.0\.1:\d+) \(never on the public listener\): analytics at (\S+), operations at (\S+)\n/.exec(
        server.output(),
      );
    assert.ok(line, server.output());
    assert.match(server.output(), /its service token is LANTERN_INTERNAL_TOKEN\n/);
    assert.ok(!server.output().includes(token), 'the token is never printed');
    const initialize = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: {},
        clientInfo: { name: 'cli-test', version: '1' },
      },
    });
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const analytics = line[2] ?? '';
    assert.equal(analytics, `${line[1]}/mcp/analytics`);
    assert.equal((await fetch(analytics, { method: 'POST', headers, body: initialize })).status, 401);
    const authorised = { ...headers, authorization: `Bearer ${token}` };
    assert.equal(
      (await fetch(analytics, { method: 'POST', headers: authorised, body: initialize })).status,
      200,
    );
    const incidents = `${line[1]}/mcp/incidents`;
    assert.equal(
      (await fetch(incidents, { method: 'POST', headers: authorised, body: initialize })).status,
      404,
    );
  } finally {
    await stop(server.child);
  }
});

it('says whether the built-in chat is on, with which model and which roles reach the gateway', async () => {
  const off = await serve();
  assert.match(off.output(), /built-in chat: off \(start with --chat-provider to turn it on\)/);
  assert.equal(await stop(off.child), 0);
  const on = await serve(
    [
      '--chat-provider',
      'openai',
      '--chat-base-url',
      'http://127.0.0.1:9/v1',
      '--chat-model',
      'm1',
      '--chat-gateway',
      'http://127.0.0.1:9/mcp',
    ],
    { ...process.env, LANTERN_GATEWAY_KEY_RESPONDER: 'gh_not_a_real_key', OPENAI_API_KEY: 'x' },
  );
  assert.match(
    on.output(),
    /built-in chat: m1 at http:\/\/127\.0\.0\.1:9\/v1; reaches the gateway for responder\n/,
  );
  assert.doesNotMatch(on.output(), /gh_not_a_real_key/);
  assert.equal(await stop(on.child), 0);
});

it('says in one line what is wrong with a command', () => {
  for (const [args, message] of [
    [
      ['token', '--email', 'nobody@example.com', '--database', database],
      /^lantern: no Lantern user nobody@example\.com\n$/,
    ],
    [['serve', '--port', 'eighty'], /^lantern: invalid --port eighty\n$/],
    [['serve', '--port', '0', '--internal-port', 'x'], /^lantern: invalid --internal-port x\n$/],
    [
      ['serve', '--port', '0', '--internal-components', 'billing', '--database', database],
      /^lantern: unknown internal MCP component "billing" \(known: incidents, analytics, operations\)\n$/,
    ],
    [['fly'], /^lantern: unknown lantern command "fly": use serve or token \(see --help\)\n$/],
    [
      ['serve', '--port', '0', '--chat-provider', 'gemini', '--database', database],
      /^lantern: unknown provider "gemini": use one of anthropic, openai\n$/,
    ],
    [['serve', '--chat-model', 'm'], /^lantern: --chat-model needs --chat-provider openai\|anthropic\n$/],
    [
      ['serve', '--chat-provider', 'openai', '--chat-gateway', 'http://127.0.0.1:1/mcp'],
      /^lantern: --chat-gateway needs a gateway key for at least one role: set LANTERN_GATEWAY_KEY_VIEWER, /,
    ],
  ] as const) {
    const run = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });
    assert.equal(run.status, 1);
    assert.match(run.stderr, message);
  }
});
