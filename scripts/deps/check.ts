/**
 * Compares what a workspace package imports with what its package.json declares. Code that ships
 * (anything outside test/ and *.test.* files) must find its runtime imports in `dependencies`;
 * tests and type-only imports may use `devDependencies` too (a type-only import is also met by
 * the package's `@types/…`). Every declared package must be
 * imported somewhere in the package, and one in `dependencies` by code that ships. `@types/x`
 * counts as used when `x` is imported (`@types/node` when any builtin is).
 */
export interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

export interface PackageUse {
  pkg: string;
  typeOnly: boolean;
  /** The file, relative to the package, that imports it (named in problems). */
  file: string;
  /** True when the file is a test (under test/, or named *.test.*). */
  inTest: boolean;
}

/** Whether a path relative to its package is test code. */
export function isTestFile(relativePath: string): boolean {
  return /(^|\/)test\//.test(relativePath) || /\.test\.[cm]?[jt]s$/.test(relativePath);
}

/** The problems found in one package; empty when the manifest matches the imports. */
export function checkPackage(manifest: Manifest, uses: PackageUse[]): string[] {
  const deps = new Set(Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }));
  const devDeps = new Set(Object.keys(manifest.devDependencies ?? {}));
  const imported = uses.filter((use) => use.pkg !== 'node:' && use.pkg !== manifest.name);
  return [...undeclaredProblems(imported, deps, devDeps), ...unusedProblems(uses, deps, devDeps)];
}

function undeclaredProblems(imported: PackageUse[], deps: Set<string>, devDeps: Set<string>): string[] {
  const problems = new Map<string, string>();
  for (const use of imported) {
    if (deps.has(use.pkg) || problems.has(use.pkg)) continue;
    if (use.typeOnly && (deps.has(typesOf(use.pkg)) || devDeps.has(typesOf(use.pkg)))) continue;
    if (!devDeps.has(use.pkg)) {
      problems.set(use.pkg, `${use.pkg} is imported by ${use.file} but not declared`);
    } else if (shipsAtRuntime(use)) {
      problems.set(use.pkg, `${use.pkg} is imported at run time by ${use.file}: move it to dependencies`);
    }
  }
  return [...problems.values()];
}

function unusedProblems(uses: PackageUse[], deps: Set<string>, devDeps: Set<string>): string[] {
  const problems: string[] = [];
  for (const pkg of deps) {
    const users = uses.filter((use) => use.pkg === typedPackage(pkg));
    if (users.length === 0) problems.push(`${pkg} is declared in dependencies but never imported`);
    else if (users.every((use) => use.inTest)) {
      problems.push(`${pkg} is only imported by tests: move it to devDependencies`);
    }
  }
  for (const pkg of devDeps) {
    if (!uses.some((use) => use.pkg === typedPackage(pkg))) {
      problems.push(`${pkg} is declared in devDependencies but never imported`);
    }
  }
  return problems;
}

function shipsAtRuntime(use: PackageUse): boolean {
  return !use.inTest && !use.typeOnly;
}

/** The DefinitelyTyped package of `pkg`: `pg` → `@types/pg`, `@a/b` → `@types/a__b`. */
function typesOf(pkg: string): string {
  return `@types/${pkg.startsWith('@') ? pkg.slice(1).replace('/', '__') : pkg}`;
}

/** The package whose imports make a declared package used: `@types/a__b` → `@a/b`, `@types/node` → builtins. */
function typedPackage(declared: string): string {
  if (!declared.startsWith('@types/')) return declared;
  const name = declared.slice('@types/'.length);
  if (name === 'node') return 'node:';
  return name.includes('__') ? `@${name.replace('__', '/')}` : name;
}
