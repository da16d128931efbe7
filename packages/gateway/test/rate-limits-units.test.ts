/**
 * Rate limits without a gateway: which buckets a request draws from (the pure selection), the
 * counters themselves (all-or-nothing, longest retry-after), and every way the config can be wrong.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfigText } from '../src/config/load.ts';
import type { RateLimitRuleModel } from '../src/config/model-limits.ts';
import { bucketsFor, type LimitedRequest } from '../src/limits/buckets.ts';
import { RateLimits } from '../src/limits/rate-limits.ts';
import { silentLogger } from '../src/observability/logger.ts';

function rule(overrides: Partial<RateLimitRuleModel> & { name: string }): RateLimitRuleModel {
  return {
    per: ['principal'],
    methods: ['tools/call'],
    roles: null,
    tools: null,
    upstreams: null,
    limit: 10,
    windowSec: 60,
    ...overrides,
  };
}

const ALICE: LimitedRequest = {
  method: 'tools/call',
  principal: { id: 'key:k1', roles: ['sales', 'support'] },
  target: 'crm_get_deal',
  upstream: 'crm',
};

function keys(rules: RateLimitRuleModel[], req: LimitedRequest = ALICE): string[] {
  return bucketsFor(rules, req).map((b) => `${b.rule.name} ${b.key}`);
}

describe('bucket selection', () => {
  it('keys a bucket by the rule dimensions, in canonical order, values encoded', () => {
    assert.deepEqual(
      keys([
        rule({ name: 'p' }),
        rule({ name: 'all', per: ['upstream', 'tool', 'principal'] }),
        rule({ name: 'global', per: [] }),
      ]),
      ['p principal=key%3Ak1', 'all principal=key%3Ak1|tool=crm_get_deal|upstream=crm', 'global *'],
    );
  });

  it('counts only the methods a rule names', () => {
    const rules = [rule({ name: 'calls' }), rule({ name: 'reads', methods: ['resources/read'] })];
    assert.deepEqual(keys(rules), ['calls principal=key%3Ak1']);
    assert.deepEqual(keys(rules, { ...ALICE, method: 'resources/read', target: 'crm://deals/1' }), [
      'reads principal=key%3Ak1',
    ]);
    assert.deepEqual(keys(rules, { ...ALICE, method: 'tools/list' }), []);
  });

  it('applies tool globs, upstream names and role filters', () => {
    const rules = [
      rule({ name: 'crm-tools', tools: ['crm_*'] }),
      rule({ name: 'other-tools', tools: ['billing_*', 'crm_delete_?'] }),
      rule({ name: 'on-crm', upstreams: ['crm'] }),
      rule({ name: 'on-billing', upstreams: ['billing'] }),
      rule({ name: 'support', roles: ['support', 'sre'] }),
      rule({ name: 'finance', roles: ['finance'] }),
    ];
    assert.deepEqual(
      keys(rules).map((k) => k.split(' ')[0]),
      ['crm-tools', 'on-crm', 'support'],
    );
    assert.deepEqual(
      keys(rules, { ...ALICE, target: 'crm_delete_x' }).map((k) => k.split(' ')[0]),
      ['crm-tools', 'other-tools', 'on-crm', 'support'],
    );
  });

  it('gives a per-role rule one bucket per matching role the caller holds', () => {
    assert.deepEqual(keys([rule({ name: 'r', per: ['role'] })]), ['r role=sales', 'r role=support']);
    assert.deepEqual(keys([rule({ name: 'r', per: ['role'], roles: ['support', 'sre'] })]), [
      'r role=support',
    ]);
    assert.deepEqual(keys([rule({ name: 'r', per: ['role', 'tool'] })]), [
      'r role=sales|tool=crm_get_deal',
      'r role=support|tool=crm_get_deal',
    ]);
    const doubled = { ...ALICE, principal: { id: 'x', roles: ['sales', 'sales'] } };
    assert.deepEqual(keys([rule({ name: 'r', per: ['role'] })], doubled), ['r role=sales']);
    const roleless = { ...ALICE, principal: { id: 'x', roles: [] } };
    assert.deepEqual(keys([rule({ name: 'r', per: ['role'] })], roleless), []);
  });
});

describe('counters', () => {
  it('refuses when any bucket is full, names the longest wait, and refunds the others', async () => {
    const short = rule({ name: 'short', limit: 1, windowSec: 5 });
    const long = rule({ name: 'long', per: [], limit: 2, windowSec: 600 });
    const roomy = rule({ name: 'roomy', per: [], limit: 100, windowSec: 600 });
    const limits = new RateLimits({ redis: null, rules: [short, long, roomy] }, silentLogger());
    const all = (id: string) => bucketsFor(limits.rules, { ...ALICE, principal: { id, roles: [] } });
    assert.equal(await limits.consume(all('a')), null);
    const first = await limits.consume(all('a'));
    assert.equal(first?.rule.name, 'short');
    assert.ok(first && first.retryAfterSeconds >= 1 && first.retryAfterSeconds <= 5);
    assert.equal(await limits.consume(all('b')), null, 'the refused call did not use up "long"');
    const both = await limits.consume(all('a'));
    assert.equal(both?.rule.name, 'long', 'the bucket that stays full the longest is named');
    assert.ok(both && both.retryAfterSeconds > 500);
    // Only the first two calls were counted by "roomy": refused calls were refunded.
    let allowed = 0;
    for (let i = 0; i < 200; i++) if ((await limits.consume([{ rule: roomy, key: '*' }])) === null) allowed++;
    assert.equal(allowed, 98);
    await limits.close();
  });

  it('is not created without rules', () => {
    assert.equal(RateLimits.create({ redis: null, rules: [] }, silentLogger()), null);
  });
});

function issuesOf(text: string) {
  const loaded = loadConfigText(text, 'gatehouse.yaml', {});
  assert.equal(loaded.ok, false, 'expected the config to be rejected');
  return loaded.ok ? [] : loaded.issues;
}

const UPSTREAM = 'upstreams:\n  - { name: crm, transport: stdio, command: x }\n';

describe('rate limit config errors', () => {
  it('reports a duplicate rule name with the path of the second', () => {
    const issues = issuesOf(`${UPSTREAM}rateLimits:
  rules:
    - { name: a, per: [principal], limit: 1, windowSec: 1 }
    - { name: a, per: [role], limit: 2, windowSec: 1 }
`);
    assert.ok(
      issues.some(
        (i) =>
          i.path === 'rateLimits.rules[1].name' &&
          /duplicate rate limit rule name "a" \(also rateLimits\.rules\[0\]\)/.test(i.message),
      ),
      JSON.stringify(issues),
    );
  });

  it('reports a limit or window that is not a positive integer, with its line', () => {
    const zero = issuesOf(
      'rateLimits:\n  rules:\n    - name: a\n      per: []\n      limit: 0\n      windowSec: 60\n',
    );
    assert.equal(zero[0]?.path, 'rateLimits.rules[0].limit');
    assert.equal(zero[0]?.found, '0');
    assert.equal(zero[0]?.line, 5);
    const fraction = issuesOf('rateLimits:\n  rules: [{ name: a, per: [], limit: 1.5, windowSec: 60 }]\n');
    assert.equal(fraction[0]?.path, 'rateLimits.rules[0].limit');
    const window = issuesOf('rateLimits:\n  rules: [{ name: a, per: [], limit: 1, windowSec: 9999999 }]\n');
    assert.equal(window[0]?.path, 'rateLimits.rules[0].windowSec');
  });

  it('reports missing fields, unknown dimensions, methods, upstreams and keys', () => {
    const missing = issuesOf('rateLimits:\n  rules: [{ name: a, limit: 1, windowSec: 60 }]\n');
    assert.ok(missing.some((i) => i.path === 'rateLimits.rules[0].per' && i.found === 'nothing'));
    const dimension = issuesOf('rateLimits:\n  rules: [{ name: a, per: [org], limit: 1, windowSec: 6 }]\n');
    assert.equal(dimension[0]?.path, 'rateLimits.rules[0].per[0]');
    const repeated = issuesOf(
      'rateLimits:\n  rules: [{ name: a, per: [tool, tool], limit: 1, windowSec: 6 }]\n',
    );
    assert.ok(repeated.some((i) => i.path === 'rateLimits.rules[0].per' && /listed twice/.test(i.message)));
    const method = issuesOf(
      'rateLimits:\n  rules: [{ name: a, per: [], methods: [tools/list], limit: 1, windowSec: 6 }]\n',
    );
    assert.equal(method[0]?.path, 'rateLimits.rules[0].methods[0]');
    const upstream = issuesOf(
      `${UPSTREAM}rateLimits:\n  rules: [{ name: a, per: [], upstreams: [crm, crn], limit: 1, windowSec: 6 }]\n`,
    );
    assert.ok(
      upstream.some(
        (i) => i.path === 'rateLimits.rules[0].upstreams[1]' && /unknown upstream "crn"/.test(i.message),
      ),
    );
    const key = issuesOf('rateLimits:\n  rules: [{ name: a, per: [], limit: 1, windowSec: 6, burst: 2 }]\n');
    assert.ok(key.some((i) => /burst/.test(i.message)));
    const redis = issuesOf('rateLimits:\n  redis: { url: "http://127.0.0.1:6379" }\n');
    assert.equal(redis[0]?.path, 'rateLimits.redis.url');
  });
});
