/**
 * Loading a config file: read → YAML → ${VAR} interpolation → schema → normalize (check-all.ts)
 * → the TLS files it names, read and checked (tls-files.ts).
 * Every problem becomes a ConfigIssue naming the file, the path inside it, what was expected and
 * what was found, with the line and column of the key or value in the YAML; all of them at once,
 * in file order.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Document, isMap, isNode, isScalar, LineCounter, parseDocument } from 'yaml';
import type { LocalErrorCode } from '../errors/registry.ts';
import { checkAll } from './check-all.ts';
import { interpolate, type MissingVariable } from './interpolate.ts';
import type { GatewayModel } from './model.ts';
import { loadUpstreamTls } from './tls-files.ts';

export interface ConfigIssue {
  code: LocalErrorCode;
  file: string;
  path: string;
  message: string;
  found?: string;
  line?: number;
  column?: number;
}

export type LoadResult =
  | { ok: true; model: GatewayModel; file: string }
  | { ok: false; issues: ConfigIssue[] };

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value);
  const text = json === undefined ? String(value) : json;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Keys whose values are secrets: an error names their length, never their text. */
const SECRET_KEY = /(^|[_-])(key|secret|token|password|passwd|credential)s?$|apikey|secret|password|token/i;

/** What a config error says was found: the value, unless it is (or looks like) a secret. */
function describeFound(path: readonly PropertyKey[], value: unknown): string {
  const last = path.findLast((segment) => typeof segment === 'string');
  const secret =
    (typeof last === 'string' && SECRET_KEY.test(last)) ||
    (typeof value === 'string' && value.startsWith('ghk_'));
  if (secret && typeof value === 'string')
    return `a string of ${value.length} characters (not shown: a secret)`;
  return describeValue(value);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** Where a path is in the YAML document: the key's own line for `atKey`, else the value's. */
function locator(doc: Document, lineCounter: LineCounter) {
  const position = (offset: number) => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  const keyNode = (path: readonly (string | number)[]) => {
    const parent = doc.getIn(path.slice(0, -1), true) ?? (path.length === 1 ? doc.contents : undefined);
    if (!isMap(parent)) return undefined;
    const last = path[path.length - 1];
    return parent.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === String(last))?.key;
  };
  return (path: readonly (string | number)[], atKey = false): { line?: number; column?: number } => {
    if (atKey) {
      const key = keyNode(path);
      if (isNode(key) && key.range) return position(key.range[0]);
    }
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return position(node.range[0]);
    }
    return {};
  };
}

/** Issues in file order (those without a line last). */
function byLine(issues: ConfigIssue[]): ConfigIssue[] {
  return issues
    .map((issue, i) => ({ issue, i }))
    .sort((a, b) => (a.issue.line ?? Infinity) - (b.issue.line ?? Infinity) || a.i - b.i)
    .map(({ issue }) => issue);
}

/**
 * Parses and validates config text, reporting every problem in one pass: missing environment
 * variables, schema errors, and unknown references and collisions. `file` is only used for
 * messages and relative paths.
 */
export function loadConfigText(
  text: string,
  file: string,
  env: Record<string, string | undefined>,
): LoadResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return {
          code: 'CONFIG_SYNTAX',
          file,
          path: '(document)',
          message: e.message.split('\n')[0] ?? e.message,
          line: pos.line,
          column: pos.col,
        };
      }),
    };
  }
  const locate = locator(doc, lineCounter);
  const raw = doc.toJS() ?? {};
  const missing: MissingVariable[] = [];
  const data = interpolate(raw, env, missing);
  const issues: ConfigIssue[] = missing.map((m) => ({
    code: 'CONFIG_ENV_MISSING',
    file,
    path: formatPath(m.path),
    message: `expected environment variable ${m.variable} to be set (or a default: \${${m.variable}:-value})`,
    found: 'unset',
    ...locate(m.path),
  }));
  const checked = checkAll(
    data,
    dirname(resolve(file)),
    missing.map((m) => m.path),
  );
  if (checked.ok && issues.length === 0) {
    // The files the configuration names for TLS are read now, so that a missing one refuses the
    // configuration (at start, in `check`, on reload) rather than failing every connection.
    const tlsIssues = loadUpstreamTls(checked.model, data);
    if (tlsIssues.length === 0) return { ok: true, model: checked.model, file };
    for (const issue of tlsIssues)
      issues.push({
        code: issue.code,
        file,
        path: formatPath(issue.path),
        message: issue.message,
        ...locate(issue.path),
      });
  }
  if (!checked.ok) {
    for (const issue of checked.issues) {
      const described = issue.code === 'CONFIG_INVALID' && !issue.atKey;
      issues.push({
        code: issue.code,
        file,
        path: formatPath(issue.path),
        message: issue.message,
        ...(described ? { found: describeFound(issue.path, valueAt(data, issue.path)) } : {}),
        ...locate(issue.path, issue.atKey),
      });
    }
  }
  return { ok: false, issues: byLine(issues) };
}

export function loadConfigFile(
  file: string,
  env: Record<string, string | undefined> = process.env,
): LoadResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      issues: [{ code: 'CONFIG_NOT_FOUND', file, path: '(file)', message: `cannot read: ${reason}` }],
    };
  }
  return loadConfigText(text, file, env);
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`;
  const found = issue.found === undefined ? '' : `; found ${issue.found}`;
  return `${where}: ${issue.path}: ${issue.message}${found} [${issue.code}]`;
}
