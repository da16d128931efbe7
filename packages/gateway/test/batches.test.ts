/**
 * JSON-RPC batches at the HTTP edge. Only sessions negotiated at 2025-03-26 may send a batch (a
 * JSON array of messages); later versions removed batching and 2026-07-28 has none, so a batch
 * there is -32600 Invalid Request with HTTP 400. An initialize is never part of a batch. The
 * session version is the one initialize negotiated, whatever a later header claims. Every case
 * runs with the call lane and without it, and the gateway still answers a normal call afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixtureUpstreamYaml, startGateway, type TestGateway } from './helpers/harness.ts';
import {
  type Exchange,
  initializeRequest,
  MODERN_ENVELOPE,
  modernToolCall,
  openSession,
  post,
  resultText,
  toolCall,
} from './helpers/raw-http.ts';

const upstream = `upstreams:\n${fixtureUpstreamYaml('alpha')}`;

function assertInvalidRequest(answer: Exchange, message: RegExp): void {
  assert.equal(answer.status, 400);
  assert.equal(answer.messages.length, 1);
  assert.equal(answer.messages[0]?.id, null);
  assert.equal(answer.messages[0]?.error?.code, -32600);
  assert.match(answer.messages[0]?.error?.message ?? '', message);
}

const twoCalls = [
  toolCall(1, 'alpha_echo', { message: 'one' }),
  toolCall(2, 'alpha_echo', { message: 'two' }),
];

for (const lane of [true, false]) {
  describe(`JSON-RPC batches (${lane ? 'call lane' : 'SDK path, callLane: false'})`, () => {
    let gw: TestGateway;
    before(async () => {
      gw = await startGateway(`server: { callLane: ${lane} }\n${upstream}`);
    });
    after(() => gw.close());

    /** A single (unbatched) call on `session` still works, and so does a 2026-07-28 call. */
    async function stillServing(session: Record<string, string>): Promise<void> {
      const single = await post(gw.url, toolCall(9, 'alpha_echo', { message: 'single' }), session);
      assert.equal(resultText(single.messages.at(-1)), 'alpha: single');
      const modern = modernToolCall(10, 'alpha_echo', { message: 'modern' });
      assert.equal(
        resultText((await post(gw.url, modern.body, modern.headers)).messages[0]),
        'alpha: modern',
      );
    }

    for (const version of ['2025-11-25', '2025-06-18']) {
      it(`refuses a batch on a ${version} session with 400 and -32600, and the session goes on`, async () => {
        const session = await openSession(gw.url, version);
        const answer = await post(gw.url, twoCalls, session);
        assertInvalidRequest(
          answer,
          new RegExp(`^Invalid Request: JSON-RPC batches are not supported in protocol version ${version}`),
        );
        const oneElement = await post(gw.url, [toolCall(3, 'alpha_echo', { message: 'x' })], session);
        assertInvalidRequest(oneElement, /batches are not supported/);
        const notifications = await post(
          gw.url,
          [{ jsonrpc: '2.0', method: 'notifications/initialized' }],
          session,
        );
        assertInvalidRequest(notifications, /batches are not supported/);
        await stillServing(session);
      });
    }

    it('judges by the version the session negotiated, not by a header claiming 2025-03-26', async () => {
      const session = await openSession(gw.url, '2025-11-25');
      const answer = await post(gw.url, twoCalls, { ...session, 'mcp-protocol-version': '2025-03-26' });
      assertInvalidRequest(answer, /not supported in protocol version 2025-11-25/);
      await stillServing(session);
    });

    it('serves a batch on a 2025-03-26 session: one answer per request', async () => {
      const session = await openSession(gw.url, '2025-03-26');
      const answer = await post(gw.url, twoCalls, session);
      assert.equal(answer.status, 200);
      const byId = new Map(answer.messages.map((m) => [m.id, m]));
      assert.equal(resultText(byId.get(1)), 'alpha: one');
      assert.equal(resultText(byId.get(2)), 'alpha: two');
      await stillServing(session);
    });

    for (const version of ['2025-03-26', '2025-11-25']) {
      it(`refuses an initialize sent in a batch (${version}), with or without a session`, async () => {
        const alone = await post(gw.url, [initializeRequest(version)]);
        assertInvalidRequest(alone, /^Invalid Request: initialize must be sent alone/);
        const withOthers = await post(gw.url, [initializeRequest(version), toolCall(4, 'alpha_echo', {})]);
        assertInvalidRequest(withOthers, /initialize must be sent alone/);
        const session = await openSession(gw.url, version);
        const inSession = await post(gw.url, [initializeRequest(version, 5)], session);
        assertInvalidRequest(inSession, /initialize must be sent alone/);
        await stillServing(session);
      });
    }

    it('refuses a 2026-07-28 batch with 400 and -32600', async () => {
      const modernCall = (id: number) => ({
        ...toolCall(id, 'alpha_echo', { message: 'x' }),
        params: { name: 'alpha_echo', arguments: { message: 'x' }, _meta: MODERN_ENVELOPE },
      });
      const answer = await post(gw.url, [modernCall(6), modernCall(7)], {
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/call',
        'mcp-name': 'alpha_echo',
      });
      assertInvalidRequest(answer, /batch/i);
      await stillServing(await openSession(gw.url, '2025-11-25'));
    });
  });
}
