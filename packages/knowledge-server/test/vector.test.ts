/**
 * Vector and hybrid search against an embedding provider on loopback. The provider is a stand-in
 * for a model provider (test/embedding-provider.ts): a real HTTP server speaking the same
 * OpenAI-compatible `POST /v1/embeddings` interface the knowledge server uses in production, with
 * a deterministic hashed bag-of-words "model". Checked: the request shape, embeddings stored at
 * ingest, hybrid ranking (reciprocal rank fusion) finding what BM25 alone cannot, and a provider
 * outage degrading search to BM25 with a note — and ingest to BM25-only passages that are
 * embedded on the next run — rather than failing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testClient } from '@gatehouse/kit/testing';
import { EmbeddingsClient } from '../src/connectors/embeddings.ts';
import {
  DIMENSIONS,
  type EmbeddingProvider,
  embedText,
  startEmbeddingProvider,
} from './embedding-provider.ts';
import { hitsOf, type TempCorpus, tempCorpus, tempDbPath, testServer } from './helpers.ts';

interface Result {
  document: string;
  heading: string;
  score: number;
}

let provider: EmbeddingProvider;
let corpus: TempCorpus;
before(async () => {
  provider = await startEmbeddingProvider();
  corpus = tempCorpus();
});
after(async () => {
  await provider.close();
  corpus.cleanup();
});

function embeddingsConfig(model = 'hash-bow-256') {
  return { baseUrl: provider.url, apiKey: 'sk-test-key', model, breakerCooldownMs: 50 };
}

describe('hybrid search with an embedding provider', () => {
  test('ingest embeds every passage with an OpenAI-compatible request', async () => {
    provider.requests.length = 0;
    const server = testServer({
      docsDir: corpus.dir,
      dbPath: tempDbPath(corpus, 'shape.db'),
      embeddings: embeddingsConfig(),
    });
    try {
      await server.service.ready();
      const { passages, embedded } = server.service.store.counts();
      assert.ok(passages > 0);
      assert.equal(embedded, passages);
      assert.ok(provider.requests.length > 0);
      for (const request of provider.requests) {
        assert.equal(request.method, 'POST');
        assert.equal(request.url, '/v1/embeddings');
        assert.equal(request.headers.authorization, 'Bearer sk-test-key');
        assert.match(String(request.headers['content-type']), /^application\/json/);
        assert.equal(request.body.model, 'hash-bow-256');
        assert.equal(request.body.encoding_format, 'float');
        assert.ok(Array.isArray(request.body.input) && request.body.input.length > 0);
      }
      const inputs = provider.requests.flatMap((r) => r.body.input ?? []);
      assert.equal(inputs.length, passages);
      assert.ok(
        inputs.some((i) => i.startsWith('Database failover > Promote the replica\n\n## Promote the replica')),
      );
    } finally {
      await server.close();
    }
  });

  test('hybrid ranking finds passages that share no word with the query; BM25 alone finds none', async () => {
    const hybrid = testServer({
      docsDir: corpus.dir,
      dbPath: tempDbPath(corpus, 'hybrid.db'),
      embeddings: embeddingsConfig(),
    });
    const lexical = testServer({ docsDir: corpus.dir, dbPath: tempDbPath(corpus, 'lexical.db') });
    const h = await testClient(hybrid);
    const l = await testClient(lexical);
    try {
      const query = 'datastore unavailable elevate standby';
      const bm25 = await l.call('search_docs', { query });
      assert.equal(bm25.structured?.mode, 'bm25');
      assert.deepEqual(bm25.structured?.results, []);

      const out = await h.call('search_docs', { query });
      assert.equal(out.isError, false, out.text);
      assert.equal(out.structured?.mode, 'hybrid');
      assert.equal(out.structured?.note, undefined);
      const results = out.structured?.results as Result[];
      assert.equal(results[0]?.document, 'runbooks/database-failover.md');
      assert.equal(results[0]?.heading, 'Database failover > Promote the replica');

      // Where both retrievers agree, fusion puts the passage first with a score from both lists.
      const both = (await h.call('search_docs', { query: 'promote replica' })).structured
        ?.results as Result[];
      assert.equal(both[0]?.heading, 'Database failover > Promote the replica');
      assert.ok((both[0]?.score ?? 0) > 1 / 61, 'fused score counts both lists');

      const adrOnly = (await h.call('search_docs', { query: 'datastore unavailable', kind: 'adr' }))
        .structured?.results as (Result & { kind: string })[];
      assert.ok(adrOnly.every((r) => r.kind === 'adr'));
    } finally {
      await h.close();
      await l.close();
      await hybrid.close();
      await lexical.close();
    }
  });

  test('a provider outage degrades search to BM25 with a note, and ingest to BM25-only passages', async () => {
    const dbPath = tempDbPath(corpus, 'outage.db');
    const server = testServer({ docsDir: corpus.dir, dbPath, embeddings: embeddingsConfig() });
    const t = await testClient(server);
    try {
      await server.service.ready();
      provider.mode = 'outage';
      const out = await t.call('search_docs', { query: 'promote replica' });
      assert.equal(out.isError, false, out.text);
      assert.equal(out.structured?.mode, 'bm25');
      assert.match(String(out.structured?.note), /vector search unavailable \(embedding provider/);
      assert.match(out.text, /^Note: vector search unavailable/);
      assert.equal(hitsOf(out)[0]?.heading, 'Database failover > Promote the replica');

      corpus.write(
        'runbooks/queue-drain.md',
        '# Queue drain\n\n## Drain\n\nPause consumers, then drain the dead queue.\n',
      );
      const ingest = await t.call('ingest_docs', {});
      assert.equal(ingest.isError, false, ingest.text);
      assert.equal(ingest.structured?.added, 1);
      assert.match(String(ingest.structured?.note), /embedding provider failed/);
      const totals = ingest.structured?.totals as { passages: number; embedded: number };
      assert.ok(totals.embedded < totals.passages, 'the new passage has no vector yet');
      const found = await t.call('search_docs', { query: 'drain queue' });
      assert.equal(hitsOf(found)[0]?.document, 'runbooks/queue-drain.md');

      provider.mode = 'garbage';
      await new Promise((resolve) => setTimeout(resolve, 100)); // the breaker's cooldown (50 ms)
      const garbage = await t.call('search_docs', { query: 'promote replica' });
      assert.equal(garbage.structured?.mode, 'bm25');
      assert.match(String(garbage.structured?.note), /unexpected shape/);

      provider.mode = 'hang';
      const hung = await t.call('search_docs', { query: 'promote replica' });
      assert.equal(hung.isError, false, hung.text);
      assert.equal(hung.structured?.mode, 'bm25');
      assert.match(String(hung.structured?.note), /gave no answer within \d+ ms/);

      provider.mode = 'ok';
      await new Promise((resolve) => setTimeout(resolve, 100)); // the breaker's cooldown (50 ms)
      const healed = await t.call('ingest_docs', {});
      assert.equal(healed.structured?.note, undefined);
      assert.ok(Number(healed.structured?.embedded) >= 1);
      const after = healed.structured?.totals as { passages: number; embedded: number };
      assert.equal(after.embedded, after.passages, 'missing vectors are filled in');
      assert.equal((await t.call('search_docs', { query: 'promote replica' })).structured?.mode, 'hybrid');
    } finally {
      provider.mode = 'ok';
      corpus.remove('runbooks/queue-drain.md');
      await t.close();
      await server.close();
    }
  });

  test('a different model re-embeds everything', async () => {
    const dbPath = tempDbPath(corpus, 'model.db');
    const first = testServer({ docsDir: corpus.dir, dbPath, embeddings: embeddingsConfig('model-a') });
    await first.service.ready();
    await first.close();
    provider.requests.length = 0;
    const second = testServer({ docsDir: corpus.dir, dbPath, embeddings: embeddingsConfig('model-b') });
    try {
      await second.service.ready();
      const { passages, embedded } = second.service.store.counts();
      assert.equal(embedded, passages);
      assert.ok(provider.requests.length > 0 && provider.requests.every((r) => r.body.model === 'model-b'));
    } finally {
      await second.close();
    }
  });
});

describe('EmbeddingsClient', () => {
  test('accepts a base URL with or without /v1 and returns unit vectors in input order', async () => {
    for (const baseUrl of [provider.url, `${provider.url}/v1`, `${provider.url}/v1/`]) {
      const client = new EmbeddingsClient({ baseUrl, model: 'm' });
      const vectors = await client.embed(['alpha beta', 'gamma']);
      assert.equal(vectors.length, 2);
      assert.equal(vectors[0]?.length, DIMENSIONS);
      const expected = embedText('gamma');
      const slot = expected.findIndex((v) => v > 0);
      assert.ok(Math.abs((vectors[1]?.[slot] ?? 0) - 1) < 1e-6, 'one word: a unit vector on its slot');
    }
  });

  test('batches large inputs', async () => {
    provider.requests.length = 0;
    const client = new EmbeddingsClient({ baseUrl: provider.url, model: 'm' });
    const vectors = await client.embed(Array.from({ length: 150 }, (_, i) => `text number ${i}`));
    assert.equal(vectors.length, 150);
    assert.deepEqual(
      provider.requests.map((r) => r.body.input?.length),
      [64, 64, 22],
    );
  });
});
