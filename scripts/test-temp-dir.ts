/**
 * The one way tests make a temporary directory (every package's tests import it from here): `makeTempDir(prefix)` creates it under the OS
 * temp dir and removes it (recursively) when the test process exits. Removal waits for process
 * exit on purpose: node:test's `after()` called inside a `before()` hook runs as soon as that hook
 * ends, and a module-level `after()` registered at import runs before the test file's own `after`
 * hooks — both would remove a gateway's data dir while the gateway still runs. At exit every
 * `after` hook (which stops the gateways and servers using the directory) has already run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

process.on('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory `<tmpdir>/<prefix>XXXXXX`, removed when this test process exits. */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
