/**
 * Smoke of bench/overhead.ts (never timed): a tiny run of every setup it can start (direct,
 * Gatehouse, the peer proxies when installed, direct stdio) and a 5 s soak must finish, exit 0 —
 * which needs every answer checked and Gatehouse's audit log to hold one tools/call record per
 * call made — and write a BenchResult with tables, charts and targets.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runScript } from '../../../bench/lib/run-script.ts';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';

const dir = makeTempDir('gatehouse-bench-smoke-overhead-');
after(() => rmSync(dir, { recursive: true, force: true }));

interface Result {
  bench: string;
  tables: { title: string; columns: string[]; rows: string[][] }[];
  charts: { id: string }[];
  targets: { name: string; pass: boolean }[];
  notes: string[];
}

describe('bench smoke: overhead', () => {
  it('runs the setups and the soak, checks the audit count and writes its result', async () => {
    const file = join(dir, 'overhead.json');
    const { code, out } = await runScript(['bench/overhead.ts', '--smoke', '--json', file]);
    assert.equal(code, 0, out);
    assert.match(out, /gatehouse audit: (\d+) tools\/call records \(\1 ok\) for \1 calls made → OK/);
    assert.match(out, /soak audit: .* → OK/);
    // Fifty calls and a 5 s soak say nothing about the targets: they are printed, not judged.
    assert.match(out, /Targets \(not judged: a smoke run/);
    assert.doesNotMatch(out, /^(PASS|FAIL) {2}/m);
    const result = JSON.parse(readFileSync(file, 'utf8')) as Result;
    assert.equal(result.bench, 'overhead');
    const titles = result.tables.map((t) => t.title);
    assert.ok(
      titles.some((t) => /echo.*2025-11-25/.test(t)),
      titles.join('\n'),
    );
    assert.ok(
      titles.some((t) => /echo.*2026-07-28/.test(t)),
      titles.join('\n'),
    );
    assert.ok(
      titles.some((t) => /^Soak/.test(t)),
      titles.join('\n'),
    );
    const legacy = result.tables.find((t) => /echo.*2025-11-25/.test(t.title));
    const setups = new Set(legacy?.rows.map((row) => row[1]));
    for (const name of ['direct', 'gatehouse', 'direct stdio'])
      assert.ok(setups.has(name), `${name} missing`);
    assert.ok(result.charts.some((c) => c.id === 'calls-per-second-c8-legacy'));
    assert.ok(result.targets.some((t) => t.name.startsWith('throughput through Gatehouse')));
    assert.ok(result.targets.some((t) => t.name.startsWith('no memory growth')));
  });

  it('runs the setups that split the overhead: the gateway with its audit off, and a bare relay', async () => {
    const file = join(dir, 'overhead-split.json');
    const { code, out } = await runScript([
      'bench/overhead.ts',
      '--smoke',
      '--setups',
      'direct,gatehouse,gatehouse-audit-off,bare-relay',
      '--json',
      file,
    ]);
    assert.equal(code, 0, out);
    // Only the gateway whose audit is on is checked for its records (once: the audit-off one has none).
    assert.equal(out.match(/gatehouse audit: .* → OK/g)?.length, 1, out);
    const result = JSON.parse(readFileSync(file, 'utf8')) as Result;
    const rowsOf = (era: RegExp) =>
      new Set(result.tables.find((t) => era.test(t.title))?.rows.map((row) => row[1]));
    const legacy = rowsOf(/echo.*2025-11-25/);
    for (const name of ['direct', 'gatehouse', 'gatehouse audit off', 'bare relay'])
      assert.ok(legacy.has(name), `${name} missing from the 2025-11-25 table`);
    const modern = rowsOf(/echo.*2026-07-28/);
    assert.ok(modern.has('gatehouse audit off'));
    // The bare relay speaks only 2025-era sessions.
    assert.ok(!modern.has('bare relay'));
  });

  it('refuses an unknown setup with a clear message', async () => {
    const { code, out } = await runScript(['bench/overhead.ts', '--setups', 'direct,nginx']);
    assert.equal(code, 1);
    assert.match(out, /--setups: nginx is not one of/);
  });
});
