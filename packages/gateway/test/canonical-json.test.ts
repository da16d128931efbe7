/**
 * canonicalJson writes a sorted copy with JSON.stringify; the piecewise serializer it replaced
 * (still used for values with integer-like keys) is the reference it must match byte for byte,
 * since audit hashes, tool pins and approval keys already stored were computed with it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalEventJson, canonicalJson, eventOf, piecewiseCanonicalJson } from '../src/audit/chain.ts';
import type { AuditEvent } from '../src/audit/event.ts';

function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

const KEYS = ['a', 'b', 'B', '', 'é', 'z\ud800', '__proto__', 'toJSON', '10', '9', '01', '4294967295', 'x y'];
const LEAVES: unknown[] = [
  'text',
  '\ud83d',
  '\u0000"\\',
  1.5,
  -0,
  Number.NaN,
  Infinity,
  true,
  false,
  null,
  undefined,
  1e21,
];

function randomValue(random: () => number, depth: number, keys: readonly string[]): unknown {
  const r = random();
  if (depth > 3 || r < 0.35) return LEAVES[Math.floor(random() * LEAVES.length)];
  if (r < 0.55)
    return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1, keys));
  const object: Record<string, unknown> = {};
  for (let i = Math.floor(random() * 5); i > 0; i--) {
    const key = keys[Math.floor(random() * keys.length)] as string;
    Object.defineProperty(object, key, {
      value: randomValue(random, depth + 1, keys),
      enumerable: true,
      configurable: true,
      writable: true,
    });
  }
  return object;
}

describe('canonicalJson', () => {
  it('matches the piecewise serializer on edge cases', () => {
    const edge: unknown[] = [
      undefined,
      null,
      'plain',
      { b: 1, a: [true, null, 'x'], c: { z: 1, y: undefined } },
      { d: () => 1, s: Symbol('s'), list: [undefined, () => 1, Symbol('t')] },
      { when: new Date(0), custom: { toJSON: (key: string) => ({ keyWas: key, b: 2, a: 1 }) } },
      { boxed: [Object(2), Object('s'), Object(false)], n: Number.NaN, inf: -Infinity, zero: -0 },
      JSON.parse('{"__proto__": {"polluted": true}, "a": 1}'),
      { '10': 'ten', '9': 'nine', b: 1, a: { '2': 2, '1': 1 } },
      [{ '0': 'index key inside an array' }],
      { deep: [[[{ deeper: [{ deepest: 'ok' }] }]]] },
      { 'z\ud800': 'lone surrogate key', é: 'é', '': 'empty key' },
    ];
    for (const value of edge) assert.equal(canonicalJson(value), piecewiseCanonicalJson(value));
  });

  it('matches the piecewise serializer on random values, with and without integer-like keys', () => {
    const random = lcg(2026);
    const plainKeys = KEYS.filter((key) => !/^\d+$/.test(key) || key === '01');
    for (let i = 0; i < 3000; i++) {
      const value = randomValue(random, 0, i % 2 === 0 ? plainKeys : KEYS);
      const text = canonicalJson(value);
      assert.equal(text, piecewiseCanonicalJson(value));
      JSON.parse(text);
    }
  });

  it('sorts integer-like keys as text, after which JavaScript would not enumerate them', () => {
    assert.equal(canonicalJson({ b: 1, '10': 2, '9': 3 }), '{"10":2,"9":3,"b":1}');
    assert.equal(canonicalJson({ b: { y: 1, x: 2 }, a: 0 }), '{"a":0,"b":{"x":2,"y":1}}');
  });

  it('keeps an own __proto__ key, and refuses a BigInt', () => {
    assert.equal(canonicalJson(JSON.parse('{"b":1,"__proto__":{"x":1}}')), '{"__proto__":{"x":1},"b":1}');
    assert.throws(() => canonicalJson({ a: 1n }), /a BigInt has no JSON form/);
  });
});

describe('canonicalEventJson', () => {
  it('is canonicalJson of the event fields, extra fields left out', () => {
    const random = lcg(7);
    for (let i = 0; i < 500; i++) {
      const event = {
        time: '2026-12-08T00:00:00.000Z',
        requestId: `req-${i}`,
        traceId: null,
        transport: 'http',
        era: 'legacy',
        sessionId: 's-1',
        method: 'tools/call',
        target: 'get_deal',
        upstream: 'crm',
        decision: 'allow',
        rule: 'role:sales → group:crm-read/allow[0]',
        status: 'ok',
        errorCode: null,
        latencyMs: i / 7,
        resultBytes: i,
        resultHash: null,
        approvedBy: i % 5 === 0 ? undefined : 'bob',
        arguments: randomValue(random, 0, KEYS),
        principal:
          i % 3 === 0 ? null : { id: 'key:1', user: 'u', org: 'o', roles: ['b', 'a'], via: 'api-key' },
        errorMessage: i % 2 === 0 ? null : 'no \ud800 way',
        seq: 4,
        hash: 'not an event field',
      } as AuditEvent;
      assert.equal(canonicalEventJson(event), canonicalJson(eventOf(event)));
    }
  });
});
