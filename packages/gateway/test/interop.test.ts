/**
 * Interoperability with habits of servers nobody here wrote (those of the conformance suite's
 * reference server, reproduced on the wire by fixtures/quirky-modern-server.ts), and readiness:
 * the gateway never claims a known tool is unknown while it starts.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { JsonValueSplitter } from '../src/upstream/json-stream-fetch.ts';
import { type QuirkyServer, startQuirkyServer } from './fixtures/quirky-modern-server.ts';
import { readyz } from './helpers/child-gateway.ts';
import { upstreamOf } from './helpers/faults.ts';
import { fixtureUpstreamYaml, startGateway, type TestGateway, textOf, waitFor } from './helpers/harness.ts';
import { MODERN_ENVELOPE, post } from './helpers/raw-http.ts';

/** One raw 2026-07-28 tools/call, so the test sees exactly what the gateway put on the wire. */
async function rawCall(
  url: string,
  name: string,
  args: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const body = {
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name, arguments: args, _meta: MODERN_ENVELOPE },
  };
  const headers = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': name };
  const { messages } = await post(url, body, headers);
  return messages.at(-1) as Record<string, unknown>;
}

describe('JsonValueSplitter', () => {
  it('splits concatenated JSON values however the chunks fall', () => {
    const values = [
      { a: 1, s: 'brace } and [ bracket' },
      [1, { b: '"quoted" \\ backslash' }],
      { nested: { deeper: [{}, []] }, text: 'line\nbreak' },
    ];
    const text = `${values.map((v) => JSON.stringify(v)).join('\n')}\n  ${JSON.stringify(values[0], null, 2)}`;
    for (const size of [1, 2, 3, 7, text.length]) {
      const splitter = new JsonValueSplitter();
      const out: string[] = [];
      for (let i = 0; i < text.length; i += size) out.push(...splitter.push(text.slice(i, i + size)));
      assert.deepEqual(
        out.map((v) => JSON.parse(v)),
        [...values, values[0]],
        `chunks of ${size}`,
      );
      assert.equal(splitter.rest, '');
    }
  });
  it('keeps an unfinished value for the caller to report', () => {
    const splitter = new JsonValueSplitter();
    assert.deepEqual(splitter.push('{"a":1}{"b":'), ['{"a":1}']);
    assert.equal(splitter.rest, '{"b":');
  });
});

describe("an upstream with the reference server's habits", () => {
  let quirky: QuirkyServer;
  let gw: TestGateway;
  after(async () => {
    await gw?.close();
    await quirky?.close();
  });

  it('is ready although the upstream holds its listen stream open, and keeps listening', async () => {
    quirky = await startQuirkyServer();
    // Pinning off: the server announces changes without changing its list, and only an upstream
    // that does not pin its tools has such announcements passed on (a pinned one's are checked).
    gw = await startGateway(
      `upstreams:\n  - name: quirky\n    transport: http\n    url: ${quirky.url}\n    prefix: ""\n    pinning: false\n`,
      {},
      { settle: false },
    );
    // Before the change feed, connect() waited for the listen acknowledgement the SDK could not
    // read from a held-open application/json body: readiness took the 60 s request timeout.
    await waitFor(async () => (await readyz(gw.url)).status === 200, 8_000, 'ready');
    await waitFor(() => quirky.listeners === 1, 5_000, 'the gateway listening upstream');
  });

  it('reads results without resultType as complete, relays them with it, and keeps the breaker closed', async () => {
    for (let i = 0; i < 8; i++) {
      const message = await rawCall(gw.url, 'echo', { text: `hi ${i}` });
      const result = message.result as Record<string, unknown>;
      assert.equal(result.resultType, 'complete');
      assert.equal(textOf(result), `echo: hi ${i}`);
    }
    assert.equal(quirky.calls, 8);
    assert.equal(upstreamOf(gw, 'quirky').resilience.breakerState, 'closed');
  });

  it("relays the upstream's list_changed to a client's listen stream", async () => {
    let changed = 0;
    const client = new Client(
      { name: 'interop-test', version: '1.0.0' },
      {
        versionNegotiation: { mode: { pin: '2026-07-28' } },
        listChanged: { tools: { autoRefresh: false, debounceMs: 0, onChanged: () => changed++ } },
      },
    );
    await client.connect(new StreamableHTTPClientTransport(new URL(gw.url)));
    try {
      quirky.announceToolsChanged();
      await waitFor(() => changed > 0, 5_000, 'tools/list_changed through the gateway');
    } finally {
      await client.close();
    }
  });
});

describe('start-up', () => {
  it('answers a call for a tool whose upstream is still starting, instead of "unknown tool"', async () => {
    const gw = await startGateway(
      `upstreams:\n${fixtureUpstreamYaml('slow', { FIXTURE_START_DELAY_MS: '1500' })}`,
      {},
      { settle: false },
    );
    try {
      assert.equal((await readyz(gw.url)).status, 503, 'not ready while the upstream starts');
      const message = await rawCall(gw.url, 'slow_echo', { message: 'early' });
      assert.equal(message.error, undefined, JSON.stringify(message));
      assert.equal(textOf(message.result as Record<string, unknown>).includes('early'), true);
      // A name no upstream could own is still unknown, at once.
      const unknown = await rawCall(gw.url, 'nobody_echo', {});
      assert.equal((unknown.error as { code: number }).code, -32602);
    } finally {
      await gw.close();
    }
  });

  it('answers "unavailable, retry" when the upstream takes longer than the wait, never "unknown"', async () => {
    const gw = await startGateway(
      `upstreams:\n${fixtureUpstreamYaml('slower', { FIXTURE_START_DELAY_MS: '15000' })}`,
      {},
      { settle: false },
    );
    try {
      const message = await rawCall(gw.url, 'slower_echo', { message: 'early' });
      const result = message.result as Record<string, unknown>;
      assert.equal(result.isError, true, JSON.stringify(message));
      const explained = (result._meta as Record<string, Record<string, unknown>>)['dev.gatehouse/error'];
      assert.equal(explained?.code, -32050);
      assert.equal(explained?.reason, 'loading');
      assert.equal(explained?.retryAfterSeconds, 1);
    } finally {
      await gw.close();
    }
  });
});
