/**
 * Smoke of bench/scale-out.ts (never timed): a tiny run of every setup — one gateway directly on
 * the embedded default and on PostgreSQL + Redis, then 1 and 2 replicas behind nginx — must
 * finish, exit 0 (each setup's audit holds one ok tools/call record per call answered and
 * `gatehouse audit verify` passes) and write a BenchResult with both eras' tables. Needs
 * `source scripts/services.sh` (PostgreSQL, Redis, nginx).
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runScript } from '../../../bench/lib/run-script.ts';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';

const dir = makeTempDir('gatehouse-bench-smoke-scale-out-');
after(() => rmSync(dir, { recursive: true, force: true }));

interface Result {
  bench: string;
  tables: { title: string; columns: string[]; rows: string[][] }[];
  charts: { id: string }[];
  notes: string[];
}

describe('bench smoke: scale-out', () => {
  it('measures every setup, checks each audit and writes its result', async () => {
    const file = join(dir, 'scale-out.json');
    const { code, out } = await runScript(['bench/scale-out.ts', '--smoke', '--json', file]);
    assert.equal(code, 0, out);
    for (const setup of ['embedded direct', 'postgres direct', 'nginx ×1', 'nginx ×2'])
      assert.match(
        out,
        new RegExp(`^${setup} audit: \\d+ ok tools/call records .*audit chain intact: .* → OK$`, 'm'),
      );
    const result = JSON.parse(readFileSync(file, 'utf8')) as Result;
    assert.equal(result.bench, 'scale-out');
    const modern = result.tables.find((t) => t.title.includes('2026-07-28'));
    assert.ok(modern, result.tables.map((t) => t.title).join('\n'));
    assert.deepEqual(
      modern.rows.map((row) => row[0]),
      ['embedded direct', 'postgres direct', 'nginx ×1', 'nginx ×2'],
    );
    // Stateless calls need no affinity: every setup measured, none failed.
    for (const row of modern.rows) assert.match(row[2] ?? '', /^\d+$/, row.join(' | '));
    assert.ok(result.tables.some((t) => t.title.includes('2025-11-25')));
    assert.ok(result.charts.some((c) => c.id === 'gateway-cpu-per-call-modern'));
    for (const note of [
      /gateway CPU per call with shared state \(PostgreSQL \+ Redis\) [\d.]+ ms against [\d.]+ ms on the embedded default/,
      /session taken up by a replica that did not hold it .* ms of CPU against [\d.]+ ms on a held session/,
      /API key looked up in PostgreSQL \(the 5 s cache missed\): [\d.]+ ms of PostgreSQL CPU per lookup/,
    ])
      assert.ok(
        result.notes.some((n) => note.test(n)),
        `${note}\n${result.notes.join('\n')}`,
      );
    // The database's own CPU per call is a column of its own.
    assert.ok(modern.columns.includes('PostgreSQL + Redis CPU ms/call'), modern.columns.join(', '));
  });
});
