/**
 * shapeValue(): applies one shaping rule to a JSON value, in a fixed order — pick → omit →
 * rename → truncate strings and cap arrays — and reports what was left out. Pure: the input is
 * never modified; untouched parts of it are shared with the output.
 *
 * Each step sees the result of the one before: pick, omit and rename paths use the upstream's
 * keys; truncate and arrays paths use the keys after rename.
 */
import type { PathStep, ShapingPath, ShapingRuleModel } from '../config/model-shaping.ts';
import { descendElements, descendKey, endsHere, locationText, stepMatchesKey } from './paths.ts';

export interface ShapedValue {
  value: unknown;
  /** Concrete array location (as the model sees it) → elements left out by a cap. */
  dropped: Record<string, number>;
  /** How many strings were cut. */
  truncated: number;
}

type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function stepsOf(paths: readonly ShapingPath[]): PathStep[][] {
  return paths.map((p) => p.steps);
}

/** Keeps what the paths name. A container the paths cannot enter comes back empty; scalars stay. */
export function pickValue(value: unknown, paths: PathStep[][]): unknown {
  if (endsHere(paths)) return value;
  if (Array.isArray(value)) {
    const inner = descendElements(paths);
    return inner.length === 0 ? [] : value.map((item) => pickValue(item, inner));
  }
  if (!isObject(value)) return value;
  const out: Json = {};
  for (const [key, member] of Object.entries(value)) {
    const inner = descendKey(paths, key);
    if (inner.length > 0) out[key] = pickValue(member, inner);
  }
  return out;
}

export function omitValue(value: unknown, paths: PathStep[][]): unknown {
  if (paths.length === 0) return value;
  if (Array.isArray(value)) {
    const inner = descendElements(paths);
    if (inner.length === 0) return value;
    return endsHere(inner) ? [] : value.map((item) => omitValue(item, inner));
  }
  if (!isObject(value)) return value;
  const out: Json = {};
  for (const [key, member] of Object.entries(value)) {
    const inner = descendKey(paths, key);
    if (endsHere(inner)) continue;
    out[key] = inner.length > 0 ? omitValue(member, inner) : member;
  }
  return out;
}

interface Rename {
  steps: PathStep[];
  to: string;
}

function descendRenames(renames: readonly Rename[], match: (step: PathStep) => boolean): Rename[] {
  const out: Rename[] = [];
  for (const r of renames) {
    const first = r.steps[0];
    if (first !== undefined && match(first)) out.push({ steps: r.steps.slice(1), to: r.to });
  }
  return out;
}

/**
 * Renames keys, all paths naming the keys as they were. A renamed key replaces a key that already
 * has its new name; key order is kept.
 */
export function renameValue(value: unknown, renames: readonly Rename[]): unknown {
  if (renames.length === 0) return value;
  if (Array.isArray(value)) {
    const inner = descendRenames(renames, (s) => s.kind === 'each' || s.kind === 'any');
    return inner.length === 0 ? value : value.map((item) => renameValue(item, inner));
  }
  if (!isObject(value)) return value;
  const newKeys = new Map<string, string>();
  for (const r of renames) {
    const only = r.steps[0];
    if (r.steps.length === 1 && only?.kind === 'key' && Object.hasOwn(value, only.name)) {
      newKeys.set(only.name, r.to);
    }
  }
  const replaced = new Set(newKeys.values());
  const out: Json = {};
  for (const [key, member] of Object.entries(value)) {
    const to = newKeys.get(key);
    if (to === undefined && replaced.has(key)) continue;
    const deeper = descendRenames(renames, (s) => stepMatchesKey(s, key)).filter((r) => r.steps.length > 0);
    out[to ?? key] = deeper.length > 0 ? renameValue(member, deeper) : member;
  }
  return out;
}

/** Cuts a string to `maxChars` code points, the last being "…"; never splits a surrogate pair. */
export function truncateString(text: string, maxChars: number): string | undefined {
  // A string no longer in UTF-16 units than the limit is no longer in code points either.
  if (text.length <= maxChars) return undefined;
  const keep = maxChars > 1 ? maxChars - 1 : maxChars;
  let points = 0;
  let index = 0;
  let cutAt = 0;
  while (index < text.length && points <= maxChars) {
    if (points === keep) cutAt = index;
    index += (text.codePointAt(index) ?? 0) > 0xffff ? 2 : 1;
    points++;
  }
  if (points <= maxChars) return undefined;
  return maxChars > 1 ? `${text.slice(0, cutAt)}…` : text.slice(0, cutAt);
}

interface Counter {
  n: number;
}

function truncateAll(value: unknown, maxChars: number, count: Counter): unknown {
  if (typeof value === 'string') {
    const cut = truncateString(value, maxChars);
    if (cut === undefined) return value;
    count.n++;
    return cut;
  }
  if (Array.isArray(value)) return value.map((item) => truncateAll(item, maxChars, count));
  if (!isObject(value)) return value;
  const out: Json = {};
  for (const [key, member] of Object.entries(value)) out[key] = truncateAll(member, maxChars, count);
  return out;
}

function truncateAt(value: unknown, paths: PathStep[][], maxChars: number, count: Counter): unknown {
  if (paths.length === 0) return value;
  if (endsHere(paths)) return truncateAll(value, maxChars, count);
  if (Array.isArray(value)) {
    const inner = descendElements(paths);
    return inner.length === 0 ? value : value.map((item) => truncateAt(item, inner, maxChars, count));
  }
  if (!isObject(value)) return value;
  const out: Json = {};
  for (const [key, member] of Object.entries(value)) {
    out[key] = truncateAt(member, descendKey(paths, key), maxChars, count);
  }
  return out;
}

export function truncateValue(
  value: unknown,
  truncate: NonNullable<ShapingRuleModel['truncate']>,
): { value: unknown; truncated: number } {
  const count = { n: 0 };
  const out =
    truncate.paths === null
      ? truncateAll(value, truncate.maxChars, count)
      : truncateAt(value, stepsOf(truncate.paths), truncate.maxChars, count);
  return { value: out, truncated: count.n };
}

interface CapPath {
  steps: PathStep[];
  maxItems: number;
}

function descendCaps(caps: readonly CapPath[], match: (step: PathStep) => boolean): CapPath[] {
  const out: CapPath[] = [];
  for (const c of caps) {
    const first = c.steps[0];
    if (first !== undefined && match(first)) out.push({ steps: c.steps.slice(1), maxItems: c.maxItems });
  }
  return out;
}

function capAt(
  value: unknown,
  caps: readonly CapPath[],
  global: number | null,
  location: (string | number)[],
  dropped: Record<string, number>,
): unknown {
  if (Array.isArray(value)) {
    const named = caps.filter((c) => c.steps.length === 0).map((c) => c.maxItems);
    const limit = named.length > 0 ? Math.min(...named) : global;
    let items = value;
    if (limit !== null && value.length > limit) {
      items = value.slice(0, limit);
      dropped[locationText(location)] = value.length - limit;
    }
    const inner = descendCaps(caps, (s) => s.kind === 'each' || s.kind === 'any');
    if (inner.length === 0 && global === null) return items;
    return items.map((item, i) => capAt(item, inner, global, [...location, i], dropped));
  }
  if (!isObject(value)) return value;
  if (caps.length === 0 && global === null) return value;
  const out: Json = {};
  for (const [key, member] of Object.entries(value)) {
    const inner = descendCaps(caps, (s) => stepMatchesKey(s, key));
    out[key] = capAt(member, inner, global, [...location, key], dropped);
  }
  return out;
}

export function capValue(
  value: unknown,
  rule: Pick<ShapingRuleModel, 'maxItems' | 'arrays'>,
): { value: unknown; dropped: Record<string, number> } {
  const dropped: Record<string, number> = {};
  const caps = rule.arrays.map((a) => ({ steps: a.path.steps, maxItems: a.maxItems }));
  return { value: capAt(value, caps, rule.maxItems, [], dropped), dropped };
}

/**
 * The whole rule except the token budget (see budget.ts), in order. Truncating and capping
 * commute (one shortens strings, the other drops elements), so the cap runs first: only strings
 * that are returned are cut, and counted.
 */
export function shapeValue(value: unknown, rule: ShapingRuleModel): ShapedValue {
  let out = value;
  if (rule.pick !== null) out = pickValue(out, stepsOf(rule.pick));
  if (rule.omit.length > 0) out = omitValue(out, stepsOf(rule.omit));
  if (rule.rename.length > 0) {
    out = renameValue(
      out,
      rule.rename.map((r) => ({ steps: r.path.steps, to: r.to })),
    );
  }
  let dropped: Record<string, number> = {};
  if (rule.maxItems !== null || rule.arrays.length > 0) {
    const capped = capValue(out, rule);
    out = capped.value;
    dropped = capped.dropped;
  }
  let truncated = 0;
  if (rule.truncate !== null) {
    const t = truncateValue(out, rule.truncate);
    out = t.value;
    truncated = t.truncated;
  }
  return { value: out, dropped, truncated };
}
