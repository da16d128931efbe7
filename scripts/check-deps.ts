/**
 * Fails when a workspace package imports a package its package.json does not declare, declares
 * one it never imports, or puts one in the wrong section (see scripts/deps/check.ts). Run by
 * `npm run deps:check`, part of `npm run check` and scripts/test.sh.
 */
import { globSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkPackage, isTestFile, type Manifest, type PackageUse } from './deps/check.ts';
import { importsOf } from './deps/imports.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCE_FILES = '**/*.{ts,mts,cts,js,mjs,cjs}';

function readManifest(dir: string): Manifest & { workspaces?: string[] } {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
}

function workspaceDirs(): string[] {
  const patterns = readManifest(ROOT).workspaces ?? [];
  return patterns
    .flatMap((pattern) => globSync(`${pattern}/package.json`, { cwd: ROOT }))
    .map((p) => join(ROOT, p, '..'));
}

function usesIn(dir: string): PackageUse[] {
  const files = globSync(SOURCE_FILES, { cwd: dir, exclude: ['**/node_modules/**'] });
  return files.flatMap((file) =>
    importsOf(file, readFileSync(join(dir, file), 'utf8')).map((use) => ({
      ...use,
      file,
      inTest: isTestFile(file),
    })),
  );
}

let failed = false;
for (const dir of workspaceDirs()) {
  const manifest = readManifest(dir);
  for (const problem of checkPackage(manifest, usesIn(dir))) {
    process.stderr.write(`${relative(ROOT, dir)}/package.json (${manifest.name}): ${problem}\n`);
    failed = true;
  }
}
if (failed) process.exit(1);
process.stdout.write('deps:check: every workspace package declares exactly what it imports\n');
