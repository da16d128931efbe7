/**
 * Which packages a source file imports, read with the TypeScript parser: static `import` and
 * `export … from`, `import x = require()`, dynamic `import('literal')`, `require('literal')` and
 * `import('x')` type references. Relative paths, `#` subpath imports and Node builtins are left
 * out; a subpath (`pkg/sub`, `@scope/pkg/sub`) counts as its package.
 */
import { isBuiltin } from 'node:module';
import ts from 'typescript';

export interface ImportUse {
  /** The package name (`zod`, `@modelcontextprotocol/server`), or `node:` for any builtin. */
  pkg: string;
  /** True for `import type …`, `export type … from` and `import('x')` in type positions. */
  typeOnly: boolean;
}

/** The package a bare specifier belongs to; undefined for relative paths and `#` imports. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('#')) {
    return undefined;
  }
  if (specifier.startsWith('node:') || isBuiltin(specifier)) return 'node:';
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Every package `source` imports, once per import site. */
export function importsOf(fileName: string, source: string): ImportUse[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, false, scriptKindOf(fileName));
  const uses: ImportUse[] = [];
  const add = (node: ts.Node | undefined, typeOnly: boolean) => {
    if (node === undefined || !ts.isStringLiteralLike(node)) return;
    const pkg = packageOf(node.text);
    if (pkg !== undefined) uses.push({ pkg, typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node.moduleSpecifier, node.importClause?.isTypeOnly === true);
    else if (ts.isExportDeclaration(node)) add(node.moduleSpecifier, node.isTypeOnly);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument))
      add(node.argument.literal, true);
    else if (ts.isCallExpression(node) && isImportOrRequire(node)) add(node.arguments[0], false);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return uses;
}

function isImportOrRequire(call: ts.CallExpression): boolean {
  if (call.expression.kind === ts.SyntaxKind.ImportKeyword) return true;
  return ts.isIdentifier(call.expression) && call.expression.text === 'require';
}

function scriptKindOf(fileName: string): ts.ScriptKind {
  return /\.[cm]?ts$/.test(fileName) ? ts.ScriptKind.TS : ts.ScriptKind.JS;
}
