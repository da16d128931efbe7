/**
 * Faithful pass-through across eras: elicitation an upstream sends mid-call reaches the client
 * (as a server→client request on 2025-era sessions, as input_required on 2026-07-28) and the
 * answer reaches the upstream; progress keeps the client's own token; log messages arrive.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/client';
import {
  type ClientEra,
  connectClient,
  fixtureUpstreamYaml,
  startGateway,
  type TestGateway,
  textOf,
} from './helpers/harness.ts';

const ERAS: ClientEra[] = ['legacy', 'modern'];

function answerWith(word: string, seen: string[]) {
  return (client: Client) => {
    client.setRequestHandler('elicitation/create', async (request) => {
      seen.push(String(request.params.message));
      return { action: 'accept', content: { word } };
    });
  };
}

describe('pass-through across eras', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway(`upstreams:\n${fixtureUpstreamYaml('alpha')}`);
  });
  after(() => gw.close());

  for (const era of ERAS) {
    it(`relays a 2025-era upstream's elicitation to a ${era} client and the answer back`, async () => {
      const seen: string[] = [];
      const client = await connectClient(gw.url, era, answerWith(`blue-${era}`, seen), {
        capabilities: { elicitation: { form: {} } },
      });
      try {
        const result = await client.callTool({ name: 'alpha_ask', arguments: {} });
        assert.equal(textOf(result), `you said blue-${era}`);
        assert.deepEqual(seen, ['Which word?']);
        assert.equal(gw.gateway.suspended.size, 0, 'no suspended call left behind');
      } finally {
        await client.close();
      }
    });

    it(`relays a declined elicitation (${era})`, async () => {
      const client = await connectClient(
        gw.url,
        era,
        (c) => c.setRequestHandler('elicitation/create', async () => ({ action: 'decline' })),
        { capabilities: { elicitation: { form: {} } } },
      );
      try {
        const result = await client.callTool({ name: 'alpha_ask', arguments: {} });
        assert.equal(textOf(result), 'you said (decline)');
      } finally {
        await client.close();
      }
    });

    it(`relays progress with the client's own token and log messages (${era})`, async () => {
      const client = await connectClient(gw.url, era);
      const progress: number[] = [];
      const logs: string[] = [];
      client.setNotificationHandler('notifications/message', (n) => {
        logs.push(String(n.params.data));
      });
      try {
        const result = await client.callTool(
          { name: 'alpha_slow_progress', arguments: {} },
          { onprogress: (p) => progress.push(p.progress) },
        );
        assert.equal(textOf(result), 'done');
        assert.deepEqual(progress, [0, 50, 100]);
        if (era === 'legacy') assert.deepEqual(logs, ['step 0', 'step 50', 'step 100']);
      } finally {
        await client.close();
      }
    });
  }

  it('rejects a tampered requestState with -32602', async () => {
    const response = await fetch(gw.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/call',
        'mcp-name': 'alpha_ask',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 9,
        method: 'tools/call',
        params: {
          name: 'alpha_ask',
          arguments: {},
          requestState: 'v1.forged.state',
          inputResponses: { 'elicit-1': { action: 'accept', content: { word: 'x' } } },
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientCapabilities': { elicitation: { form: {} } },
          },
        },
      }),
    });
    const text = await response.text();
    const line = text.split('\n').find((l) => l.startsWith('data: {')) ?? text;
    const body = JSON.parse(line.replace(/^data: /, '')) as { error?: { code: number } };
    assert.equal(body.error?.code, -32602);
  });
});
