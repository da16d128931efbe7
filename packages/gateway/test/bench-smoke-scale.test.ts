/**
 * The scale and token benchmarks (bench/catalog-scale.ts, bench/sessions.ts, bench/role-tokens.ts)
 * run tiny here so they cannot rot: each must exit 0 (each checks its own bookkeeping: every
 * listing returns the tool count its role must see, every call answers) and write a BenchResult
 * with `--json`. Figures are never asserted; only that they are there.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { BenchResult } from '../../../bench/lib/results.ts';
import { runScript } from '../../../bench/lib/run-script.ts';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';

const dir = makeTempDir('gatehouse-bench-smoke-');

/** Runs `bench/<name>.ts --smoke --json FILE`, checks the exit code and the result's shape. */
async function smoke(name: string): Promise<BenchResult> {
  const file = join(dir, `${name}.json`);
  const { code, out } = await runScript([`bench/${name}.ts`, '--smoke', '--json', file]);
  assert.equal(code, 0, out);
  const result = JSON.parse(readFileSync(file, 'utf8')) as BenchResult;
  assert.equal(result.bench, name);
  assert.match(result.command, new RegExp(`bench/${name}\\.ts --smoke --json`));
  assert.ok(!Number.isNaN(Date.parse(result.startedAt)));
  assert.ok(result.durationMs > 0);
  assert.ok(result.tables.length > 0);
  for (const table of result.tables) {
    assert.ok(table.rows.length > 0, table.title);
    for (const row of table.rows)
      assert.equal(row.length, table.columns.length, `${table.title}: ${row.join(' | ')}`);
  }
  for (const target of result.targets) {
    assert.equal(typeof target.name, 'string');
    assert.equal(typeof target.target, 'string');
    assert.equal(typeof target.measured, 'string');
    assert.equal(typeof target.pass, 'boolean');
  }
  for (const chart of result.charts) {
    assert.ok(chart.series.length > 0, chart.id);
    assert.ok(chart.series.every((s) => typeof s.value === 'number'));
  }
  assert.ok(Array.isArray(result.notes));
  return result;
}

const cells = (result: BenchResult) => result.tables.flatMap((t) => t.rows.map((r) => r.join(' | ')));

describe('bench smoke: scale and tokens', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('catalog-scale lists every setup through the gateway and direct, per role', async () => {
    const result = await smoke('catalog-scale');
    const rows = cells(result);
    for (const role of ['desk', 'analyst', 'auditor', 'ops', 'admin']) {
      assert.ok(
        rows.some((r) => r.includes(`gatehouse: ${role}`)),
        role,
      );
    }
    assert.ok(rows.some((r) => r.includes('direct: upstream on McpServer + zod')));
    assert.ok(result.targets.some((t) => t.name.includes('gatehouse → upstream with prebuilt JSON Schemas')));
  });

  it('sessions measures memory per idle session and authentication with many keys', async () => {
    const result = await smoke('sessions');
    assert.ok(result.targets.some((t) => t.name.includes('idle 2025-era session')));
    const rows = cells(result);
    assert.ok(rows.some((r) => r.includes('round-robin')));
    assert.ok(rows.some((r) => r.includes('one key')));
  });

  it('role-tokens counts tools/list tokens for every demo role and carries the customer figures', async () => {
    const result = await smoke('role-tokens');
    const rows = cells(result);
    for (const role of ['sales', 'support', 'finance', 'sre', 'admin']) {
      assert.ok(
        rows.some((r) => r.startsWith(role)),
        role,
      );
    }
    assert.ok(result.targets.some((t) => t.name.startsWith('typical demo role')));
    assert.ok(result.targets.some((t) => t.name.startsWith('customer tools:')));
  });
});
