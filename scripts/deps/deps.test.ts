/**
 * The dependency check's two halves: reading a file's imports (static, re-exports, dynamic
 * literals, type-only, subpaths, builtins and relative paths left out), and judging a manifest
 * against them (undeclared, unused, runtime imports in devDependencies, test-only dependencies,
 * @types packages).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkPackage, isTestFile, type Manifest, type PackageUse } from './check.ts';
import { importsOf, packageOf } from './imports.ts';

describe('importsOf', () => {
  test('finds every kind of import, with subpaths mapped to their package', () => {
    const source = `
      import { z } from 'zod';
      import type { Span } from '@opentelemetry/api';
      import { type Foo } from 'kept-at-runtime';
      export { thing } from '@scope/pkg/sub/path';
      export type { T } from 'types-only';
      import 'side-effect';
      import { readFile } from 'node:fs';
      import { join } from 'path';
      import local from './local.ts';
      import internal from '#internal';
      const lazy = await import('lazy-pkg/deep');
      const notLiteral = await import(someVariable);
      type Lazy = import('type-position').X;
      const legacy = require('required-pkg');
    `;
    assert.deepEqual(importsOf('file.ts', source), [
      { pkg: 'zod', typeOnly: false },
      { pkg: '@opentelemetry/api', typeOnly: true },
      { pkg: 'kept-at-runtime', typeOnly: false },
      { pkg: '@scope/pkg', typeOnly: false },
      { pkg: 'types-only', typeOnly: true },
      { pkg: 'side-effect', typeOnly: false },
      { pkg: 'node:', typeOnly: false },
      { pkg: 'node:', typeOnly: false },
      { pkg: 'lazy-pkg', typeOnly: false },
      { pkg: 'type-position', typeOnly: true },
      { pkg: 'required-pkg', typeOnly: false },
    ]);
  });

  test('reads plain JavaScript modules too', () => {
    assert.deepEqual(importsOf('bin/cli.mjs', "import('@gatehouse/gateway').then(() => {});"), [
      { pkg: '@gatehouse/gateway', typeOnly: false },
    ]);
  });

  test('packageOf leaves relative paths and subpath imports out', () => {
    assert.equal(packageOf('../x.ts'), undefined);
    assert.equal(packageOf('#x'), undefined);
    assert.equal(packageOf('hono/utils/http-status'), 'hono');
    assert.equal(packageOf('child_process'), 'node:');
  });
});

describe('checkPackage', () => {
  const use = (pkg: string, file = 'src/a.ts', typeOnly = false): PackageUse => ({
    pkg,
    file,
    typeOnly,
    inTest: isTestFile(file),
  });
  const manifest = (extra: Partial<Manifest>): Manifest => ({ name: '@x/self', ...extra });

  test('a package that declares exactly what it imports passes', () => {
    const problems = checkPackage(
      manifest({
        dependencies: { zod: '1' },
        devDependencies: { oidc: '1', '@types/pg': '1', '@types/node': '1' },
      }),
      [
        use('zod'),
        use('oidc', 'test/a.test.ts'),
        use('pg', 'test/db.ts', true),
        use('node:'),
        use('@x/self'),
      ],
    );
    assert.deepEqual(problems, []);
  });

  test('names undeclared and unused packages', () => {
    const problems = checkPackage(
      manifest({ dependencies: { unused: '1' }, devDependencies: { '@types/pg': '1' } }),
      [use('zod')],
    );
    assert.deepEqual(problems, [
      'zod is imported by src/a.ts but not declared',
      'unused is declared in dependencies but never imported',
      '@types/pg is declared in devDependencies but never imported',
    ]);
  });

  test('a runtime import needs dependencies; a type-only or test import may use devDependencies', () => {
    const problems = checkPackage(manifest({ devDependencies: { pg: '1', otel: '1', client: '1' } }), [
      use('pg'),
      use('otel', 'src/a.ts', true),
      use('client', 'src/client.test.ts'),
    ]);
    assert.deepEqual(problems, ['pg is imported at run time by src/a.ts: move it to dependencies']);
  });

  test('a dependency only tests import belongs in devDependencies', () => {
    const problems = checkPackage(manifest({ dependencies: { client: '1' } }), [
      use('client', 'test/helpers.ts'),
    ]);
    assert.deepEqual(problems, ['client is only imported by tests: move it to devDependencies']);
  });
});
