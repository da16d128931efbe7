#!/usr/bin/env node
// Launcher for the `gatehouse` CLI. The CLI is TypeScript run by Node 24's type stripping; when the
// Node running this file is older, re-run it with the Node 24 that scripts/setup.sh installed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const major = Number(process.versions.node.split('.')[0]);

/**
 * The commands that keep running get two V8 heap settings, each unless the operator chose it (on
 * the command line, or in NODE_OPTIONS where Node allows it); the process replaces itself
 * (process.execve), so its pid, signals and standard streams stay the same.
 *
 * - `--max-semi-space-size=8`: V8 sizes the young generation by the machine's memory, and on a
 *   large machine a busy gateway holds some hundred MB of it that a bounded one does not need.
 *   4 MB semi-spaces save some 15 MB more but cost some 10–20% more CPU per call in scavenges.
 * - `--heap-growing-percent=50`: after a full collection V8 lets the old generation grow to up to
 *   four times what survived before collecting it again. A gateway's live heap is small (some
 *   45 MB at concurrency 8) but every call leaves a little in the old generation, so under
 *   steady load the heap sat near 175 MB; grown by half at most it sits near 75 MB, at no CPU
 *   per call that bench/overhead.ts can tell apart.
 *
 * bench/overhead.ts measures the peak RSS at concurrency 8 (docs/operations.md, "Memory").
 */
const LONG_RUNNING = new Set(['serve', 'demo', 'stdio', 'connect']);
const HEAP_FLAGS = [
  ['--max-semi-space-size', '8'],
  ['--heap-growing-percent', '50'],
];
const operatorFlags = [...process.execArgv, process.env.NODE_OPTIONS ?? ''];
// A process under an inspector is not replaced (the inspector address it printed would be gone).
const inspected = operatorFlags.some((flag) => flag.includes('--inspect'));
const added = HEAP_FLAGS.filter(([name]) => !operatorFlags.some((flag) => flag.includes(name))).map(
  ([name, value]) => `${name}=${value}`,
);
if (
  major >= 24 &&
  LONG_RUNNING.has(process.argv[2] ?? '') &&
  added.length > 0 &&
  !inspected &&
  typeof process.execve === 'function'
) {
  process.execve(process.execPath, [
    process.execPath,
    ...added,
    ...process.execArgv,
    fileURLToPath(import.meta.url),
    ...process.argv.slice(2),
  ]);
}

if (major >= 24) {
  // Node's compile cache keeps the type-stripped sources and their V8 code between runs (keyed by
  // content, so an edited file is stripped again). A warm start never loads the type stripper,
  // whose WebAssembly memory would otherwise stay resident for the life of the process (some
  // 20 MB of a gateway's RSS), and starts faster. NODE_COMPILE_CACHE picks the directory
  // (default: the OS temporary directory); NODE_DISABLE_COMPILE_CACHE=1 turns it off.
  const { enableCompileCache, flushCompileCache } = await import('node:module');
  enableCompileCache();
  const { main } = await import('../src/cli/main.ts');
  flushCompileCache();
  await main(process.argv.slice(2));
} else {
  const local = join(here, '..', '..', '..', '.tools', 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(local)) {
    process.stderr.write(
      `gatehouse needs Node 24 or newer (found ${process.version}); run scripts/setup.sh\n`,
    );
    process.exit(1);
  }
  // That Node goes first on PATH too: a configuration's `command: node` (every stdio upstream of
  // the demo) must start the same Node 24, not the older one that ran this file.
  const path = [dirname(local), process.env.PATH].filter(Boolean).join(delimiter);
  const result = spawnSync(local, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, PATH: path },
  });
  process.exit(result.status ?? 1);
}
