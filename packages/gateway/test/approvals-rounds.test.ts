/**
 * An approval carried through later rounds is spent with them: when an approved call's upstream
 * (2026-07-28) asks for input itself, the gateway's requestState for that round carries the
 * approval — and answering the same round a second time is refused, so a replay cannot run the
 * approved call again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SqliteApiKeys } from '../src/auth/api-keys-sqlite.ts';
import { type AskingServer, startAskingServer } from './fixtures/asking-modern-server.ts';
import { startGateway, type TestGateway, tempStorage } from './helpers/harness.ts';

interface Answer {
  result?: {
    resultType?: string;
    requestState?: string;
    inputRequests?: Record<string, unknown>;
    content?: { text: string }[];
  };
  error?: { code: number; message: string; data?: { reason?: string } };
}

describe('approvals: the rounds of an approved call', () => {
  let upstream: AskingServer;
  let gw: TestGateway;
  let key: string;

  before(async () => {
    upstream = await startAskingServer();
    const storage = tempStorage();
    const keys = new SqliteApiKeys(storage);
    key = keys.create({ user: 'alice', roles: ['ops'] }).key;
    keys.close();
    gw = await startGateway(`upstreams:
  - name: asking
    transport: http
    url: ${upstream.url}
auth: { apiKeys: true }
approvals: { mode: in-band }
policy:
  groups:
    work: { allow: [{ tools: [asking_confirm], approval: true }] }
  roles:
    ops: { groups: [work] }
storage: { path: ${JSON.stringify(storage)} }
`);
  });

  after(async () => {
    await gw?.close();
    await upstream?.close();
  });

  async function post(params: Record<string, unknown>): Promise<Answer> {
    const response = await fetch(gw.url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/call',
        'mcp-name': 'asking_confirm',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: {
          name: 'asking_confirm',
          arguments: { what: 'deploy' },
          ...params,
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientCapabilities': { elicitation: { form: {} } },
          },
        },
      }),
    });
    const text = await response.text();
    const line = text.split('\n').find((l) => l.startsWith('data: {')) ?? text;
    return JSON.parse(line.replace(/^data: /, '')) as Answer;
  }

  it('refuses a later round answered a second time; the upstream ran once', async () => {
    const asked = await post({});
    assert.ok(asked.result?.inputRequests?.['gatehouse-approval'], JSON.stringify(asked));
    const approved = await post({
      requestState: asked.result?.requestState,
      inputResponses: { 'gatehouse-approval': { action: 'accept', content: { approve: true } } },
    });
    assert.ok(approved.result?.inputRequests?.word, JSON.stringify(approved));
    const round = {
      requestState: approved.result?.requestState,
      inputResponses: { word: { action: 'accept', content: { word: 'teal' } } },
    };
    const ran = await post(round);
    assert.equal(ran.result?.content?.[0]?.text, 'run #1: teal', JSON.stringify(ran));

    const replayed = await post(round);
    assert.equal(replayed.error?.code, -32058, `the replay ran again: ${JSON.stringify(replayed)}`);
    assert.match(replayed.error?.message ?? '', /already used/);
    assert.equal(replayed.error?.data?.reason, 'already-used');
    assert.equal(upstream.runs, 1);
  });
});
