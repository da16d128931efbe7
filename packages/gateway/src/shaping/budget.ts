/**
 * The token budget: how big a shaped result may be, and how the rest is paged.
 *
 * The gateway does not know which model reads the result, so it cannot count real tokens. It
 * estimates: one token per 4 characters of the compact JSON text (CHARS_PER_TOKEN), a common rule
 * of thumb for English and JSON with current tokenizers. Treat the budget as approximate.
 *
 * Over budget, the largest arrays that are not inside another array are cut — whole elements
 * only, from the end — until the estimate fits. What was cut is paged: each later page is the
 * same object with every such array empty except the slice being delivered, so each element
 * arrives exactly once across the pages, and every page has the shape of the first.
 */
import { locationText } from './paths.ts';
import { isObject } from './value.ts';

export const CHARS_PER_TOKEN = 4;

/** Estimated tokens of a JSON text: its length in characters / CHARS_PER_TOKEN, rounded up. */
export function estimateTokens(jsonText: string): number {
  return Math.ceil(jsonText.length / CHARS_PER_TOKEN);
}

/** One array that is not inside another array: where it is, and each element's size. */
interface OuterArray {
  /** Object keys from the root to the array ([] when the value itself is the array). */
  location: string[];
  items: unknown[];
  /** Characters each element adds to the JSON text (its own text and a comma). */
  sizes: number[];
}

/** Everything needed to serve the later pages of one result. */
export interface Paging {
  /** The shaped value with every outer array empty. */
  skeleton: unknown;
  skeletonChars: number;
  /** The arrays that were cut, in the order pages deliver them. */
  arrays: OuterArray[];
  budgetChars: number;
}

export interface Page {
  value: unknown;
  /** Where the next page of each paged array starts; null when everything has been delivered. */
  next: number[] | null;
  /** Location text (as the model reads it) → elements still to come. */
  remaining: Record<string, number>;
}

function outerArrays(value: unknown, location: string[], out: OuterArray[]): OuterArray[] {
  if (Array.isArray(value)) {
    out.push({ location, items: value, sizes: value.map((item) => (JSON.stringify(item) ?? '').length + 1) });
  } else if (isObject(value)) {
    for (const [key, member] of Object.entries(value)) outerArrays(member, [...location, key], out);
  }
  return out;
}

function withArrayAt(root: unknown, location: readonly string[], items: unknown[]): unknown {
  const [head, ...rest] = location;
  if (head === undefined) return items;
  const object = root as Record<string, unknown>;
  return { ...object, [head]: withArrayAt(object[head], rest, items) };
}

export function arrayName(location: readonly string[]): string {
  return locationText(location);
}

function remainingOf(arrays: readonly OuterArray[], offsets: readonly number[]): Record<string, number> {
  const remaining: Record<string, number> = {};
  arrays.forEach((a, i) => {
    const left = a.items.length - (offsets[i] ?? a.items.length);
    if (left > 0) remaining[arrayName(a.location)] = left;
  });
  return remaining;
}

/**
 * The first page of a shaped value under `tokenBudget`, and what later pages need — null paging
 * when it fits (or has no array to cut).
 */
export function firstPage(
  value: unknown,
  json: string,
  tokenBudget: number,
): { page: Page; paging: Paging | null } {
  const budgetChars = tokenBudget * CHARS_PER_TOKEN;
  const whole: Page = { value, next: null, remaining: {} };
  if (json.length <= budgetChars) return { page: whole, paging: null };
  const all = outerArrays(value, [], []);
  const total = (a: OuterArray) => a.sizes.reduce((sum, n) => sum + n, 0);
  const bySize = [...all].sort((a, b) => total(b) - total(a));
  let over = json.length - budgetChars;
  const cut: { array: OuterArray; keep: number }[] = [];
  for (const array of bySize) {
    if (over <= 0) break;
    let keep = array.items.length;
    let removed = 0;
    while (keep > 0 && removed < over) {
      keep--;
      removed += array.sizes[keep] ?? 0;
    }
    over -= removed;
    if (keep < array.items.length) cut.push({ array, keep });
  }
  if (cut.length === 0) return { page: whole, paging: null };
  let first = value;
  for (const { array, keep } of cut) first = withArrayAt(first, array.location, array.items.slice(0, keep));
  let skeleton = value;
  for (const array of all) skeleton = withArrayAt(skeleton, array.location, []);
  const arrays = cut.map((c) => c.array);
  const next = cut.map((c) => c.keep);
  const paging: Paging = {
    skeleton,
    skeletonChars: JSON.stringify(skeleton).length,
    arrays,
    budgetChars,
  };
  return { page: { value: first, next, remaining: remainingOf(arrays, next) }, paging };
}

/** Whether `offsets` could have come from this paging (one in range per paged array). */
export function validOffsets(paging: Paging, offsets: readonly number[]): boolean {
  return (
    offsets.length === paging.arrays.length &&
    offsets.every((n, i) => Number.isInteger(n) && n >= 0 && n <= (paging.arrays[i]?.items.length ?? 0))
  );
}

/**
 * The page that starts at `offsets`: the skeleton plus as many further elements as the budget
 * allows, array after array — at least one element, so paging always moves on.
 */
export function nextPage(paging: Paging, offsets: readonly number[]): Page {
  let room = paging.budgetChars - paging.skeletonChars;
  let took = 0;
  let value = paging.skeleton;
  const next = [...offsets];
  for (const [i, array] of paging.arrays.entries()) {
    const from = next[i] ?? array.items.length;
    let to = from;
    while (to < array.items.length) {
      const size = array.sizes[to] ?? 0;
      if (took > 0 && size > room) break;
      room -= size;
      to++;
      took++;
    }
    if (to > from) value = withArrayAt(value, array.location, array.items.slice(from, to));
    next[i] = to;
    if (to < array.items.length) break;
  }
  const done = next.every((n, i) => n >= (paging.arrays[i]?.items.length ?? 0));
  return { value, next: done ? null : next, remaining: remainingOf(paging.arrays, next) };
}
