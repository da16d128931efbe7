/**
 * Tool search with an embedding model: the real provider client (Vercel AI SDK, OpenAI-compatible)
 * against a loopback `/v1/embeddings` server that embeds text as counts of a few concepts (the
 * only double: no model runs here). A question that shares no word with a tool finds it through
 * the model; the key goes to the model as a Bearer token; tools the caller may not see are never
 * sent to the model; and when the model fails the search still answers, by words alone.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/client';
import {
  connectClient,
  fixtureUpstreamYaml,
  startGateway,
  type TestGateway,
  textOf,
  waitFor,
} from './helpers/harness.ts';

/** Each concept is a dimension; a text's vector counts the words of each (plus a constant). */
const CONCEPTS = [
  ['echo', 'repeat', 'parrot', 'back'],
  ['pid', 'process', 'identifier'],
  ['progress', 'slow', 'steps'],
  ['ask', 'question', 'user', 'word'],
  ['add', 'register', 'new'],
];

function embed(text: string): number[] {
  const words = text.toLowerCase().split(/[^a-z]+/);
  return [...CONCEPTS.map((concept) => words.filter((w) => concept.includes(w)).length), 0.1];
}

interface EmbeddingServer {
  server: Server;
  url: string;
  inputs: string[];
  authorizations: (string | undefined)[];
  failing: boolean;
  /** Answer nothing for this long (then fail): a model too slow to wait for. */
  hangMs: number;
}

async function embeddingServer(): Promise<EmbeddingServer> {
  const state = {
    inputs: [] as string[],
    authorizations: [] as (string | undefined)[],
    failing: false,
    hangMs: 0,
  };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', async () => {
      state.authorizations.push(req.headers.authorization);
      if (state.hangMs > 0) await new Promise((resolve) => setTimeout(resolve, state.hangMs));
      if (state.failing || state.hangMs > 0 || req.url !== '/v1/embeddings') {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'model is down', type: 'server_error' } }));
        return;
      }
      const { input, model } = JSON.parse(body) as { input: string | string[]; model: string };
      const values = Array.isArray(input) ? input : [input];
      state.inputs.push(...values);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          object: 'list',
          model,
          data: values.map((value, index) => ({ object: 'embedding', index, embedding: embed(value) })),
          usage: { prompt_tokens: values.length, total_tokens: values.length },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, { server, url: `http://127.0.0.1:${port}/v1` });
}

const KEY_VARIABLE = 'GH_TEST_EMBEDDINGS_KEY';
const KEY = 'test-embeddings-key-0123456789';

describe('tool search with an embedding model', () => {
  let gw: TestGateway;
  let model: EmbeddingServer;
  let client: Client;

  before(async () => {
    model = await embeddingServer();
    process.env[KEY_VARIABLE] = KEY;
    gw = await startGateway(`upstreams:
${fixtureUpstreamYaml('alpha')}
auth:
  anonymous: { roles: [finder] }
policy:
  groups:
    work:
      allow: [{ tools: ["alpha_*"] }]
      deny: [{ tools: [alpha_pid] }]
  roles:
    finder: { groups: [work] }
toolSearch:
  limit: 2
  roles:
    finder: { core: [] }
  embeddings:
    baseUrl: ${model.url}
    model: concept-counter
    apiKeyEnv: ${KEY_VARIABLE}
    weight: 0.6
`);
    client = await connectClient(gw.url, 'modern');
  });

  after(async () => {
    await client?.close();
    await gw?.close();
    delete process.env[KEY_VARIABLE];
    await new Promise((resolve) => model?.server.close(resolve));
  });

  async function search(query: string): Promise<string[]> {
    const result = await client.callTool({ name: 'search_tools', arguments: { query } });
    const found = JSON.parse(textOf(result)) as { tools: { name: string }[] };
    return found.tools.map((t) => t.name);
  }

  it('finds a tool through the model for a question that shares no word with it', async () => {
    // Words alone find nothing; once the tools' vectors are in (computed in the background), the model does.
    assert.deepEqual(await search('parrot what I say back'), []);
    await waitFor(
      async () => (await search('parrot what I say back'))[0] === 'alpha_echo',
      10_000,
      'the model',
    );
    assert.ok(
      model.authorizations.every((a) => a === `Bearer ${KEY}`),
      'the key is sent as a Bearer token',
    );
    assert.ok(
      !model.inputs.some((text) => /process id/i.test(text)),
      'the hidden tool is never sent to the model',
    );
  });

  it('answers by words alone while the model fails', async () => {
    model.failing = true;
    try {
      assert.deepEqual((await search('slow progress'))[0], 'alpha_slow_progress');
      assert.deepEqual(await search('parrot what I say back'), []);
    } finally {
      model.failing = false;
    }
    assert.equal((await search('parrot what I say back'))[0], 'alpha_echo');
  });

  it('waits 2 s at most for a slow model, then searches by words alone for a while', async () => {
    model.hangMs = 4_000;
    let started = performance.now();
    assert.deepEqual(await search('parrot what I say back'), []);
    const waited = performance.now() - started;
    assert.ok(waited >= 1_900 && waited < 3_500, `waited ${Math.round(waited)} ms`);
    model.hangMs = 0;
    // The model answers again, but after a timeout the gateway does not ask it for a while.
    started = performance.now();
    assert.deepEqual(await search('parrot what I say back'), []);
    assert.equal((await search('echo'))[0], 'alpha_echo');
    assert.ok(performance.now() - started < 1_000);
  });
});
