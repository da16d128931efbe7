/**
 * bench/wallet-transfers.ts run tiny so it cannot rot: it must exit 0 (it checks its own books —
 * one stored transfer per key, money conserved, reconcile clean) and print its table. Never timed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { it } from 'node:test';

it('wallet-transfers runs its layouts and checks the books', async () => {
  const child = spawn(process.execPath, ['bench/wallet-transfers.ts', '--smoke'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk) => {
    out += chunk;
  });
  child.stderr.on('data', (chunk) => {
    out += chunk;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  assert.equal(code, 0, out);
  assert.match(out, /\| sqlite +\| spread \(100\)/);
  assert.match(out, /\| sqlite +\| hot \(2\)/);
  assert.match(out, /reconcile clean/);
});
