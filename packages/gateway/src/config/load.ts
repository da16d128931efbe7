/**
 * Loading a config file: read → YAML → ${VAR} interpolation → schema → normalize. Every failure
 * becomes a ConfigIssue naming the file, the path inside it, what was expected and what was found,
 * with the line and column where the YAML has them.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isNode, LineCounter, parseDocument } from 'yaml';
import type { LocalErrorCode } from '../errors/registry.ts';
import { interpolate, type MissingVariable } from './interpolate.ts';
import type { GatewayModel } from './model.ts';
import { normalize } from './normalize.ts';
import { GatewayConfigSchema } from './schema.ts';

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

/** Parses and validates config text. `file` is only used for messages and relative paths. */
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
  const locate = (path: readonly PropertyKey[]): { line?: number; column?: number } => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as (string | number)[], true);
      if (isNode(node) && node.range) {
        const pos = lineCounter.linePos(node.range[0]);
        return { line: pos.line, column: pos.col };
      }
    }
    return {};
  };
  const raw = doc.toJS() ?? {};
  const missing: MissingVariable[] = [];
  const data = interpolate(raw, env, missing);
  if (missing.length > 0) {
    return {
      ok: false,
      issues: missing.map((m) => ({
        code: 'CONFIG_ENV_MISSING',
        file,
        path: formatPath(m.path),
        message: `expected environment variable ${m.variable} to be set (or a default: \${${m.variable}:-value})`,
        found: 'unset',
        ...locate(m.path),
      })),
    };
  }
  const parsed = GatewayConfigSchema.safeParse(data);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((issue) => ({
        code: 'CONFIG_INVALID',
        file,
        path: formatPath(issue.path),
        message: issue.message,
        found: describeFound(issue.path, valueAt(data, issue.path)),
        ...locate(issue.path),
      })),
    };
  }
  const normalized = normalize(parsed.data, dirname(resolve(file)));
  if (!normalized.ok) {
    return {
      ok: false,
      issues: normalized.issues.map((issue) => ({
        code: 'CONFIG_COLLISION',
        file,
        path: formatPath(issue.path),
        message: issue.message,
        ...locate(issue.path),
      })),
    };
  }
  return { ok: true, model: normalized.model, file };
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
