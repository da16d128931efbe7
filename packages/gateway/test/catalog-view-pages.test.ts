/**
 * List pages are built once per role set, page size and catalog version, and shared: callers with
 * the same roles get the very same page, other roles their own, and any catalog change (an
 * upstream's list_changed, an eviction, a reload) gives fresh pages. The cache is keyed by where
 * the page starts, never by the cursor's text, so crafted cursors cannot grow it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Principal } from '../src/auth/principal.ts';
import { errorOf, fixtureUpstreamYaml, startGateway, type TestGateway } from './helpers/harness.ts';

function principal(id: string, roles: string[]): Principal {
  return { id, user: id, org: undefined, roles, via: 'api-key', scopes: [] };
}

const namesOf = (page: Readonly<Record<string, unknown>>) =>
  (page.tools as { name: string }[]).map((t) => t.name);

describe('catalog view pages', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway(`upstreams:
${fixtureUpstreamYaml('one')}
${fixtureUpstreamYaml('two')}
auth:
  anonymous: { roles: [everyone] }
policy:
  groups:
    everything: { allow: [{ tools: ["*"], resources: ["*"], prompts: ["*"] }] }
    only-one: { allow: [{ tools: ["one_*"] }] }
  roles:
    everyone: { groups: [everything] }
    narrow: { groups: [only-one] }
`);
  });
  after(() => gw.close());

  it('shares one page object among callers with the same roles, in any order', () => {
    const view = gw.gateway.view;
    const a = view.page(principal('a', ['everyone', 'narrow']), 'tools', undefined, 3);
    const b = view.page(principal('b', ['narrow', 'everyone']), 'tools', undefined, 3);
    assert.equal(a, b);
    assert.ok(Object.isFrozen(a));
    assert.ok(Object.isFrozen(a.tools));
    assert.equal(namesOf(a).length, 3);
    assert.equal(typeof a.nextCursor, 'string');
  });

  it('keeps role sets apart', () => {
    const view = gw.gateway.view;
    const wide = view.page(principal('a', ['everyone']), 'tools', undefined, 100);
    const narrow = view.page(principal('b', ['narrow']), 'tools', undefined, 100);
    assert.notEqual(wide, narrow);
    assert.ok(namesOf(narrow).length > 0);
    assert.ok(namesOf(narrow).every((n) => n.startsWith('one_')));
    assert.ok(namesOf(wide).some((n) => n.startsWith('two_')));
  });

  it('walks the same pages as the catalog, and keys them by position, not cursor text', () => {
    const view = gw.gateway.view;
    const caller = principal('a', ['everyone']);
    const all = view.tools(caller).map((r) => r.item.name);
    const walked: string[] = [];
    let cursor: string | undefined;
    do {
      const page = view.page(caller, 'tools', cursor, 4);
      walked.push(...namesOf(page));
      cursor = page.nextCursor as string | undefined;
    } while (cursor !== undefined);
    assert.deepEqual(walked, all);

    const first = view.page(caller, 'tools', undefined, 4);
    const cursorText = first.nextCursor as string;
    const second = view.page(caller, 'tools', cursorText, 4);
    // The same position under a differently padded base64 spelling: same cached page.
    assert.equal(view.page(caller, 'tools', `${cursorText}=`, 4), second);
  });

  it('builds fresh pages when the catalog changes', () => {
    const view = gw.gateway.view;
    const caller = principal('a', ['everyone']);
    const before = view.page(caller, 'tools', undefined, 3);
    gw.gateway.catalog.rebuild();
    const after = view.page(caller, 'tools', undefined, 3);
    assert.notEqual(after, before);
    assert.deepEqual(namesOf(after), namesOf(before));
  });

  it('refuses a cursor it did not make with -32602, and keeps serving', async () => {
    const view = gw.gateway.view;
    const caller = principal('a', ['everyone']);
    const error = await errorOf(Promise.resolve().then(() => view.page(caller, 'tools', 'not-a-cursor', 3)));
    assert.equal(error.code, -32602);
    assert.equal(namesOf(view.page(caller, 'tools', undefined, 3)).length, 3);
  });

  it('pages prompts, resources and templates the same way', () => {
    const view = gw.gateway.view;
    const caller = principal('a', ['everyone']);
    for (const list of ['prompts', 'resources', 'resourceTemplates'] as const) {
      const page = view.page(caller, list, undefined, 100);
      assert.ok(Array.isArray(page[list]), list);
      assert.equal(view.page(principal('b', ['everyone']), list, undefined, 100), page);
    }
  });
});
