/**
 * The free-text audit search (issue 18), checked the same way on both stores: records whose
 * redacted arguments contain the text, ignoring case, newest first; `%` and `_` literal; short
 * text (below the trigram index) still found; secrets searched only as redacted.
 */
import assert from 'node:assert/strict';
import type { AuditEvent } from '../../src/audit/event.ts';
import type { AuditQuery, AuditStore } from '../../src/audit/store.ts';

/** The events, recorded in this order (seq 1…6), each a tools/call with these arguments. */
export const TEXT_SEARCH_EVENTS: readonly { user: string; arguments: unknown }[] = [
  { user: 'alice', arguments: { deal_id: 'D-1042', note: 'Renewal for ACME' } },
  { user: 'bob', arguments: { deal_id: 'D-10420', note: 'upsell' } },
  { user: 'alice', arguments: { query: '50% off_season' } },
  { user: 'alice', arguments: { query: '50 percent offXseason' } },
  { user: 'bob', arguments: { password: 'hunter2', user: 'carol' } },
  { user: 'bob', arguments: null },
];

export function textSearchEvent(i: number, base: AuditEvent): AuditEvent {
  const spec = TEXT_SEARCH_EVENTS[i];
  assert.ok(spec);
  return {
    ...base,
    requestId: `text-${i + 1}`,
    principal: { id: `key:${spec.user}`, user: spec.user, org: null, roles: ['sales'], via: 'api-key' },
    method: 'tools/call',
    target: 'crm_search',
    arguments: spec.arguments,
  };
}

/** Checks the search on a store holding exactly TEXT_SEARCH_EVENTS (seq 1…6). */
export async function assertTextSearch(store: AuditStore): Promise<void> {
  const seqs = async (filter: AuditQuery) => (await store.query(filter)).map((r) => r.seq);
  assert.deepEqual(await seqs({ text: 'd-1042' }), [2, 1], 'a substring, any case, newest first');
  assert.deepEqual(await seqs({ text: 'D-10420' }), [2]);
  assert.deepEqual(await seqs({ text: 'RENEWAL for' }), [1], 'spaces are part of the text');
  assert.deepEqual(await seqs({ text: '50% off_season' }), [3], '% and _ match only themselves');
  assert.deepEqual(await seqs({ text: '%' }), [3], 'short text: read from every record, % literal');
  assert.deepEqual(await seqs({ text: 'hunter2' }), [], 'a secret is stored redacted, not found');
  assert.deepEqual(await seqs({ text: 'REDACTED' }), [5]);
  assert.deepEqual(await seqs({ text: 'carol' }), [5], 'other arguments of that record still are');
  assert.deepEqual(await seqs({ text: 'd-1042', principal: 'alice' }), [1], 'with the other filters');
  assert.deepEqual(await seqs({ text: 'd-1042', limit: 1 }), [2], 'the limit counts matches');
  assert.deepEqual(await seqs({ text: 'no such words' }), []);
  assert.deepEqual(await seqs({ text: '   ' }), [6, 5, 4, 3, 2, 1], 'blank text: no text filter');
  await assert.rejects(store.query({ text: 'x'.repeat(201) }), /text is longer than 200 characters/);
}
