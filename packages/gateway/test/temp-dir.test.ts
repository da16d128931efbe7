/**
 * makeTempDir (scripts/test-temp-dir.ts, which every package's tests use): a directory a test makes stays
 * through its hooks and is gone once the test process has exited, so test runs leave nothing in
 * the OS temp dir.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SUITE = fileURLToPath(new URL('./fixtures/temp-dir-suite.ts', import.meta.url));

describe('makeTempDir', () => {
  it('keeps the directory through the after hooks and removes it when the test process exits', () => {
    // Its own test run, not a subtest of this one: without the runner context this process passes on.
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const run = spawnSync(process.execPath, [SUITE], { encoding: 'utf8', env });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    const dir = /TEMP_DIR=(\S+)/.exec(run.stdout)?.[1];
    assert.ok(dir, run.stdout);
    assert.equal(existsSync(dir), false, `${dir} is left behind`);
  });
});
