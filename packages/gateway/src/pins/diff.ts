/**
 * A readable diff of a pinned tool definition against its pending change: one section per pinned
 * field that changed, unified style (`-` pinned, `+` pending, ` ` both). Text fields (description,
 * title, name) are compared line by line; schemas and annotations as indented JSON with sorted
 * keys. Long unchanged runs are folded to a few lines of context.
 */
import { canonicalJson } from '../audit/chain.ts';
import { changedFields, type PinnedField, type ToolDefinition } from './definition.ts';

const CONTEXT = 3;

function linesOf(value: unknown): string[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return value.split(/\r?\n/);
  return JSON.stringify(JSON.parse(canonicalJson(value)), null, 2).split('\n');
}

/** Line diff by longest common subsequence: each line prefixed with ' ', '-' or '+'. */
export function lineDiff(before: readonly string[], after: readonly string[]): string[] {
  const n = before.length;
  const m = after.length;
  // lcs[i][j]: length of the LCS of before[i..] and after[j..].
  const lcs = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    const row = lcs[i] as number[];
    const below = lcs[i + 1] as number[];
    for (let j = m - 1; j >= 0; j--) {
      row[j] =
        before[i] === after[j]
          ? (below[j + 1] as number) + 1
          : Math.max(below[j] as number, row[j + 1] as number);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      out.push(` ${before[i++]}`);
      j++;
    } else if (j < m && (i >= n || (lcs[i]?.[j + 1] ?? 0) >= (lcs[i + 1]?.[j] ?? 0))) {
      out.push(`+${after[j++]}`);
    } else {
      out.push(`-${before[i++]}`);
    }
  }
  return reorderRuns(out);
}

/** Within each run of changes, removals first, then additions — the conventional reading order. */
function reorderRuns(lines: string[]): string[] {
  const out: string[] = [];
  let removed: string[] = [];
  let added: string[] = [];
  const flush = () => {
    out.push(...removed, ...added);
    removed = [];
    added = [];
  };
  for (const line of lines) {
    if (line.startsWith('-')) removed.push(line);
    else if (line.startsWith('+')) added.push(line);
    else {
      flush();
      out.push(line);
    }
  }
  flush();
  return out;
}

/** Folds unchanged lines further than CONTEXT from any change into one `…` line. */
function fold(lines: string[]): string[] {
  const near = lines.map((_, k) =>
    lines.slice(Math.max(0, k - CONTEXT), k + CONTEXT + 1).some((l) => !l.startsWith(' ')),
  );
  const out: string[] = [];
  lines.forEach((line, k) => {
    if (near[k]) out.push(line);
    else if (out[out.length - 1] !== ' …') out.push(' …');
  });
  return out;
}

export interface FieldDiff {
  field: PinnedField;
  change: 'changed' | 'added' | 'removed';
  lines: string[];
}

/** The changed fields of `after` against `before`, each as diff lines. */
export function definitionDiff(before: ToolDefinition, after: ToolDefinition): FieldDiff[] {
  return changedFields(before, after).map((field) => {
    const was = before[field];
    const now = after[field];
    const change = was === undefined ? 'added' : now === undefined ? 'removed' : 'changed';
    return { field, change, lines: fold(lineDiff(linesOf(was), linesOf(now))) };
  });
}

/** The whole diff as text, with a header naming both sides. */
export function renderDiff(
  name: string,
  before: { label: string; definition: ToolDefinition },
  after: { label: string; definition: ToolDefinition },
): string {
  const out = [`--- ${name} ${before.label}`, `+++ ${name} ${after.label}`];
  for (const { field, change, lines } of definitionDiff(before.definition, after.definition)) {
    out.push(`@@ ${field}${change === 'changed' ? '' : ` (${change})`} @@`, ...lines);
  }
  return `${out.join('\n')}\n`;
}
