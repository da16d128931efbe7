/**
 * Completion values go through policy too: a suggested value that would lead to a resource or a
 * prompt call the caller may not use is dropped (and `total` with it), and a URI a rule denies is
 * not readable through an allowed template.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { globMatch } from '../src/policy/glob.ts';
import { connectClient, fixtureUpstreamYaml, startGateway, type TestGateway } from './helpers/harness.ts';

const POLICY = `auth:
  anonymous: { roles: [reader] }
policy:
  groups:
    items:
      allow:
        - resources: ["fixture://alpha/items/*"]
        - prompts: [alpha_greet]
          when: ['who != "root"']
      deny:
        - resources: ["fixture://alpha/items/secret-*"]
  roles:
    reader: { groups: [items] }
`;

async function errorCode(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: number }).code;
  }
  throw new Error('expected a rejection');
}

describe('completion values and policy', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway(`upstreams:\n${fixtureUpstreamYaml('alpha')}\n${POLICY}`);
  });
  after(() => gw.close());

  for (const era of ['legacy', 'modern'] as const) {
    it(`drops completion values that lead to denied calls (${era})`, async () => {
      const client = await connectClient(gw.url, era);
      try {
        const prompt = await client.complete({
          ref: { type: 'ref/prompt', name: 'alpha_greet' },
          argument: { name: 'who', value: '' },
        });
        assert.deepEqual(prompt.completion.values, ['ann', 'bob']);
        assert.equal(prompt.completion.total, undefined);
        const items = await client.complete({
          ref: { type: 'ref/resource', uri: 'fixture://alpha/items/{id}' },
          argument: { name: 'id', value: '' },
        });
        assert.deepEqual(items.completion.values, ['1', '2']);
        const narrowed = await client.complete({
          ref: { type: 'ref/resource', uri: 'fixture://alpha/items/{id}' },
          argument: { name: 'id', value: '1' },
        });
        assert.deepEqual(narrowed.completion.values, ['1'], 'nothing dropped, nothing changed');
      } finally {
        await client.close();
      }
    });

    it(`keeps a denied URI unreadable even though its template is allowed (${era})`, async () => {
      const client = await connectClient(gw.url, era);
      try {
        const ok = await client.readResource({ uri: 'fixture://alpha/items/1' });
        assert.match(JSON.stringify(ok.contents), /"id\\":\\"1\\"/);
        assert.equal(await errorCode(client.readResource({ uri: 'fixture://alpha/items/secret-3' })), -32602);
        assert.equal(await errorCode(client.readResource({ uri: 'fixture://alpha/items/nope/x' })), -32602);
        assert.equal(
          await errorCode(client.getPrompt({ name: 'alpha_greet', arguments: { who: 'root' } })),
          -32054,
        );
      } finally {
        await client.close();
      }
    });
  }
});

describe('policy globs', () => {
  it('treat every character but * and ? literally, punctuation included', () => {
    for (const literal of [
      'ops_incident-triage',
      'bill.refund',
      'a+b',
      'x^y$',
      '(a|b)',
      '[x]',
      '{id}',
      'a\\b',
      'p/q',
    ]) {
      assert.equal(globMatch(literal, literal), true, literal);
      assert.equal(globMatch(literal, `${literal}x`), false, literal);
    }
    assert.equal(globMatch('crm://deals/secret-*', 'crm://deals/secret-7'), true);
    assert.equal(globMatch('crm://deals/secret-*', 'crm://deals/secrets'), false);
    assert.equal(globMatch('a?c', 'abc'), true);
    assert.equal(globMatch('a.c', 'abc'), false);
    assert.equal(globMatch('crm_*', 'CRM_get'), false, 'case-sensitive');
  });
});
