/**
 * The launcher (bin/gatehouse.mjs): a long-running command replaces itself with a bounded young
 * generation (same pid), unless the operator chose a size.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { configDir, GATEHOUSE_BIN } from './helpers/child-gateway.ts';
import { OPEN_ACCESS_YAML } from './helpers/harness.ts';

/** Starts `gatehouse serve`, waits for its endpoint line, and returns its pid's command line. */
async function serveCommandLine(env: Record<string, string>): Promise<{ pid: number; argv: string[] }> {
  const cfg = configDir();
  cfg.write(`upstreams: []\nstorage: { path: ${JSON.stringify(cfg.storage)} }\n${OPEN_ACCESS_YAML}`);
  const child = spawn(process.execPath, [GATEHOUSE_BIN, 'serve', '--config', cfg.file, '--port', '0'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
  it('runs serve with 8 MB semi-spaces, in the same process', async () => {
    const { argv } = await serveCommandLine({});
    assert.ok(argv.includes('--max-semi-space-size=8'), argv.join(' '));
    assert.ok(argv.includes('serve'));
  });

  it("keeps an operator's own size", async () => {
    const { argv } = await serveCommandLine({ NODE_OPTIONS: '--max-semi-space-size=16' });
    assert.ok(!argv.some((arg) => arg.startsWith('--max-semi-space-size')), argv.join(' '));
  });
});
