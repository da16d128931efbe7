/**
 * `gatehouse connect` as a host would use it: a real SDK client launches the bridge as a stdio
 * child (as Claude Desktop does) with the user's API key in the environment; the bridge relays
 * to a running gateway over Streamable HTTP. Both protocol eras, the caller's own catalog, and a
 * bad key or an unreachable gateway answered as JSON-RPC errors while the bridge keeps running.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { SqliteApiKeys } from '../src/auth/api-keys-sqlite.ts';
import {
  type ClientEra,
  fixtureUpstreamYaml,
  startGateway,
  type TestGateway,
  tempStorage,
  textOf,
} from './helpers/harness.ts';

const BIN = fileURLToPath(new URL('../bin/gatehouse.mjs', import.meta.url));

const POLICY = `auth:
  apiKeys: true
policy:
  groups:
    alpha-only:
      allow: [{ tools: ["alpha_*"] }]
  roles:
    sales: { groups: [alpha-only] }
`;

async function bridgeClient(url: string, key: string | undefined, era: ClientEra): Promise<Client> {
  const client = new Client(
    { name: 'desktop-host', version: '1.0.0' },
    { versionNegotiation: { mode: era === 'modern' ? { pin: '2026-07-28' } : 'legacy' } },
  );
  const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
  if (key !== undefined) env.GATEHOUSE_API_KEY = key;
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'connect', '--url', url],
      env,
      stderr: 'pipe',
    }),
  );
  return client;
}

describe('gatehouse connect (stdio bridge)', () => {
  let gw: TestGateway;
  let key: string;

  before(async () => {
    const storage = tempStorage();
    const store = new SqliteApiKeys(storage);
    key = store.create({ user: 'ana', org: 'acme', roles: ['sales'] }).key;
    store.close();
    gw = await startGateway(`upstreams:
${fixtureUpstreamYaml('alpha')}
${fixtureUpstreamYaml('beta')}
${POLICY}
storage: { path: ${JSON.stringify(storage)} }
`);
  });

  after(async () => {
    await gw?.close();
  });

  for (const era of ['legacy', 'modern'] as const) {
    it(`relays a ${era}-era host to the gateway with the user's key: their catalog, their calls`, async () => {
      const client = await bridgeClient(gw.url, key, era);
      try {
        const { tools } = await client.listTools();
        const names = tools.map((t) => t.name);
        assert.ok(names.includes('alpha_echo'), names.join(','));
        assert.ok(!names.some((n) => n.startsWith('beta_')), 'beta is hidden from sales');
        const result = await client.callTool({ name: 'alpha_echo', arguments: { message: `via ${era}` } });
        assert.match(textOf(result), new RegExp(`via ${era}`));
      } finally {
        await client.close();
      }
    });
  }

  it('a wrong key is answered as a JSON-RPC error naming the problem', async () => {
    const client = new Client(
      { name: 'desktop-host', version: '1.0.0' },
      { versionNegotiation: { mode: 'legacy' } },
    );
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'connect', '--url', gw.url],
      env: { PATH: process.env.PATH ?? '', GATEHOUSE_API_KEY: 'ghk_wrong_wrong' },
      stderr: 'pipe',
    });
    await assert.rejects(client.connect(transport), /refused the API key \(HTTP 401\)/);
    await client.close().catch(() => {});
  });

  it('no key at all is answered with one message naming the empty variable', async () => {
    const client = new Client(
      { name: 'desktop-host', version: '1.0.0' },
      { versionNegotiation: { mode: 'legacy' } },
    );
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'connect', '--url', gw.url],
      env: { PATH: process.env.PATH ?? '' },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await assert.rejects(client.connect(transport), /needs an API key, and GATEHOUSE_API_KEY is empty/);
    await client.close().catch(() => {});
    const lines = stderr.trim().split('\n').filter(Boolean);
    assert.equal(lines.length, 1, stderr);
    assert.doesNotMatch(stderr, /refused the API key/);
  });

  it('an unreachable gateway is answered as a JSON-RPC error per request; the bridge keeps serving the host', async () => {
    const child = spawn(process.execPath, [BIN, 'connect', '--url', 'http://127.0.0.1:9/mcp'], {
      env: { PATH: process.env.PATH ?? '', GATEHOUSE_API_KEY: key },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    try {
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      for (const id of [1, 2]) {
        child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' })}\n`);
        const answer = JSON.parse(String((await lines.next()).value)) as {
          id: number;
          error?: { message: string };
        };
        assert.equal(answer.id, id);
        assert.match(answer.error?.message ?? '', /Gatehouse at http:\/\/127\.0\.0\.1:9\/mcp is unreachable/);
      }
      assert.equal(child.exitCode, null, 'the bridge is still running');
    } finally {
      child.stdin.end();
      await once(child, 'exit');
    }
  });

  /** A host's 2025-11-25 initialize request, id 1. */
  const initializeAs = (name: string) => ({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name, version: '1' } },
  });

  /** Writes `messages` to a fresh bridge at once and closes its input; its answers and stderr. */
  async function piped(messages: unknown[]): Promise<{ answers: PipedAnswer[]; stderr: string }> {
    const child = spawn(process.execPath, [BIN, 'connect', '--url', gw.url], {
      env: { PATH: process.env.PATH ?? '', GATEHOUSE_API_KEY: key },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdin.end(messages.map((m) => `${JSON.stringify(m)}\n`).join(''));
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0, stderr);
    const answers = stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as PipedAnswer);
    return { answers, stderr };
  }

  it('answers what a host piped in before closing its input, then exits', async () => {
    // Written and closed at once, as `printf … | gatehouse connect` does.
    const { answers, stderr } = await piped([initializeAs('pipe')]);
    assert.equal(answers[0]?.id, 1, JSON.stringify(answers));
    assert.equal(
      (answers[0]?.result as { protocolVersion?: string } | undefined)?.protocolVersion,
      '2025-11-25',
    );
    assert.doesNotMatch(stderr, /unreachable|aborted/);
  });

  it('holds what a host writes right after initialize until the session is open, then relays it in order', async () => {
    const { answers, stderr } = await piped([
      initializeAs('script'),
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
      {
        jsonrpc: '2.0',
        id: 3,
        method: 'tools/call',
        params: { name: 'alpha_echo', arguments: { message: 'hi' } },
      },
    ]);
    assert.equal(stderr, '');
    const byId = new Map(answers.map((a) => [a.id, a]));
    assert.ok(byId.get(1)?.result, JSON.stringify(answers));
    assert.ok(JSON.stringify(byId.get(2)?.result).includes('alpha_echo'), JSON.stringify(answers));
    assert.match(JSON.stringify(byId.get(3)?.result), /hi/);
  });

  it('passes on the reason the gateway gave for refusing a request', async () => {
    // No initialize first: a 2025-era request without a session.
    const { answers, stderr } = await piped([{ jsonrpc: '2.0', id: 7, method: 'tools/list' }]);
    assert.equal(answers[0]?.id, 7);
    assert.match(answers[0]?.error?.message ?? '', /answered HTTP 400: .*Mcp-Session-Id.*initialize first/);
    assert.match(stderr, /answered HTTP 400: .*initialize first/);
  });
});

interface PipedAnswer {
  id?: number;
  result?: unknown;
  error?: { code: number; message: string };
}
