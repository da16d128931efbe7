/**
 * Ingestion through the `ingest_docs` tool and at startup: progress per document, incremental
 * re-ingest by content hash, deleted and added files, a scope inside the documents folder, and
 * refusal of scopes that leave it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testClient } from '@gatehouse/kit/testing';
import { CACHE_ADR, hitsOf, type TempCorpus, tempCorpus, tempDbPath, testServer } from './helpers.ts';

describe('ingest_docs', () => {
  let corpus: TempCorpus;
  before(() => {
    corpus = tempCorpus();
  });
  after(() => corpus.cleanup());

  test('indexes at startup, then re-ingests incrementally with progress per document', async () => {
    const server = testServer({ docsDir: corpus.dir, dbPath: tempDbPath(corpus) });
    const t = await testClient(server);
    try {
      const health = await t.call('health');
      assert.match(JSON.stringify(health.structured), /4 documents/);

      const seen: number[] = [];
      const first = await t.call('ingest_docs', {}, (p) => seen.push(p));
      assert.equal(first.isError, false, first.text);
      assert.deepEqual(first.structured?.unchanged, 4, 'startup already indexed everything');
      assert.equal(first.structured?.added, 0);
      assert.deepEqual(seen, [1, 2, 3, 4]);

      corpus.write('adr/0007-caching-product-pages.md', CACHE_ADR.replace('five minutes', 'ten minutes'));
      corpus.write(
        'runbooks/cache-purge.md',
        '# Cache purge\n\n## Purge\n\nRun `cdnctl purge --all` to purge the CDN.\n',
      );
      corpus.remove('docs/glossary.md');
      const progress: number[] = [];
      const second = await t.call('ingest_docs', {}, (p) => progress.push(p));
      assert.equal(second.isError, false, second.text);
      assert.equal(second.structured?.added, 1);
      assert.equal(second.structured?.updated, 1);
      assert.equal(second.structured?.removed, 1);
      assert.equal(second.structured?.unchanged, 2);
      assert.deepEqual([...((second.structured?.changed as string[]) ?? [])].sort(), [
        'added: runbooks/cache-purge.md',
        'removed: docs/glossary.md',
        'updated: adr/0007-caching-product-pages.md',
      ]);
      assert.deepEqual(progress, [1, 2, 3, 4, 5]);
      assert.match(second.text, /1 added, 1 updated, 1 removed, 2 unchanged/);

      const gone = await t.call('search_docs', { query: 'error budget SLO' });
      assert.ok(
        !hitsOf(gone).some((r) => r.document === 'docs/glossary.md'),
        'a deleted document is no longer found',
      );
      const fresh = await t.call('search_docs', { query: 'cdnctl purge' });
      assert.equal(hitsOf(fresh)[0]?.document, 'runbooks/cache-purge.md');
      const edited = await t.call('get_document', {
        path: 'adr/0007-caching-product-pages.md',
        heading: 'Decision',
      });
      assert.match(String(edited.structured?.content), /ten minutes/);
      const deleted = await t.call('get_document', { path: 'docs/glossary.md' });
      assert.equal(deleted.errorCode, 'not_found');
    } finally {
      await t.close();
      await server.close();
    }
  });

  test('a scope re-indexes one folder or file only', async () => {
    const server = testServer({ docsDir: corpus.dir, dbPath: tempDbPath(corpus, 'scoped.db') });
    const t = await testClient(server);
    try {
      await t.call('health');
      corpus.write(
        'runbooks/cache-purge.md',
        '# Cache purge\n\n## Purge\n\nRun `cdnctl purge --soft` first.\n',
      );
      corpus.write('docs/new-doc.md', '# New doc\n\nNot yet indexed by a scoped run.\n');
      const scoped = await t.call('ingest_docs', { path: 'runbooks/' });
      assert.equal(scoped.structured?.scope, 'runbooks');
      assert.equal(scoped.structured?.updated, 1);
      assert.equal(scoped.structured?.added, 0, 'docs/ is outside the scope');
      const file = await t.call('ingest_docs', { path: './docs/new-doc.md' });
      assert.equal(file.structured?.added, 1);
      assert.equal(file.structured?.scanned, 1);
      corpus.remove('docs/new-doc.md');
      const removed = await t.call('ingest_docs', { path: 'docs/new-doc.md' });
      assert.equal(removed.structured?.removed, 1, 'a scope naming a deleted file removes it');
    } finally {
      await t.close();
      await server.close();
    }
  });

  test('scopes outside the documents folder or that do not exist are refused; the server keeps serving', async () => {
    const server = testServer({ docsDir: corpus.dir, dbPath: tempDbPath(corpus, 'refuse.db') });
    const t = await testClient(server);
    try {
      for (const path of ['../', '../../etc/passwd', '/etc', 'runbooks/../../x', 'nul\0byte']) {
        const out = await t.call('ingest_docs', { path });
        assert.equal(out.isError, true, path);
        assert.equal(out.errorCode, 'invalid_path', `${path}: ${out.text}`);
      }
      const missing = await t.call('ingest_docs', { path: 'no-such-folder' });
      assert.equal(missing.errorCode, 'not_found');
      assert.match(missing.text, /no-such-folder/);
      assert.equal((await t.call('search_docs', { query: 'replica' })).isError, false);
    } finally {
      await t.close();
      await server.close();
    }
  });

  test('a restart over an existing index picks up what changed while it was down', async () => {
    const dbPath = tempDbPath(corpus, 'restart.db');
    const first = testServer({ docsDir: corpus.dir, dbPath });
    await first.service.ready();
    const before = first.service.store.counts();
    await first.close();

    corpus.write('docs/while-down.md', '# While down\n\nWritten while the server was stopped: zeppelin.\n');
    const second = testServer({ docsDir: corpus.dir, dbPath });
    const t = await testClient(second);
    try {
      const out = await t.call('search_docs', { query: 'zeppelin' });
      assert.equal(hitsOf(out)[0]?.document, 'docs/while-down.md');
      assert.equal(second.service.store.counts().documents, before.documents + 1);
    } finally {
      await t.close();
      await second.close();
    }
  });

  test('a missing documents folder makes tools fail clearly instead of serving an empty index', async () => {
    const server = testServer({ docsDir: `${corpus.dir}-missing`, dbPath: tempDbPath(corpus, 'missing.db') });
    const t = await testClient(server);
    try {
      const out = await t.call('search_docs', { query: 'replica' });
      assert.equal(out.errorCode, 'index_unavailable');
      assert.match(out.text, /documents folder not found/);
      const health = await t.call('health');
      assert.equal(health.structured?.status, 'degraded');
    } finally {
      await t.close();
      await server.close();
    }
  });
});
