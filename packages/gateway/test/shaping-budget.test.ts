/**
 * Response shaping's token budget: the estimate, the pages (each fits, each element once), the
 * continuation store's bounds (owner, TTL, LRU, size), and shapeToolResult() putting it together.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ShapingRuleModel } from '../src/config/model-shaping.ts';
import { normalizeShaping } from '../src/config/normalize-shaping.ts';
import { ShapingSchema } from '../src/config/schema-shaping.ts';
import { estimateTokens, firstPage, nextPage } from '../src/shaping/budget.ts';
import { ContinuationStore } from '../src/shaping/continuations.ts';
import { shapingPlanFor } from '../src/shaping/plan.ts';
import { continuationResult, type ShapeContext, shapeToolResult } from '../src/shaping/result.ts';

/** A compiled rule from what a user would write. */
function rule(input: Record<string, unknown>): ShapingRuleModel {
  const [compiled] = normalizeShaping(ShapingSchema.parse([{ tools: ['*'], ...input }]));
  assert.ok(compiled);
  return compiled;
}

describe('token budget', () => {
  it('estimates one token per four characters', () => {
    assert.equal(estimateTokens(''), 0);
    assert.equal(estimateTokens('abcd'), 1);
    assert.equal(estimateTokens('abcde'), 2);
  });

  it('leaves a value that fits alone', () => {
    const value = { a: [1, 2, 3] };
    const { page, paging } = firstPage(value, JSON.stringify(value), 100);
    assert.equal(paging, null);
    assert.equal(page.value, value);
  });

  it('pages the largest outer array so every page fits and every element arrives exactly once', () => {
    const value = {
      customer: 'acme',
      small: [1, 2],
      tickets: Array.from({ length: 50 }, (_, i) => ({ id: i, text: `ticket ${i} `.repeat(4) })),
    };
    const budget = 200;
    const first = firstPage(value, JSON.stringify(value), budget);
    assert.ok(first.paging);
    assert.ok(estimateTokens(JSON.stringify(first.page.value)) <= budget);
    const seen = [...(first.page.value as typeof value).tickets.map((t) => t.id)];
    assert.deepEqual((first.page.value as typeof value).small, [1, 2], 'the small array is whole on page 1');
    let offsets = first.page.next;
    let pages = 1;
    while (offsets !== null) {
      const page = nextPage(first.paging, offsets);
      const shaped = page.value as typeof value;
      assert.ok(estimateTokens(JSON.stringify(shaped)) <= budget);
      assert.equal(shaped.customer, 'acme');
      assert.deepEqual(shaped.small, [], 'arrays already delivered are empty on later pages');
      seen.push(...shaped.tickets.map((t) => t.id));
      offsets = page.next;
      pages++;
    }
    assert.ok(pages > 2);
    assert.deepEqual(
      seen,
      Array.from({ length: 50 }, (_, i) => i),
    );
  });

  it('always moves on, even when one element is over the budget', () => {
    const value = { items: ['x'.repeat(100), 'y'.repeat(100), 'z'.repeat(100)] };
    const first = firstPage(value, JSON.stringify(value), 5);
    assert.ok(first.paging);
    let offsets = first.page.next;
    const seen = [...(first.page.value as typeof value).items];
    while (offsets !== null) {
      const page = nextPage(first.paging, offsets);
      const items = (page.value as typeof value).items;
      assert.equal(items.length, 1);
      seen.push(...items);
      offsets = page.next;
    }
    assert.deepEqual(seen, value.items);
  });
});

describe('continuation store', () => {
  function paging(n = 10) {
    const value = { items: Array.from({ length: n }, (_, i) => `item ${i} `.repeat(10)) };
    const first = firstPage(value, JSON.stringify(value), 30);
    assert.ok(first.paging && first.page.next);
    return { paging: first.paging, next: first.page.next };
  }
  const entry = (owner: string, p: ReturnType<typeof paging>) => ({
    owner,
    tool: 'crm_list',
    upstream: 'crm',
    paging: p.paging,
    structured: true,
  });

  it('opens a cursor for its owner and tool only, and the same cursor twice', () => {
    const store = new ContinuationStore();
    const p = paging();
    const cursor = store.save(entry('alice', p), p.next);
    assert.ok(cursor);
    assert.ok(store.open(cursor, 'alice', 'crm_list'));
    assert.deepEqual(store.open(cursor, 'alice', 'crm_list')?.offsets, p.next, 'a retry gets the same page');
    assert.equal(store.open(cursor, 'bob', 'crm_list'), undefined);
    assert.equal(store.open(cursor, 'alice', 'crm_other'), undefined);
    assert.equal(store.open('nonsense', 'alice', 'crm_list'), undefined);
    const [id] = cursor.split('.');
    assert.equal(store.open(`${id}.zz`, 'alice', 'crm_list'), undefined, 'offsets out of range');
    assert.equal(store.open(`${id}.1-2`, 'alice', 'crm_list'), undefined, 'offsets for other arrays');
  });

  it('forgets entries after their time to live, counted from last use', () => {
    let now = 1_000;
    const store = new ContinuationStore({ ttlMs: 100 }, () => now);
    const p = paging();
    const cursor = store.save(entry('alice', p), p.next) as string;
    now += 90;
    assert.ok(store.open(cursor, 'alice', 'crm_list'));
    now += 90;
    assert.ok(store.open(cursor, 'alice', 'crm_list'), 'using it kept it alive');
    now += 101;
    assert.equal(store.open(cursor, 'alice', 'crm_list'), undefined);
    assert.equal(store.size, 0);
  });

  it('keeps at most N per principal and in all, least recently used out first', () => {
    const store = new ContinuationStore({ maxPerPrincipal: 2, maxEntries: 3 });
    const p = paging();
    const a1 = store.save(entry('alice', p), p.next) as string;
    const a2 = store.save(entry('alice', p), p.next) as string;
    assert.ok(store.open(a1, 'alice', 'crm_list'), 'a1 is now the most recently used');
    const a3 = store.save(entry('alice', p), p.next) as string;
    assert.equal(store.open(a2, 'alice', 'crm_list'), undefined, 'alice’s least recently used went');
    assert.ok(store.open(a1, 'alice', 'crm_list') && store.open(a3, 'alice', 'crm_list'));
    const b1 = store.save(entry('bob', p), p.next) as string;
    const b2 = store.save(entry('bob', p), p.next) as string;
    assert.equal(store.size, 3);
    assert.ok(store.open(b1, 'bob', 'crm_list') && store.open(b2, 'bob', 'crm_list'));
  });

  it('refuses what is bigger than it may hold, and makes room by characters', () => {
    const p = paging(10);
    const tiny = new ContinuationStore({ maxChars: 50 });
    assert.equal(tiny.save(entry('alice', p), p.next), undefined);
    const store = new ContinuationStore({ maxChars: 1000 });
    const first = store.save(entry('alice', p), p.next) as string;
    const second = store.save(entry('bob', p), p.next) as string;
    assert.equal(store.open(first, 'alice', 'crm_list'), undefined, 'evicted to make room');
    assert.ok(store.open(second, 'bob', 'crm_list'));
  });
});

describe('shapeToolResult', () => {
  function context(input: Record<string, unknown>, store = new ContinuationStore()): ShapeContext {
    const plan = shapingPlanFor([rule(input)], { name: 'list', inputSchema: { type: 'object' } });
    assert.ok(plan);
    return { plan, owner: 'alice', tool: 'crm_list', upstream: 'crm', store };
  }
  const value = {
    notes: Array.from({ length: 30 }, (_, i) => `note ${i}`),
    tickets: Array.from({ length: 30 }, (_, i) => ({ id: i, text: 'x'.repeat(40) })),
  };

  it('pages structured content, keeps a plain-text summary, and names every array still waiting', () => {
    const ctx = context({ tokenBudget: 60 });
    const result = { content: [{ type: 'text', text: 'Found 30 tickets' }], structuredContent: value };
    const shaped = shapeToolResult(result, ctx) as {
      content: { text: string }[];
      structuredContent: typeof value;
      _meta: Record<string, { continuation: string; remaining: Record<string, number> }>;
    };
    assert.equal(shaped.content[0]?.text, 'Found 30 tickets');
    const report = shaped._meta['dev.gatehouse/shaping'];
    assert.ok(report?.continuation);
    const left = report.remaining;
    assert.deepEqual(Object.keys(left), ['tickets', 'notes']);
    assert.equal(
      shaped.content[1]?.text,
      `Gatehouse: ${left.tickets} more items in \`tickets\` and ${left.notes} in \`notes\`; call crm_list again with the same arguments and continuation "${report.continuation}" to get them.`,
    );
    const next = continuationResult(report.continuation, ctx) as { structuredContent: typeof value };
    assert.equal(next.structuredContent.notes.length, 0, 'tickets come first, notes after');
    assert.throws(() => continuationResult(report.continuation, { ...ctx, owner: 'bob' }), { code: -32602 });
  });

  it('reports as dropped what a budget held back but the store could not keep', () => {
    const ctx = context({ tokenBudget: 60 }, new ContinuationStore({ maxChars: 100 }));
    const shaped = shapeToolResult({ content: [{ type: 'text', text: JSON.stringify(value) }] }, ctx);
    const report = (
      shaped._meta as Record<string, { dropped: Record<string, number>; continuation?: string }>
    )['dev.gatehouse/shaping'];
    assert.equal(report?.continuation, undefined);
    assert.ok((report?.dropped.tickets ?? 0) > 0);
    assert.equal(
      (shaped.content as unknown[]).length,
      1,
      'no sentence about a continuation that does not exist',
    );
  });

  it('does not touch error results, and reports nothing when nothing changed', () => {
    const ctx = context({ truncate: { maxChars: 5 } });
    const error = { content: [{ type: 'text', text: 'a long error message' }], isError: true };
    assert.equal(shapeToolResult(error, ctx), error);
    const short = { content: [{ type: 'text', text: 'ok' }] };
    assert.deepEqual(shapeToolResult(short, ctx), short);
  });
});
