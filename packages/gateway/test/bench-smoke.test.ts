/**
 * The benchmarks under bench/ print figures and are never timed here; this runs each one tiny so
 * it cannot rot: it must finish, exit 0 (each checks its own bookkeeping — audit records written
 * equal calls acknowledged, the chain verifies) and print its table.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runScript } from '../../../bench/lib/run-script.ts';

describe('bench smoke', () => {
  it('access-overhead runs its three setups and checks the audit count', async () => {
    const { code, out } = await runScript(['bench/access-overhead.ts', '--smoke']);
    assert.equal(code, 0, out);
    assert.match(out, /access on/);
    assert.match(out, /\| *era *\|/);
  });

  it('audit-throughput writes, counts and verifies', async () => {
    const { code, out } = await runScript([
      'bench/audit-throughput.ts',
      '--events',
      '400',
      '--rounds',
      '1',
      '--concurrency',
      '16',
    ]);
    assert.equal(code, 0, out);
    assert.match(out, /sqlite/i);
  });

  it('isolation runs every neighbour configuration, never fails a healthy call and checks the audit', async () => {
    const { code, out } = await runScript(['bench/isolation.ts', '--smoke']);
    assert.equal(code, 0, out);
    assert.match(out, /hung neighbour/);
    assert.match(out, /flapping neighbour/);
    assert.match(out, /\| *era *\| *configuration *\|/);
    assert.match(out, /healthy calls failed: 0/);
  });
});
