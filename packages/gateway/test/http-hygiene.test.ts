/**
 * Every bad-input path of the HTTP front gets a clear, spec-shaped error, and the gateway keeps
 * serving a well-behaved client throughout.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  connectClient,
  fixtureUpstreamYaml,
  startGateway,
  type TestGateway,
  textOf,
} from './helpers/harness.ts';

const MODERN_META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
};

interface Posted {
  status: number;
  body: { error?: { code: number; message: string }; result?: unknown } | undefined;
  headers: Headers;
}

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<Posted> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body,
  });
  const text = await response.text();
  let parsed: Posted['body'];
  try {
    parsed = JSON.parse(text);
  } catch {
    const data = text.split('\n').find((l) => l.startsWith('data: {'));
    parsed = data ? JSON.parse(data.slice(6)) : undefined;
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

/** fetch() may not set Host, so the DNS-rebinding test speaks node:http directly. */
function postWithHost(url: string, body: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        headers: { host, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

describe('HTTP hygiene', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway(`server: { maxBodyBytes: 2048 }\nupstreams:\n${fixtureUpstreamYaml('alpha')}`);
  });
  after(() => gw.close());

  /** After each bad request, a normal client still works. */
  async function stillServing(): Promise<void> {
    const client = await connectClient(gw.url, 'legacy');
    const result = await client.callTool({ name: 'alpha_echo', arguments: { message: 'ok' } });
    assert.equal(textOf(result), 'alpha: ok');
    await client.close();
  }

  it('refuses a hostile Host header with 403 (DNS rebinding)', async () => {
    assert.equal(await postWithHost(gw.url, initialize, 'evil.example.com'), 403);
    assert.equal(await postWithHost(gw.url, initialize, 'evil.example.com:80'), 403);
    assert.equal(await postWithHost(gw.url, initialize, `localhost:${new URL(gw.url).port}`), 200);
    await stillServing();
  });

  it('refuses a hostile Origin header with 403 and accepts localhost origins', async () => {
    const r = await post(gw.url, initialize, { origin: 'http://evil.example.com' });
    assert.equal(r.status, 403);
    const ok = await post(gw.url, initialize, { origin: 'http://localhost:3000' });
    assert.equal(ok.status, 200);
    await stillServing();
  });

  it('answers malformed JSON with 400 and -32700', async () => {
    const r = await post(gw.url, '{"jsonrpc": "2.0", "id": 1, "method": ');
    assert.equal(r.status, 400);
    assert.equal(r.body?.error?.code, -32700);
    assert.match(r.body?.error?.message ?? '', /Parse error/);
    await stillServing();
  });

  it('answers a non-JSON-RPC body with 400 and -32600', async () => {
    for (const body of ['{"hello": "world"}', '[]', '42', '{"jsonrpc":"1.0","id":1,"method":"ping"}']) {
      const r = await post(gw.url, body);
      assert.equal(r.status, 400, body);
      assert.equal(r.body?.error?.code, -32600, body);
    }
    await stillServing();
  });

  it('answers an oversize body with 413', async () => {
    const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(3000) } });
    const r = await post(gw.url, big);
    assert.equal(r.status, 413);
    assert.match(r.body?.error?.message ?? '', /Payload Too Large/);
    const huge = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'ping',
      params: { pad: 'x'.repeat(10_000) },
    });
    assert.equal((await post(gw.url, huge)).status, 413);
    await stillServing();
  });

  it('answers a wrong Content-Type with 415', async () => {
    const r = await post(gw.url, initialize, { 'content-type': 'text/plain' });
    assert.equal(r.status, 415);
    await stillServing();
  });

  it('answers an unknown or ended session with 404', async () => {
    const unknown = await post(gw.url, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }), {
      'mcp-session-id': 'no-such-session',
      'mcp-protocol-version': '2025-11-25',
    });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body?.error?.code, -32001);

    const opened = await post(gw.url, initialize);
    const session = opened.headers.get('mcp-session-id');
    assert.ok(session);
    const ended = await fetch(gw.url, {
      method: 'DELETE',
      headers: { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' },
    });
    assert.equal(ended.status, 200);
    const after = await post(gw.url, JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' }), {
      'mcp-session-id': session,
      'mcp-protocol-version': '2025-11-25',
    });
    assert.equal(after.status, 404);
    await stillServing();
  });

  it('requires a session for 2025-era requests other than initialize (400)', async () => {
    const r = await post(gw.url, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }));
    assert.equal(r.status, 400);
    assert.equal(r.body?.error?.code, -32600);
  });

  it('answers an unsupported MCP-Protocol-Version header with 400', async () => {
    const opened = await post(gw.url, initialize);
    const session = opened.headers.get('mcp-session-id') ?? '';
    const legacy = await post(gw.url, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }), {
      'mcp-session-id': session,
      'mcp-protocol-version': '1999-01-01',
    });
    assert.equal(legacy.status, 400);
    const modern = await post(
      gw.url,
      JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: { _meta: MODERN_META } }),
      { 'mcp-protocol-version': '2025-06-18', 'mcp-method': 'tools/list' },
    );
    assert.equal(modern.status, 400);
    await stillServing();
  });

  it('answers an unknown method with -32601 in both eras', async () => {
    const opened = await post(gw.url, initialize);
    const session = opened.headers.get('mcp-session-id') ?? '';
    const legacy = await post(gw.url, JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'no/such/method' }), {
      'mcp-session-id': session,
      'mcp-protocol-version': '2025-11-25',
    });
    assert.equal(legacy.body?.error?.code, -32601);
    const modern = await post(
      gw.url,
      JSON.stringify({ jsonrpc: '2.0', id: 6, method: 'no/such/method', params: { _meta: MODERN_META } }),
      { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'no/such/method' },
    );
    assert.equal(modern.body?.error?.code, -32601);
    await stillServing();
  });

  it('answers GET and DELETE of the modern era with 405 and other HTTP methods with 405', async () => {
    const put = await fetch(gw.url, { method: 'PUT', body: '{}' });
    assert.equal(put.status, 405);
    const get = await fetch(gw.url, { method: 'GET', headers: { 'mcp-protocol-version': '2026-07-28' } });
    assert.ok(get.status === 405 || get.status === 400, `GET without a session: ${get.status}`);
  });

  it('serves health and readiness', async () => {
    const health = await fetch(gw.url.replace('/mcp', '/healthz'));
    assert.equal(health.status, 200);
    const ready = await fetch(gw.url.replace('/mcp', '/readyz'));
    assert.equal(ready.status, 200);
    const body = (await ready.json()) as { upstreams: { name: string; state: string }[] };
    assert.deepEqual(
      body.upstreams.map((u) => [u.name, u.state]),
      [['alpha', 'ready']],
    );
  });
});
