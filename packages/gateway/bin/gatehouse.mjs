#!/usr/bin/env node
// Launcher for the `gatehouse` CLI. The CLI is TypeScript run by Node 24's type stripping; when the
// Node running this file is older, re-run it with the Node 24 that scripts/setup.sh installed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const major = Number(process.versions.node.split('.')[0]);
if (major >= 24) {
  const { main } = await import('../src/cli/main.ts');
  await main(process.argv.slice(2));
} else {
  const local = join(here, '..', '..', '..', '.tools', 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(local)) {
    process.stderr.write(
      `gatehouse needs Node 24 or newer (found ${process.version}); run scripts/setup.sh\n`,
    );
    process.exit(1);
  }
  const result = spawnSync(local, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exit(result.status ?? 1);
}
