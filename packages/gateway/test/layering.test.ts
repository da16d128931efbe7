/**
 * Which folders of packages/gateway/src may import which: the rules that hold today, read from the
 * import statements of the source files, so a change that breaks one fails here.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** Every .ts file under `dir`, as paths relative to src/ with forward slashes. */
function sourceFiles(dir: string): string[] {
  return readdirSync(join(SRC, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(dir, file).split('\\').join('/'));
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g;

/** The specifiers a file imports (static, side-effect and dynamic imports, and re-exports). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  return [...text.matchAll(IMPORT)].map((match) => match[1] ?? '');
}

/** A relative specifier as a path under src/ ("config/model.ts"); undefined for packages. */
function targetUnderSrc(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  return relative(SRC, resolve(SRC, dirname(file), specifier))
    .split('\\')
    .join('/');
}

function topFolder(path: string): string {
  const slash = path.indexOf('/');
  return slash === -1 ? path : path.slice(0, slash);
}

/** "file imports specifier" for every import of the files under `dir` that `allowed` refuses. */
function violations(
  dir: string,
  allowed: (specifier: string, target: string | undefined) => boolean,
): string[] {
  return sourceFiles(dir).flatMap((file) =>
    importsOf(file)
      .filter((specifier) => !allowed(specifier, targetUnderSrc(file, specifier)))
      .map((specifier) => `${file} imports ${specifier}`),
  );
}

describe('layering of packages/gateway/src', () => {
  it('finds the imports it checks', () => {
    assert.ok(sourceFiles('config').length > 10);
    assert.ok(importsOf('config/schema.ts').includes('zod'));
    assert.equal(targetUnderSrc('config/load.ts', '../errors/registry.ts'), 'errors/registry.ts');
  });

  it('config/ sits at the bottom: only zod, yaml, node builtins, itself and errors/', () => {
    const found = violations('config', (specifier, target) => {
      if (target === undefined)
        return specifier === 'zod' || specifier === 'yaml' || specifier.startsWith('node:');
      return ['config', 'errors'].includes(topFolder(target));
    });
    assert.deepEqual(found, []);
  });

  it('meta-tools/ (the meta-tool definitions and their arguments) imports only errors/, SDK types and @gatehouse/tool-search', () => {
    const found = violations('meta-tools', (specifier, target) => {
      if (target === undefined)
        return specifier === '@modelcontextprotocol/client' || specifier === '@gatehouse/tool-search';
      return ['meta-tools', 'errors'].includes(topFolder(target));
    });
    assert.deepEqual(found, []);
  });

  it('errors/ imports nothing else of the gateway', () => {
    const found = violations('errors', (_, target) => target === undefined || topFolder(target) === 'errors');
    assert.deepEqual(found, []);
  });

  it('only transport/, cli/ and the package entry (index.ts) import transport/', () => {
    const importers = new Set(['transport', 'cli', 'index.ts']);
    const found = sourceFiles('.')
      .filter((file) => !importers.has(topFolder(file)))
      .flatMap((file) =>
        importsOf(file)
          .filter((specifier) => topFolder(targetUnderSrc(file, specifier) ?? '') === 'transport')
          .map((specifier) => `${file} imports ${specifier}`),
      );
    assert.deepEqual(found, []);
  });

  it('only the gateway assembly (gateway-pipeline.ts) imports stages/, and no stage imports another', () => {
    const found = sourceFiles('.').flatMap((file) =>
      importsOf(file)
        .map((specifier) => ({ specifier, target: targetUnderSrc(file, specifier) ?? '' }))
        .filter(({ target }) => topFolder(target) === 'stages' && file !== 'gateway-pipeline.ts')
        .map(({ specifier }) => `${file} imports ${specifier}`),
    );
    assert.deepEqual(found, []);
  });

  it('pipeline/ (the composer, the request types, the outcome) imports no stage, driver or assembly', () => {
    const above = new Set(['stages', 'transport', 'downstream', 'cli', 'gateway.ts', 'gateway-pipeline.ts']);
    const found = violations(
      'pipeline',
      (_, target) => target === undefined || !above.has(topFolder(target)),
    );
    assert.deepEqual(found, []);
  });
});
