/**
 * Every problem in a configuration in one pass: the schema's issues, and the reference and
 * collision problems normalize() finds, together. Normalizing needs a schema-valid document, so
 * when the schema refuses one, the values it refused are taken out (a refused key or list item
 * removed, an unknown key dropped) and the rest is checked again, until it parses or nothing more
 * can be taken out; problems at or under what was taken out are not reported twice. Paths in
 * every issue are those of the file as written.
 */
import type { z } from 'zod';
import type { GatewayModel } from './model.ts';
import { type NormalizeIssue, normalize } from './normalize.ts';
import { GatewayConfigSchema } from './schema.ts';

type Path = (string | number)[];

export interface FoundIssue {
  code: NormalizeIssue['code'];
  path: Path;
  message: string;
  /** The issue is about this key itself (an unknown key), not its value. */
  atKey?: boolean;
}

/**
 * Whether the file as written defines what a reference names: a reference to something the
 * repair took out (an upstream with a bad field) is not unknown.
 */
function definedInFile(data: unknown, refersTo: NonNullable<NormalizeIssue['refersTo']>): boolean {
  if (refersTo.kind === 'group' || refersTo.kind === 'role') {
    const defined = valueAt(data, ['policy', refersTo.kind === 'group' ? 'groups' : 'roles']);
    return defined !== null && typeof defined === 'object' && Object.hasOwn(defined, refersTo.name);
  }
  const upstreams = valueAt(data, ['upstreams']);
  return (
    Array.isArray(upstreams) &&
    upstreams.some((u) => (u as { name?: unknown } | null)?.name === refersTo.name)
  );
}

export type CheckResult = { ok: true; model: GatewayModel } | { ok: false; issues: FoundIssue[] };

/** Repair rounds at most: each removes every value the schema refused in the previous one. */
const MAX_ROUNDS = 8;

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function startsWith(path: Path, prefix: Path): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => path[i] === segment);
}

/** What the schema said, in the words `check` prints (the value found is printed beside it). */
function schemaMessage(issue: z.core.$ZodIssue, found: unknown): string {
  if (issue.code === 'invalid_type') {
    const expected = issue.expected === 'number' ? 'a number' : issue.expected;
    return found === undefined ? `required (expected ${expected})` : `expected ${expected}`;
  }
  return issue.message;
}

/**
 * The document being repaired, and which list items were taken out of it, so that a path in the
 * repaired document maps back to the file's.
 */
class Repair {
  readonly data: unknown;
  /** Original list path (JSON) → the original indices taken out, ascending. */
  private readonly removedItems = new Map<string, number[]>();
  /** Original paths taken out (their problems are already reported). */
  readonly removed: Path[] = [];

  constructor(data: unknown) {
    this.data = structuredClone(data);
  }

  /** A path in the repaired document as a path in the file. */
  toOriginal(path: readonly PropertyKey[]): Path {
    const out: Path = [];
    for (const segment of path) {
      if (typeof segment === 'number') {
        let index = segment;
        for (const r of this.removedItems.get(JSON.stringify(out)) ?? []) if (r <= index) index++;
        out.push(index);
      } else out.push(String(segment));
    }
    return out;
  }

  /** A path in the file as a path in the repaired document (undefined: taken out). */
  private toCurrent(path: Path): Path | undefined {
    const out: Path = [];
    const prefix: Path = [];
    for (const segment of path) {
      if (typeof segment === 'number') {
        const removed = this.removedItems.get(JSON.stringify(prefix)) ?? [];
        if (removed.includes(segment)) return undefined;
        out.push(segment - removed.filter((r) => r < segment).length);
      } else out.push(segment);
      prefix.push(segment);
    }
    return out;
  }

  /** Takes out the value at an original path; false when there is nothing there to take out. */
  remove(path: Path): boolean {
    if (path.length === 0) return false;
    const current = this.toCurrent(path);
    if (current === undefined) return false;
    const parent = valueAt(this.data, current.slice(0, -1));
    const last = current[current.length - 1] as string | number;
    if (Array.isArray(parent) && typeof last === 'number' && last < parent.length) {
      parent.splice(last, 1);
      const key = JSON.stringify(path.slice(0, -1));
      const list = [...(this.removedItems.get(key) ?? []), path[path.length - 1] as number];
      this.removedItems.set(
        key,
        list.sort((a, b) => a - b),
      );
    } else if (parent !== null && typeof parent === 'object' && !Array.isArray(parent) && last in parent) {
      delete (parent as Record<string, unknown>)[last as string];
    } else return false;
    this.removed.push(path);
    return true;
  }

  /**
   * Takes out what an issue refused: the unknown keys, the bad value, or (a missing value) its
   * owner. `path` is the issue's path in the file (mapped before this round took anything out).
   */
  removeFor(issue: z.core.$ZodIssue, path: Path): boolean {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => this.remove([...path, key])).some(Boolean);
    }
    const current = this.toCurrent(path);
    if (current !== undefined && valueAt(this.data, current) !== undefined) return this.remove(path);
    return this.remove(path.slice(0, -1));
  }

  /** A message naming list items (`upstreams[1]`) with their indices in the file. */
  messageInFile(message: string): string {
    return message.replace(
      /\b([A-Za-z]+(?:\.[A-Za-z]+)*)\[(\d+)\]/g,
      (_match, dotted: string, index: string) => {
        const original = this.toOriginal([...dotted.split('.'), Number(index)]);
        return `${dotted}[${original[original.length - 1]}]`;
      },
    );
  }

  /**
   * Whether a problem at `path` may come from the repair rather than the file: it is at or under
   * what was taken out, or above it (a list left empty, an object left without a field).
   */
  touches(path: Path): boolean {
    return this.removed.some((removed) => startsWith(path, removed) || startsWith(removed, path));
  }
}

/** The schema's issues as found issues (an unknown key: one issue per key, at the key). */
function fromSchema(issue: z.core.$ZodIssue, repair: Repair): FoundIssue[] {
  const path = repair.toOriginal(issue.path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      code: 'CONFIG_INVALID',
      path: [...path, key],
      message: `unknown key "${key}"`,
      atKey: true,
    }));
  }
  return [{ code: 'CONFIG_INVALID', path, message: schemaMessage(issue, valueAt(repair.data, issue.path)) }];
}

/** normalize()'s problems with the file's paths: none already reported, no reference to a taken-out item. */
function referenceIssues(
  issues: NormalizeIssue[],
  repair: Repair,
  data: unknown,
  known: (path: Path) => boolean,
): FoundIssue[] {
  return issues.flatMap((issue) => {
    const path = repair.toOriginal(issue.path);
    if (known(path)) return [];
    if (issue.refersTo !== undefined && definedInFile(data, issue.refersTo)) return [];
    return [{ code: issue.code, path, message: repair.messageInFile(issue.message) }];
  });
}

/**
 * Validates interpolated config data and normalizes it. `skip`: paths whose problems are already
 * reported (a missing environment variable).
 */
export function checkAll(data: unknown, baseDir: string, skip: Path[] = []): CheckResult {
  const repair = new Repair(data);
  const issues: FoundIssue[] = [];
  const known = (path: Path) => skip.some((s) => startsWith(path, s)) || repair.touches(path);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const parsed = GatewayConfigSchema.safeParse(repair.data);
    if (parsed.success) {
      const normalized = normalize(parsed.data, baseDir);
      if (normalized.ok)
        return issues.length === 0 ? { ok: true, model: normalized.model } : { ok: false, issues };
      return { ok: false, issues: [...issues, ...referenceIssues(normalized.issues, repair, data, known)] };
    }
    const fresh = parsed.error.issues.flatMap((issue) => fromSchema(issue, repair));
    issues.push(...fresh.filter((issue) => !known(issue.path)));
    const paths = parsed.error.issues.map((issue) => repair.toOriginal(issue.path));
    const removedAny = parsed.error.issues
      .map((issue, i) => repair.removeFor(issue, paths[i] as Path))
      .some(Boolean);
    if (!removedAny) break;
  }
  return { ok: false, issues };
}
