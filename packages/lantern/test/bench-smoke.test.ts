/**
 * bench/dual-architecture.ts must not rot: a `--smoke` run (two rounds, twenty plain calls) exits
 * 0 — every question went as its plan said on both paths and every observation behind the seed's
 * comparison table held — and writes a BenchResult with every table. The figures themselves are
 * never asserted here; only that they are there, and that the privileged tools stay invisible on
 * the external path.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { BenchResult, ResultTable } from '../../../bench/lib/results.ts';
import { runScript } from '../../../bench/lib/run-script.ts';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';

const dir = makeTempDir('lantern-bench-smoke-');

function table(result: BenchResult, title: string): ResultTable {
  const found = result.tables.find((t) => t.title.startsWith(title));
  assert.ok(found, `no table "${title}…"; tables: ${result.tables.map((t) => t.title).join(' / ')}`);
  for (const row of found.rows) assert.equal(row.length, found.columns.length, row.join(' | '));
  return found;
}

describe('dual architecture bench smoke', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('answers every question on both paths and observes every row of the seed table', async () => {
    const file = join(dir, 'dual.json');
    const { code, out } = await runScript(['bench/dual-architecture.ts', '--smoke', '--json', file]);
    assert.equal(code, 0, out);
    const result = JSON.parse(readFileSync(file, 'utf8')) as BenchResult;
    assert.equal(result.bench, 'dual-architecture');
    assert.match(result.command, /bench\/dual-architecture\.ts --smoke --json/);

    const seed = table(result, "The seed's comparison table");
    assert.deepEqual(
      seed.rows.map((r) => [r[0], r.at(-1)]),
      ['Location', 'Access method', 'Authentication', 'Data access', 'Security context', 'AI interface'].map(
        (aspect) => [aspect, 'yes'],
      ),
    );

    const questions = table(result, 'The same questions on both paths');
    assert.ok(questions.rows.length >= 8);
    const stats = questions.rows.find((r) => r[0]?.startsWith('stats by service'));
    assert.deepEqual([stats?.[1], stats?.[5]], ['computed', 'yes']);
    const crossOrg = questions.rows.find((r) => r[0]?.startsWith('open across all orgs'));
    assert.deepEqual([crossOrg?.[1], crossOrg?.[5]], ['no', 'yes']);

    const visibility = table(result, 'Each tool: who sees it on which path');
    for (const tool of ['incident_stats', 'query_activity', 'list_orgs', 'org_incidents']) {
      const row = visibility.rows.find((r) => r[0] === tool);
      assert.equal(row?.[1], '– (invisible)', `${tool} on the external path`);
      assert.equal(row?.[3], 'yes', `${tool} privileged`);
    }
    table(result, 'Plain per-call latency');
    assert.deepEqual(
      result.charts.map((c) => c.id),
      ['latency-per-question', 'tokens-per-answer', 'per-call-latency'],
    );
  });

  it('rejects a bad option', async () => {
    const { code, out } = await runScript(['bench/dual-architecture.ts', '--rounds', 'many']);
    assert.notEqual(code, 0);
    assert.match(out, /--rounds must be a positive integer, found many/);
  });
});
