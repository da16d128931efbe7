/**
 * Response shaping configuration: the path syntax, and a clear CONFIG_INVALID issue — naming
 * the place in the file — for every way a shaping rule can be wrong.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfigText } from '../src/config/load.ts';
import { parsePath } from '../src/config/shaping-paths.ts';

describe('shaping paths', () => {
  it('parses keys, [] elements, * wildcards and key globs', () => {
    const steps = (text: string) => {
      const parsed = parsePath(text);
      assert.ok(parsed.ok, text);
      return parsed.path.steps;
    };
    assert.deepEqual(steps('deals[].properties.amount'), [
      { kind: 'key', name: 'deals' },
      { kind: 'each' },
      { kind: 'key', name: 'properties' },
      { kind: 'key', name: 'amount' },
    ]);
    assert.deepEqual(steps('properties.hs_*'), [
      { kind: 'key', name: 'properties' },
      { kind: 'glob', pattern: 'hs_*' },
    ]);
    assert.deepEqual(steps('*.id'), [{ kind: 'any' }, { kind: 'key', name: 'id' }]);
    assert.deepEqual(steps('[].id'), [{ kind: 'each' }, { kind: 'key', name: 'id' }]);
    assert.deepEqual(steps('grid[][]'), [{ kind: 'key', name: 'grid' }, { kind: 'each' }, { kind: 'each' }]);
  });

  it('rejects empty segments, stray brackets and [] after a dot', () => {
    for (const bad of ['', 'a..b', 'a.', '.a', 'a[0]', 'a[]b', 'a.[]', 'a]']) {
      const parsed = parsePath(bad);
      assert.equal(parsed.ok, false, `"${bad}" should not parse`);
      if (!parsed.ok) assert.match(parsed.message, /path/);
    }
  });
});

function configIssues(shaping: string) {
  const yaml = `upstreams:\n  - name: crm\n    transport: stdio\n    command: x\n    shaping:\n${shaping}`;
  const loaded = loadConfigText(yaml, 'gatehouse.yaml', {});
  assert.equal(loaded.ok, false, 'expected the config to be rejected');
  return loaded.ok ? [] : loaded.issues;
}

describe('shaping config errors', () => {
  it('names a bad path, with its location', () => {
    const [issue] = configIssues('      - tools: [get_deal]\n        pick: ["deals[0].id"]\n');
    assert.equal(issue?.code, 'CONFIG_INVALID');
    assert.equal(issue?.path, 'upstreams[0].shaping[0].pick[0]');
    assert.match(issue?.message ?? '', /bad path "deals\[0\]\.id"/);
    assert.equal(issue?.line, 7);
  });

  it('refuses a path both picked and omitted', () => {
    const issues = configIssues(
      '      - tools: [get_deal]\n        pick: [id, name]\n        omit: [name]\n',
    );
    assert.ok(
      issues.some(
        (i) => i.path === 'upstreams[0].shaping[0].omit[0]' && /both picked and omitted/.test(i.message),
      ),
    );
  });

  it('refuses non-positive numbers', () => {
    const issues = configIssues(
      '      - tools: [t]\n        maxItems: 0\n        tokenBudget: -5\n        truncate: { maxChars: 0 }\n        arrays: { tickets: 0 }\n',
    );
    for (const path of ['maxItems', 'tokenBudget', 'truncate.maxChars', 'arrays.tickets']) {
      assert.ok(
        issues.some((i) => i.path === `upstreams[0].shaping[0].${path}`),
        `${path} is reported: ${issues.map((i) => i.path).join(', ')}`,
      );
    }
  });

  it('refuses renames that do not end in a key, and two renames to one name', () => {
    const issues = configIssues(
      '      - tools: [t]\n        rename: { "tickets[]": x, "a.*": y, "owner.name": who, "owner.id": who }\n',
    );
    assert.ok(issues.some((i) => /"tickets\[\]" must end in a plain key/.test(i.message)));
    assert.ok(issues.some((i) => /"a\.\*" must end in a plain key/.test(i.message)));
    assert.ok(issues.some((i) => /both renamed to "who"/.test(i.message)));
    const dotted = configIssues('      - tools: [t]\n        rename: { name: "a.b" }\n');
    assert.ok(dotted.some((i) => i.path === 'upstreams[0].shaping[0].rename.name'));
  });

  it('refuses omit and arrays paths that name elements, empty rules and unknown keys', () => {
    const elements = configIssues(
      '      - tools: [t]\n        omit: ["tickets[]"]\n        arrays: { "tickets[]": 3 }\n',
    );
    assert.ok(
      elements.some(
        (i) => i.path === 'upstreams[0].shaping[0].omit[0]' && /omit the array itself/.test(i.message),
      ),
    );
    assert.ok(elements.some((i) => /name the array itself \("tickets"\)/.test(i.message)));
    const empty = configIssues('      - tools: [t]\n');
    assert.ok(empty.some((i) => /needs at least one of pick, omit/.test(i.message)));
    const unknown = configIssues('      - tools: [t]\n        maxitems: 3\n');
    assert.ok(unknown.some((i) => /maxitems/.test(i.message)));
    const noTools = configIssues('      - pick: [id]\n');
    assert.ok(noTools.some((i) => i.path === 'upstreams[0].shaping[0].tools'));
  });
});
