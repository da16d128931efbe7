/**
 * `search_docs` over a small corpus, in both protocol eras: ranked passages with citations whose
 * lines hold the passage, the kind filter, limits, diversification, and odd or hostile queries
 * that must come back as results or a clear tool error — never an SQL error.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type TestClient, testClient } from '@gatehouse/kit/testing';
import type { KnowledgeServer } from '../src/server.ts';
import {
  HOSTILE_QUERIES,
  hitsOf,
  type SearchHit,
  type TempCorpus,
  tempCorpus,
  tempDbPath,
  testServer,
} from './helpers.ts';

function citedText(corpus: TempCorpus, r: SearchHit): string {
  const [, start, end] = /^L(\d+)-L(\d+)$/.exec(r.lines) ?? [];
  const lines = readFileSync(join(corpus.dir, r.document), 'utf8').split('\n');
  return lines.slice(Number(start) - 1, Number(end)).join('\n');
}

let corpus: TempCorpus;
let server: KnowledgeServer;
before(() => {
  corpus = tempCorpus();
  // One document about tents that dominates a query, and several weaker ones that mention it once.
  corpus.write(
    'docs/tents.md',
    '# Tent guide\n\n## Tent poles\n\nTent poles: aluminium tent poles for every tent.\n\n## Tent fabric\n\nTent fabric and tent seams: tent tent tent.\n\n## Tent pegs\n\nTent pegs hold the tent: tent tent.\n',
  );
  for (const n of [1, 2, 3])
    corpus.write(`docs/trip-${n}.md`, `# Trip ${n}\n\nWe packed food, water and one tent for the trip.\n`);
  server = testServer({ docsDir: corpus.dir, dbPath: tempDbPath(corpus) });
});
after(async () => {
  await server.close();
  corpus.cleanup();
});

for (const era of ['legacy', 'modern'] as const) {
  describe(`search_docs (${era})`, () => {
    let t: TestClient;
    before(async () => {
      t = await testClient(server, { era });
    });
    after(() => t.close());

    test('finds the passage and cites lines that contain it', async () => {
      const out = await t.call('search_docs', { query: 'How do I promote a replica?' });
      assert.equal(out.isError, false, out.text);
      assert.equal(out.structured?.mode, 'bm25');
      const [top] = hitsOf(out);
      assert.equal(top?.document, 'runbooks/database-failover.md');
      assert.equal(top?.title, 'Database failover');
      assert.equal(top?.kind, 'runbook');
      assert.equal(top?.heading, 'Database failover > Promote the replica');
      assert.equal(top?.lines, 'L14-L21');
      assert.match(top?.snippet ?? '', /\*\*promote\*\*/i);
      assert.ok((top?.score ?? 0) > 0);
      const cited = citedText(corpus, top as SearchHit);
      assert.match(cited, /^## Promote the replica/);
      assert.match(cited, /clusterctl promote --member db-2/);
      assert.match(out.text, /runbooks\/database-failover\.md L14-L21/);
    });

    test('every cited range holds the words the snippet highlights', async () => {
      for (const query of ['replica lag', 'product pages CDN', 'error budget', 'capacity warehouse']) {
        for (const r of hitsOf(await t.call('search_docs', { query, limit: 10 }))) {
          const cited = citedText(corpus, r).toLowerCase();
          for (const [, word] of r.snippet.matchAll(/\*\*([^*]+)\*\*/g)) {
            assert.ok(cited.includes(String(word).toLowerCase()), `${r.document} ${r.lines} lacks "${word}"`);
          }
        }
      }
    });

    test('filters by kind and caps results at the limit', async () => {
      const adrs = hitsOf(await t.call('search_docs', { query: 'cache pages replica', kind: 'adr' }));
      assert.ok(adrs.length > 0);
      assert.ok(adrs.every((r) => r.kind === 'adr'));
      const many = hitsOf(await t.call('search_docs', { query: 'tent', limit: 20 }));
      assert.ok(many.length > 5 && many.length <= 20);
      const few = hitsOf(await t.call('search_docs', { query: 'tent', limit: 2 }));
      assert.equal(few.length, 2);
    });

    test('a dominant document may take several slots; otherwise slots go to different documents', async () => {
      const tents = hitsOf(await t.call('search_docs', { query: 'tent' }));
      assert.equal(tents.length, 5);
      assert.equal(tents[0]?.document, 'docs/tents.md');
      assert.ok(tents.filter((r) => r.document === 'docs/tents.md').length >= 2, 'the tent guide dominates');
      const mixed = hitsOf(await t.call('search_docs', { query: 'trip packed food water tent' }));
      const trips = new Set(mixed.filter((r) => r.document.startsWith('docs/trip-')).map((r) => r.document));
      assert.equal(trips.size, 3, 'three equally good trip notes each get a slot');
    });

    test('odd and hostile queries answer with results or a clear tool error, never an SQL error', async () => {
      for (const query of [...HOSTILE_QUERIES, 'NEAR', 'AND OR NOT', '"promote" "replica"']) {
        const out = await t.call('search_docs', { query });
        assert.doesNotMatch(out.text, /fts5|sqlite|syntax error|SQL/i, query.slice(0, 40));
        if (out.isError) assert.equal(out.errorCode, 'invalid_query', `${query.slice(0, 40)}: ${out.text}`);
      }
      const near = await t.call('search_docs', { query: 'NEAR(promote replica, 2)' });
      assert.equal(hitsOf(near)[0]?.document, 'runbooks/database-failover.md');
      const long = await t.call('search_docs', { query: `${'x'.repeat(9_980)} replica` });
      assert.equal(long.isError, false);
      assert.ok(String(long.structured?.query).length <= 201, 'a huge query is not echoed back whole');
    });

    test('a query with nothing to search for is a clear error; the server keeps serving', async () => {
      for (const query of ['???', 'the and of', '* - ( )', 'how do I']) {
        const out = await t.call('search_docs', { query });
        assert.equal(out.isError, true);
        assert.equal(out.errorCode, 'invalid_query');
        assert.match(out.text, /no searchable words/);
      }
      assert.equal((await t.call('search_docs', { query: 'replica' })).isError, false);
    });

    test('schema violations are refused with a message naming the field', async () => {
      for (const [args, field] of [
        [{ query: '' }, /query/],
        [{ query: 'x'.repeat(20_001) }, /query/],
        [{ query: 'replica', limit: 21 }, /limit/],
        [{ query: 'replica', limit: 0 }, /limit/],
        [{ query: 'replica', kind: 'wiki' }, /kind/],
        [{}, /query/],
      ] as const) {
        const text = await t
          .call('search_docs', args as Record<string, unknown>)
          .then((r) => (r.isError ? r.text : 'accepted'))
          .catch((e: Error) => e.message);
        assert.match(text, field, JSON.stringify(args).slice(0, 60));
      }
    });
  });
}
