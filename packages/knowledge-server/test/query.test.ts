/**
 * The safe MATCH builder and the ranking helpers, as units. Hostile and odd queries are run
 * against a real FTS5 index to show that none reaches SQLite as syntax.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openSqlite } from '@gatehouse/kit/infra';
import { chunkDocument } from '../src/ingest/chunk.ts';
import { parseMarkdown } from '../src/ingest/markdown.ts';
import { buildMatchQuery, MAX_QUERY_TERMS, queryTerms } from '../src/search/query.ts';
import { DOMINANCE, diversify, RRF_K, reciprocalRankFusion } from '../src/search/rank.ts';
import { KnowledgeStore } from '../src/store/knowledge-store.ts';
import { CACHE_ADR, FAILOVER_RUNBOOK, HOSTILE_QUERIES } from './helpers.ts';

describe('buildMatchQuery', () => {
  test('drops stop words, quotes every term, ORs them and prefix-matches the last', () => {
    const q = buildMatchQuery('How do I promote the replica?');
    assert.deepEqual(q?.terms, ['promote', 'replica']);
    assert.equal(q?.match, '"promote" OR "replica"*');
  });

  test('operators and punctuation in the text become plain words or nothing', () => {
    assert.equal(buildMatchQuery('NEAR(failover replica, 2)')?.match, '"near" OR "failover" OR "replica"*');
    assert.equal(buildMatchQuery('failover -replica')?.match, '"failover" OR "replica"*');
    assert.equal(buildMatchQuery('title:"x AND y" OR z*')?.match, '"title"*');
    assert.equal(
      buildMatchQuery('ledger-db')?.match,
      '"ledger" OR "db"',
      'a two-letter last term is not a prefix',
    );
  });

  test('a query of only stop words, punctuation or one-letter words has nothing to search', () => {
    for (const text of ['', '   ', '?!', 'the of and', '"*"', '( ) - ^', 'a b c', 'how do I?']) {
      assert.equal(buildMatchQuery(text), undefined, JSON.stringify(text));
    }
  });

  test('a 10 KB query keeps a bounded number of distinct terms', () => {
    const words = Array.from({ length: 2_000 }, (_, i) => `word${i}`).join(' ');
    const terms = queryTerms(words);
    assert.equal(terms.length, MAX_QUERY_TERMS);
    assert.deepEqual(queryTerms('failover failover FAILOVER'), ['failover']);
  });

  test('hostile queries never reach SQLite as syntax', () => {
    const store = new KnowledgeStore(openSqlite(':memory:'));
    for (const [path, source] of [
      ['runbooks/database-failover.md', FAILOVER_RUNBOOK],
      ['adr/0007.md', CACHE_ADR],
    ] as const) {
      const parsed = parseMarkdown(path, source);
      store.replaceDocument(
        {
          path,
          kind: path.startsWith('adr') ? 'adr' : 'runbook',
          title: parsed.title,
          hash: 'h',
          content: source,
          lineCount: parsed.lines.length,
          frontMatter: {},
        },
        chunkDocument(parsed),
      );
    }
    for (const text of HOSTILE_QUERIES) {
      const match = buildMatchQuery(text);
      if (match === undefined) continue;
      assert.doesNotThrow(() => store.bm25(match.match, undefined, 10), text.slice(0, 40));
    }
    const hits = store.bm25(buildMatchQuery('NEAR(failover replica, 2)')?.match ?? '', undefined, 10);
    assert.equal(hits[0]?.path, 'runbooks/database-failover.md');
    store.close();
  });
});

describe('ranking', () => {
  test('reciprocal rank fusion rewards passages both lists rank high', () => {
    const fused = reciprocalRankFusion([
      [1, 2, 3],
      [3, 1, 4],
    ]);
    assert.deepEqual(
      fused.map((f) => f.id),
      [1, 3, 2, 4],
    );
    assert.equal(fused[0]?.score, 1 / (RRF_K + 1) + 1 / (RRF_K + 2));
  });

  test('diversify spreads slots across documents unless one document dominates', () => {
    const close = [
      { path: 'a', score: 10 },
      { path: 'a', score: 9 },
      { path: 'a', score: 8 },
      { path: 'b', score: 7 },
      { path: 'c', score: 6 },
    ];
    assert.deepEqual(
      diversify(close, 3).map((c) => `${c.path}${c.score}`),
      ['a10', 'b7', 'c6'],
    );
    const dominant = [
      { path: 'a', score: 30 },
      { path: 'a', score: 25 },
      { path: 'b', score: 25 / DOMINANCE - 1 },
      { path: 'c', score: 1 },
    ];
    assert.deepEqual(
      diversify(dominant, 3).map((c) => c.path),
      ['a', 'a', 'b'],
    );
    assert.deepEqual(
      diversify(close, 5).map((c) => `${c.path}${c.score}`),
      ['a10', 'a9', 'a8', 'b7', 'c6'],
      'passed-over passages fill the remaining slots',
    );
  });
});
