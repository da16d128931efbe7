/**
 * The launcher (bin/gatehouse.mjs): a long-running command replaces itself with a bounded young
 * generation and old-generation growth (same pid), each unless the operator chose it; every
 * command keeps its type-stripped sources in Node's compile cache.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';
import { configDir, GATEHOUSE_BIN } from './helpers/child-gateway.ts';
import { OPEN_ACCESS_YAML } from './helpers/harness.ts';

/** Starts `gatehouse serve`, waits for its endpoint line, and returns its pid's command line. */
async function serveCommandLine(
  env: Record<string, string>,
  nodeFlags: string[] = [],
): Promise<{ pid: number; argv: string[] }> {
  const cfg = configDir();
  cfg.write(`upstreams: []\nstorage: { path: ${JSON.stringify(cfg.storage)} }\n${OPEN_ACCESS_YAML}`);
  const child = spawn(
    process.execPath,
    [...nodeFlags, GATEHOUSE_BIN, 'serve', '--config', cfg.file, '--port', '0'],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error('gatehouse serve did not start')), 30_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('Gatehouse MCP endpoint')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`gatehouse serve exited (${code})`)));
    });
    const pid = child.pid as number;
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return { pid, argv };
  } finally {
    child.kill('SIGTERM');
  }
}

describe('launcher', () => {
  it('runs serve with 8 MB semi-spaces and 50% heap growth, in the same process', async () => {
    const { argv } = await serveCommandLine({});
    assert.ok(argv.includes('--max-semi-space-size=8'), argv.join(' '));
    assert.ok(argv.includes('--heap-growing-percent=50'), argv.join(' '));
    assert.ok(argv.includes('serve'));
  });

  it("keeps an operator's own size, and still bounds the heap's growth", async () => {
    const { argv } = await serveCommandLine({ NODE_OPTIONS: '--max-semi-space-size=16' });
    assert.ok(!argv.some((arg) => arg.startsWith('--max-semi-space-size')), argv.join(' '));
    assert.ok(argv.includes('--heap-growing-percent=50'), argv.join(' '));
  });

  it("keeps an operator's own heap growth from the command line", async () => {
    const { argv } = await serveCommandLine({}, ['--heap-growing-percent=80']);
    assert.equal(argv.filter((arg) => arg.startsWith('--heap-growing-percent')).length, 1, argv.join(' '));
    assert.ok(argv.includes('--heap-growing-percent=80'), argv.join(' '));
    assert.ok(argv.includes('--max-semi-space-size=8'), argv.join(' '));
  });

  it('reads the type-stripped sources from the compile cache on the second start', () => {
    const env = { ...process.env };
    delete env.NODE_COMPILE_CACHE;
    const cache = makeTempDir('gatehouse-compile-cache-');
    try {
      const run = (extra: Record<string, string> = {}) =>
        spawnSync(process.execPath, [GATEHOUSE_BIN, '--help'], {
          // The cache goes to the OS temporary directory unless NODE_COMPILE_CACHE says otherwise.
          env: { ...env, TMPDIR: cache, ...extra },
          encoding: 'utf8',
        });
      assert.equal(run().status, 0);
      // Node reports its compile-cache lookups on stderr under NODE_DEBUG_NATIVE=COMPILE_CACHE.
      const second = run({ NODE_DEBUG_NATIVE: 'COMPILE_CACHE' });
      assert.equal(second.status, 0);
      assert.match(
        second.stderr,
        /retrieving transpile cache for StrippedTypeScript \S+\/src\/cli\/main\.ts\.\.\.success/,
      );
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
