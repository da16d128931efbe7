/**
 * The call lane answers exactly as the SDK path does. Two gateways with the same upstream and
 * policy — one with the lane (the default), one with `server.callLane: false` — get the same raw
 * HTTP requests in both eras; status, media type and every JSON-RPC message must agree. Plus what
 * only the lane does: it is really taken (no SDK server built, a JSON answer in a 2025 session),
 * cancellation of a call on it, and its refusals of bad bodies.
 */
import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { fixtureUpstreamYaml, startGateway, type TestGateway, textOf, waitFor } from './helpers/harness.ts';
import { type Exchange, post } from './helpers/raw-http.ts';

const POLICY = `auth:
  anonymous: { roles: [everyone] }
approvals:
  destructiveTools: true
policy:
  groups:
    everything:
      allow: [{ tools: ["*"], resources: ["*"], prompts: ["*"] }]
      deny:
        - tools: [alpha_echo]
          when: ['message == "forbidden"']
  roles:
    everyone: { groups: [everything] }
`;

const upstream = `upstreams:\n${fixtureUpstreamYaml('alpha', { FIXTURE_META: '1', FIXTURE_DESTRUCTIVE: 'wipe' })}`;

const MODERN_ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'lane-test', version: '1.0.0' },
};

function modernCall(
  id: number,
  name: string,
  args: Record<string, unknown>,
  meta: Record<string, unknown> = {},
) {
  return {
    body: {
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name, arguments: args, _meta: { ...MODERN_ENVELOPE, ...meta } },
    },
    headers: { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': name },
  };
}

/** A 2025-11-25 session opened with raw HTTP; returns the headers every later POST carries. */
async function openSession(url: string, capabilities: Record<string, unknown> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities,
        clientInfo: { name: 'lane-test', version: '1' },
      },
    }),
  });
  await response.text();
  const sessionId = response.headers.get('mcp-session-id');
  assert.ok(sessionId, 'initialize opens a session');
  const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' };
  await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
  return headers;
}

function legacyCall(id: number, name: string, args: Record<string, unknown>, meta?: Record<string, unknown>) {
  return {
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name, arguments: args, ...(meta && { _meta: meta }) },
  };
}

interface Case {
  name: string;
  tool: string;
  args: Record<string, unknown>;
  meta?: Record<string, unknown>;
  /** How many messages the answer holds, per era, where that is part of the point. */
  messages?: { modern: number; legacy: number };
}

const CASES: Case[] = [
  { name: 'a plain result', tool: 'alpha_echo', args: { message: 'hi' } },
  { name: 'a policy refusal (an error)', tool: 'alpha_echo', args: { message: 'forbidden' } },
  { name: 'an unknown tool', tool: 'alpha_nope', args: {} },
  { name: 'a result with its own _meta and structured content', tool: 'alpha_with_meta', args: {} },
  { name: 'invalid arguments for the upstream', tool: 'alpha_echo', args: { message: { a: 1 } } },
  {
    // 2026-07-28 asks for no log messages here; 2025: three, handed over with the result.
    name: 'a call that logs',
    tool: 'alpha_slow_progress',
    args: { stepMs: 0 },
    messages: { modern: 1, legacy: 4 },
  },
  {
    name: 'a progress token (not the lane): every progress message arrives before the result',
    tool: 'alpha_slow_progress',
    args: { stepMs: 10 },
    meta: { progressToken: 'p1' },
    messages: { modern: 4, legacy: 7 },
  },
];

describe('call lane', () => {
  let lane: TestGateway;
  let sdk: TestGateway;
  let serversBuilt = 0;

  before(async () => {
    [lane, sdk] = await Promise.all([
      startGateway(`server: { listTtlMs: 5000 }\n${upstream}\n${POLICY}`),
      startGateway(`server: { callLane: false, listTtlMs: 5000 }\n${upstream}\n${POLICY}`),
    ]);
    const build = lane.gateway.createServer.bind(lane.gateway);
    lane.gateway.createServer = (origin) => {
      serversBuilt++;
      return build(origin);
    };
  });
  after(async () => {
    await Promise.all([lane.close(), sdk.close()]);
  });

  describe('answers 2026-07-28 calls exactly as the SDK path', () => {
    for (const c of CASES) {
      it(c.name, async () => {
        const request = modernCall(7, c.tool, c.args, c.meta);
        const [viaLane, viaSdk] = await Promise.all([
          post(lane.url, request.body, request.headers),
          post(sdk.url, request.body, request.headers),
        ]);
        assert.deepEqual(viaLane, viaSdk);
        assert.equal(viaLane.messages.length, c.messages?.modern ?? 1);
      });
    }

    for (const [label, params] of [
      ['tools/list', {}],
      ['tools/list with a cursor it never issued (error)', { cursor: 'not-a-cursor' }],
    ] as const) {
      it(label, async () => {
        const body = {
          jsonrpc: '2.0',
          id: 21,
          method: 'tools/list',
          params: { ...params, _meta: MODERN_ENVELOPE },
        };
        const headers = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' };
        const [viaLane, viaSdk] = await Promise.all([
          post(lane.url, body, headers),
          post(sdk.url, body, headers),
        ]);
        assert.deepEqual(viaLane, viaSdk);
      });
    }

    it('an envelope asking for log messages goes the SDK way and gets them', async () => {
      const request = modernCall(
        8,
        'alpha_slow_progress',
        { stepMs: 0 },
        {
          'io.modelcontextprotocol/logLevel': 'info',
        },
      );
      const [viaLane, viaSdk] = await Promise.all([
        post(lane.url, request.body, request.headers),
        post(sdk.url, request.body, request.headers),
      ]);
      assert.deepEqual(viaLane, viaSdk);
      assert.equal(viaLane.mediaType, 'text/event-stream');
      assert.equal(viaLane.messages.length, 4, 'three log messages and the result');
    });

    it('mismatched standard headers get the SDK answer', async () => {
      const request = modernCall(9, 'alpha_echo', { message: 'hi' });
      const headers = { ...request.headers, 'mcp-name': 'alpha_pid' };
      const [viaLane, viaSdk] = await Promise.all([
        post(lane.url, request.body, headers),
        post(sdk.url, request.body, headers),
      ]);
      assert.deepEqual(viaLane, viaSdk);
      assert.equal(viaLane.status, 400);
    });

    it('is really taken: neither a plain call nor an error builds an SDK server', async () => {
      const before = serversBuilt;
      const ok = modernCall(10, 'alpha_echo', { message: 'hi' });
      const answered = await post(lane.url, ok.body, ok.headers);
      assert.equal(textOf((answered.messages[0] as { result: { content: unknown } }).result), 'alpha: hi');
      assert.equal(serversBuilt, before, 'the lane answered without an SDK server');
      const list = await post(
        lane.url,
        { jsonrpc: '2.0', id: 23, method: 'tools/list', params: { _meta: MODERN_ENVELOPE } },
        { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' },
      );
      assert.ok((list.messages[0] as { result: { tools: unknown[] } }).result.tools.length > 3);
      assert.equal(serversBuilt, before, 'tools/list too');
      const denied = modernCall(11, 'alpha_echo', { message: 'forbidden' });
      await post(lane.url, denied.body, denied.headers);
      assert.equal(serversBuilt, before, 'the lane encoded the refusal too');
    });

    it('an in-band approval question (input_required), with a requestState that works on either path', async () => {
      const envelope = { 'io.modelcontextprotocol/clientCapabilities': { elicitation: { form: {} } } };
      const request = modernCall(13, 'alpha_wipe', {}, envelope);
      const [viaLane, viaSdk] = await Promise.all([
        post(lane.url, request.body, request.headers),
        post(sdk.url, request.body, request.headers),
      ]);
      const state = (exchange: Exchange) =>
        (exchange.messages[0] as { result: { requestState?: string } }).result.requestState;
      const masked = (exchange: Exchange) => {
        const message = structuredClone(exchange.messages[0]) as { result: Record<string, unknown> };
        message.result.requestState = state(exchange) === undefined ? 'absent' : 'sealed';
        return { ...exchange, messages: [message] };
      };
      assert.deepEqual(masked(viaLane), masked(viaSdk));
      assert.equal(
        (viaLane.messages[0] as { result: { resultType: string } }).result.resultType,
        'input_required',
      );
      // The lane's sealed state opens on the SDK path of the same gateway: the user's answer
      // (a second round, which carries inputResponses and so is not the lane's) approves the call.
      const answer = {
        body: {
          ...request.body,
          id: 14,
          params: {
            ...request.body.params,
            inputResponses: { 'gatehouse-approval': { action: 'accept', content: { approve: true } } },
            requestState: state(viaLane),
          },
        },
        headers: request.headers,
      };
      const approved = await post(lane.url, answer.body, answer.headers);
      const result = (approved.messages[0] as { result?: { resultType?: string }; error?: unknown }).result;
      assert.equal(result?.resultType, 'complete', JSON.stringify(approved.messages[0]));
    });
  });

  describe('answers 2025-era session calls as the SDK path does', () => {
    for (const c of CASES) {
      it(c.name, async () => {
        const [laneSession, sdkSession] = await Promise.all([openSession(lane.url), openSession(sdk.url)]);
        const body = legacyCall(3, c.tool, c.args, c.meta);
        const [viaLane, viaSdk] = await Promise.all([
          post(lane.url, body, laneSession),
          post(sdk.url, body, sdkSession),
        ]);
        assert.equal(viaLane.status, viaSdk.status);
        assert.deepEqual(viaLane.messages, viaSdk.messages);
        assert.equal(viaLane.messages.length, c.messages?.legacy ?? 1);
      });
    }

    for (const [label, params] of [
      ['tools/list', undefined],
      ['tools/list with a cursor it never issued (error)', { cursor: 'not-a-cursor' }],
    ] as const) {
      it(label, async () => {
        const [laneSession, sdkSession] = await Promise.all([openSession(lane.url), openSession(sdk.url)]);
        const body = { jsonrpc: '2.0', id: 22, method: 'tools/list', ...(params && { params }) };
        const [viaLane, viaSdk] = await Promise.all([
          post(lane.url, body, laneSession),
          post(sdk.url, body, sdkSession),
        ]);
        assert.equal(viaLane.status, viaSdk.status);
        assert.deepEqual(viaLane.messages, viaSdk.messages);
      });
    }

    it('is really taken: a plain result comes back as JSON, not as an event stream', async () => {
      const session = await openSession(lane.url);
      const answered = await post(lane.url, legacyCall(4, 'alpha_echo', { message: 'hi' }), session);
      assert.equal(answered.mediaType, 'application/json');
      const viaSdk = await post(
        sdk.url,
        legacyCall(4, 'alpha_echo', { message: 'hi' }),
        await openSession(sdk.url),
      );
      assert.equal(viaSdk.mediaType, 'text/event-stream');
    });

    it('filters log messages by the level the session set, as the SDK path does', async () => {
      const [laneSession, sdkSession] = await Promise.all([openSession(lane.url), openSession(sdk.url)]);
      const setLevel = { jsonrpc: '2.0', id: 40, method: 'logging/setLevel', params: { level: 'error' } };
      await Promise.all([post(lane.url, setLevel, laneSession), post(sdk.url, setLevel, sdkSession)]);
      const body = legacyCall(41, 'alpha_slow_progress', { stepMs: 0 });
      const [viaLane, viaSdk] = await Promise.all([
        post(lane.url, body, laneSession),
        post(sdk.url, body, sdkSession),
      ]);
      assert.deepEqual(viaLane.messages, viaSdk.messages);
      assert.equal(viaLane.messages.length, 1, 'info messages are below the session level');
      assert.equal(viaLane.mediaType, 'application/json', 'the lane answered');
    });

    it('leaves a client that can be asked back (elicitation) to the SDK path', async () => {
      const session = await openSession(lane.url, { elicitation: {} });
      const answered = await post(lane.url, legacyCall(42, 'alpha_echo', { message: 'hi' }), session);
      assert.equal(answered.mediaType, 'text/event-stream', 'the SDK transport answered');
      assert.equal(textOf((answered.messages[0] as { result: { content: unknown } }).result), 'alpha: hi');
    });

    it('a call that is not plain is answered on an SSE stream that opens with a priming event', async () => {
      const session = await openSession(lane.url);
      const response = await fetch(lane.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...session,
        },
        body: JSON.stringify(legacyCall(8, 'alpha_echo', { message: 'hi' }, { progressToken: 'p8' })),
      });
      assert.equal(response.headers.get('content-type'), 'text/event-stream');
      const firstEvent = (await response.text()).split('\n\n')[0] ?? '';
      assert.match(firstEvent, /^id: \S+\nretry: \d+\ndata: $/, 'an id, a retry interval and empty data');
    });

    it("another principal's or an unknown session is answered as the SDK answers it", async () => {
      const headers = { 'mcp-session-id': 'no-such-session', 'mcp-protocol-version': '2025-11-25' };
      const body = legacyCall(5, 'alpha_echo', { message: 'hi' });
      const [viaLane, viaSdk] = await Promise.all([
        post(lane.url, body, headers),
        post(sdk.url, body, headers),
      ]);
      assert.deepEqual(viaLane, viaSdk);
      assert.equal(viaLane.status, 404);
    });

    it('notifications/cancelled stops a call on the lane; it gets no answer and the session goes on', async () => {
      const session = await openSession(lane.url);
      const slow = post(lane.url, legacyCall(6, 'alpha_slow_progress', { stepMs: 400 }), session);
      await new Promise((r) => setTimeout(r, 150));
      const ack = await post(
        lane.url,
        { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 6, reason: 'test' } },
        session,
      );
      assert.equal(ack.status, 202);
      const started = performance.now();
      const cancelled = await slow;
      assert.ok(performance.now() - started < 1000, 'the call ended when it was cancelled');
      assert.deepEqual(cancelled.messages, [], 'no answer for a cancelled request');
      const next = await post(lane.url, legacyCall(7, 'alpha_echo', { message: 'still here' }), session);
      assert.equal(
        textOf((next.messages[0] as { result: { content: unknown } }).result),
        'alpha: still here',
      );
    });
  });

  it('a 2025-era caller that disconnects does not cancel: the call on the lane runs to its end, audited', async () => {
    const session = await openSession(lane.url);
    const gone = new AbortController();
    const body = legacyCall(31, 'alpha_slow_progress', { stepMs: 150 });
    const call = fetch(lane.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...session,
      },
      body: JSON.stringify(body),
      signal: gone.signal,
    }).catch(() => 'aborted');
    await new Promise((r) => setTimeout(r, 100));
    gone.abort();
    assert.equal(await call, 'aborted');
    const db = new DatabaseSync(lane.gateway.model.storage.path, { readOnly: true });
    try {
      const ended = () =>
        db
          .prepare(`SELECT status FROM audit_log WHERE target = 'alpha_slow_progress' AND event LIKE ?`)
          .all(`%${session['mcp-session-id']}%`) as { status: string }[];
      await waitFor(async () => ended().length === 1, 5000, 'the call audited');
      assert.deepEqual(
        ended().map((r) => r.status),
        ['ok'],
      );
    } finally {
      db.close();
    }
  });

  describe('admits once', () => {
    it('verifies a credential once per request, and refuses it as the SDK path does', async () => {
      const authenticator = lane.gateway.access.authenticator;
      const verify = authenticator.authenticateHttp.bind(authenticator);
      let verified = 0;
      authenticator.authenticateHttp = (authorization) => {
        verified++;
        return verify(authorization);
      };
      try {
        const request = modernCall(50, 'alpha_echo', { message: 'hi' });
        const headers = { ...request.headers, authorization: 'Bearer ghk_not-a-key' };
        const [viaLane, viaSdk] = await Promise.all([
          post(lane.url, request.body, headers),
          post(sdk.url, request.body, headers),
        ]);
        assert.deepEqual(viaLane, viaSdk);
        assert.equal(viaLane.status, 401);
        assert.equal(verified, 1, 'the refused credential was checked once');
        // A request the lane hands to the SDK path (a progress token) is not admitted again.
        const handed = modernCall(51, 'alpha_echo', { message: 'hi' }, { progressToken: 'p51' });
        await post(lane.url, handed.body, handed.headers);
        assert.equal(verified, 2, 'one check for the handed-over request too');
      } finally {
        authenticator.authenticateHttp = verify;
      }
    });

    it('refuses a foreign Origin before looking at the credential', async () => {
      const request = modernCall(52, 'alpha_echo', { message: 'hi' });
      const headers = { ...request.headers, origin: 'http://evil.example' };
      const [viaLane, viaSdk] = await Promise.all([
        post(lane.url, request.body, headers),
        post(sdk.url, request.body, headers),
      ]);
      assert.deepEqual(viaLane, viaSdk);
      assert.equal(viaLane.status, 403);
    });
  });

  describe('refuses bad bodies itself, and keeps serving', () => {
    const headers = {
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': 'alpha_echo',
    };
    it('not JSON: -32700', async () => {
      const answered = await post(lane.url, '{"jsonrpc":', headers);
      assert.equal(answered.status, 400);
      assert.equal((answered.messages[0] as { error: { code: number } }).error.code, -32700);
    });
    it('not JSON-RPC: -32600', async () => {
      const answered = await post(lane.url, '{"hello":"world"}', headers);
      assert.equal(answered.status, 400);
      assert.equal((answered.messages[0] as { error: { code: number } }).error.code, -32600);
    });
    it('still serves a good call afterwards', async () => {
      const request = modernCall(12, 'alpha_echo', { message: 'after' });
      const answered = await post(lane.url, request.body, request.headers);
      assert.equal(textOf((answered.messages[0] as { result: { content: unknown } }).result), 'alpha: after');
    });
  });
});
