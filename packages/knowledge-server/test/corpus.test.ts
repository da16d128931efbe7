/**
 * Integration over the bundled Northwind corpus: everything on disk is indexed and listed as a
 * resource, each kind is present, and searches for facts stated in the corpus cite lines that
 * hold them. (The queries here are written for this test; the held-out evaluation set in eval/ is
 * only used by bench/knowledge-recall.ts.)
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type TestClient, testClient } from '@gatehouse/kit/testing';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';
import { BUNDLED_CORPUS } from '../src/config.ts';
import type { KnowledgeServer } from '../src/server.ts';
import { hitsOf, testServer } from './helpers.ts';

interface Result {
  document: string;
  kind: string;
  heading: string;
  lines: string;
}

const files = readdirSync(BUNDLED_CORPUS, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && e.name.endsWith('.md'))
  .map((e) => join(e.parentPath, e.name).slice(BUNDLED_CORPUS.length + 1))
  .sort();

let dir: string;
let server: KnowledgeServer;
let t: TestClient;
before(async () => {
  dir = makeTempDir('knowledge-corpus-');
  server = testServer({ docsDir: BUNDLED_CORPUS, dbPath: join(dir, 'knowledge.db') });
  t = await testClient(server);
});
after(async () => {
  await t.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function lineRange(corpusPath: string, lines: string): string {
  const [, start, end] = /^L(\d+)-L(\d+)$/.exec(lines) ?? [];
  return readFileSync(join(BUNDLED_CORPUS, corpusPath), 'utf8')
    .split('\n')
    .slice(Number(start) - 1, Number(end))
    .join('\n');
}

describe('the bundled corpus', () => {
  test('every Markdown file is indexed and listed as a doc:// resource', async () => {
    assert.ok(files.length >= 52, `the corpus has ${files.length} documents`);
    const health = await t.call('health');
    assert.equal(health.structured?.status, 'ok');
    assert.match(JSON.stringify(health.structured), new RegExp(`${files.length} documents`));
    const { resources } = await t.client.listResources();
    assert.deepEqual(
      resources.map((r) => r.uri),
      files.map((f) => `doc://${f}`),
    );
    const kinds = new Set(server.service.store.listDocuments().map((d) => d.kind));
    assert.deepEqual([...kinds].sort(), ['adr', 'doc', 'runbook']);
  });

  test('searches for facts in the corpus cite lines that state them', async () => {
    // [query, document expected, fact its cited lines state, kind filter, must it be first]
    for (const [query, document, fact, kind, first] of [
      [
        'Patroni maximum_lag_on_failover',
        'runbooks/ledger-db-failover.md',
        /maximum_lag_on_failover/,
        undefined,
        true,
      ],
      ['outbox_events table Debezium relay', 'adr/0005-transactional-outbox.md', /outbox/i, 'adr', true],
      ['PgBouncer SHOW POOLS cl_waiting', 'runbooks/ledger-db-failover.md', /cl_waiting/, 'runbook', false],
    ] as const) {
      const out = await t.call('search_docs', { query, ...(kind ? { kind } : {}) });
      assert.equal(out.isError, false, out.text);
      const results = out.structured?.results as Result[];
      const hit = results.find((r) => r.document === document);
      assert.ok(hit, `${query}: ${document} not in ${results.map((r) => r.document).join(', ')}`);
      if (first) assert.equal(results[0]?.document, document, query);
      assert.match(lineRange(hit.document, hit.lines), fact, `${query}: ${hit.lines}`);
      if (kind) assert.ok(results.every((r) => r.kind === kind));
    }
  });

  test('get_document follows a citation to the same lines', async () => {
    const [hit] = hitsOf(
      await t.call('search_docs', { query: 'Patroni unplanned failover no leader elected' }),
    );
    assert.ok(hit);
    const section = await t.call('get_document', { path: hit.document, heading: hit.heading });
    assert.equal(section.isError, false, section.text);
    const content = String(section.structured?.content);
    assert.ok(content.includes(lineRange(hit.document, hit.lines)), 'the section contains the cited passage');
  });
});
