/**
 * Documents as resources (`doc://{+path}`: list, read as text/markdown, path completion) and
 * `get_document` (a section by heading or cited heading path, with its lines; the whole document
 * with its outline; clear errors for unknown paths and headings).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type TestClient, testClient } from '@gatehouse/kit/testing';
import type { KnowledgeServer } from '../src/server.ts';
import {
  CACHE_ADR,
  FAILOVER_RUNBOOK,
  hitsOf,
  type TempCorpus,
  tempCorpus,
  tempDbPath,
  testServer,
} from './helpers.ts';

let corpus: TempCorpus;
let server: KnowledgeServer;
let t: TestClient;
before(async () => {
  corpus = tempCorpus();
  server = testServer({ docsDir: corpus.dir, dbPath: tempDbPath(corpus) });
  t = await testClient(server);
});
after(async () => {
  await t.close();
  await server.close();
  corpus.cleanup();
});

describe('doc:// resources', () => {
  test('the template is listed and every document is a resource', async () => {
    const { resourceTemplates } = await t.client.listResourceTemplates();
    assert.deepEqual(
      resourceTemplates.map((r) => [r.uriTemplate, r.mimeType]),
      [['doc://{+path}', 'text/markdown']],
    );
    const { resources } = await t.client.listResources();
    assert.deepEqual(
      resources.map((r) => r.uri),
      [
        'doc://adr/0007-caching-product-pages.md',
        'doc://docs/capacity.md',
        'doc://docs/glossary.md',
        'doc://runbooks/database-failover.md',
      ],
    );
    assert.match(resources[3]?.description ?? '', /Database failover \(runbook\)/);
  });

  test('reading returns the Markdown as indexed', async () => {
    const read = await t.client.readResource({ uri: 'doc://runbooks/database-failover.md' });
    assert.deepEqual(read.contents, [
      { uri: 'doc://runbooks/database-failover.md', mimeType: 'text/markdown', text: FAILOVER_RUNBOOK },
    ]);
  });

  test('an unknown document is a resource-not-found error', async () => {
    for (const uri of ['doc://runbooks/nope.md', 'doc://../../etc/passwd', 'doc://%E0%A4%A']) {
      const error = await t.client.readResource({ uri }).then(
        () => undefined,
        (e: { code?: number; message?: string }) => e,
      );
      assert.ok(error, `${uri} should fail`);
      // The SDK's ResourceNotFoundError: -32602 in the current spec (-32002 in older revisions).
      assert.ok(error.code === -32602 || error.code === -32002, `${uri}: ${error.code} ${error.message}`);
      assert.match(error.message ?? '', /No document at doc:\/\//);
    }
    assert.equal((await t.call('search_docs', { query: 'replica' })).isError, false);
  });

  test('the path completes from a prefix, then from any part of it', async () => {
    const complete = (value: string) =>
      t.client.complete({
        ref: { type: 'ref/resource', uri: 'doc://{+path}' },
        argument: { name: 'path', value },
      });
    assert.deepEqual((await complete('docs/')).completion.values, ['docs/capacity.md', 'docs/glossary.md']);
    assert.deepEqual((await complete('RUN')).completion.values, ['runbooks/database-failover.md']);
    assert.deepEqual((await complete('caching')).completion.values, ['adr/0007-caching-product-pages.md']);
    assert.deepEqual((await complete('zzz')).completion.values, []);
  });
});

describe('get_document', () => {
  test('returns one section by heading, subsections included, with exact lines', async () => {
    const out = await t.call('get_document', {
      path: 'runbooks/database-failover.md',
      heading: 'promote the REPLICA',
    });
    assert.equal(out.isError, false, out.text);
    assert.equal(out.structured?.heading, 'Database failover > Promote the replica');
    assert.equal(out.structured?.lines, 'L14-L25');
    const lines = FAILOVER_RUNBOOK.split('\n');
    assert.equal(out.structured?.content, lines.slice(13, 25).join('\n'));
    assert.match(String(out.structured?.content), /### Verify writes/);
    assert.equal(out.structured?.sections, undefined);
    assert.match(out.text, /^runbooks\/database-failover\.md L14-L25/);
    assert.match(out.text, /\n14\| ## Promote the replica\n/);
  });

  test('follows a citation from search_docs by its heading path', async () => {
    const [hit] = hitsOf(await t.call('search_docs', { query: 'canary row' }));
    assert.ok(hit);
    const out = await t.call('get_document', { path: hit.document, heading: hit.heading });
    assert.equal(out.structured?.heading, hit.heading);
    assert.equal(out.structured?.lines, hit.lines);
    for (const [heading, expected] of [
      ['## Verify writes', 'Database failover > Promote the replica > Verify writes'],
      ['Promote the replica > Verify writes', 'Database failover > Promote the replica > Verify writes'],
      ['detect', 'Database failover > Detect the outage'],
    ]) {
      const found = await t.call('get_document', { path: 'runbooks/database-failover.md', heading });
      assert.equal(found.structured?.heading, expected, heading);
    }
  });

  test('without a heading returns the whole document and its outline', async () => {
    const out = await t.call('get_document', { path: 'doc://adr/0007-caching-product-pages.md' });
    assert.equal(out.structured?.document, 'adr/0007-caching-product-pages.md');
    assert.equal(out.structured?.kind, 'adr');
    assert.equal(out.structured?.content, CACHE_ADR.trimEnd());
    assert.deepEqual(out.structured?.sections, [
      { heading: 'ADR 0007: Caching product pages', lines: 'L1-L10' },
      { heading: 'ADR 0007: Caching product pages > Status', lines: 'L3-L6' },
      { heading: 'ADR 0007: Caching product pages > Decision', lines: 'L7-L10' },
    ]);
  });

  test('unknown documents and headings are clear not_found errors with what exists', async () => {
    const doc = await t.call('get_document', { path: 'runbooks/database-failovers.md' });
    assert.equal(doc.errorCode, 'not_found');
    assert.match(doc.text, /Similar: runbooks\/database-failover\.md/);
    const heading = await t.call('get_document', {
      path: 'runbooks/database-failover.md',
      heading: 'Rollback',
    });
    assert.equal(heading.errorCode, 'not_found');
    assert.match(heading.text, /Its headings: .*Promote the replica/);
    for (const path of ['../../etc/passwd', '/etc/passwd', '']) {
      const out = await t
        .call('get_document', { path })
        .catch((e: Error) => ({ isError: true, errorCode: 'schema', text: e.message }));
      assert.equal(out.isError, true, path);
    }
  });
});
