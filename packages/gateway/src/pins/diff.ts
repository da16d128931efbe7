/**
 * A readable diff of a pinned tool definition against its pending change: one section per pinned
 * field that changed, unified style (`-` pinned, `+` pending, ` ` both). Text fields (description,
 * title, name) are compared line by line; schemas and annotations as indented JSON with sorted
 * keys. Long unchanged runs are folded to a few lines of context. The line diff itself is the
 * `diff` package's structured patch.
 */
import { structuredPatch } from 'diff';
import { canonicalJson } from '../audit/chain.ts';
import { changedFields, type PinnedField, type ToolDefinition } from './definition.ts';

/** Unchanged lines kept around each change; longer unchanged runs fold to one `…` line. */
const CONTEXT = 3;
const FOLDED = ' …';

function linesOf(value: unknown): string[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return value.split(/\r?\n/);
  return JSON.stringify(JSON.parse(canonicalJson(value)), null, 2).split('\n');
}

/** Text with a final newline, so the diff never reports "no newline at end of file". */
function textOf(lines: readonly string[]): string {
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/**
 * The unified diff of two line lists (the `diff` package's structured patch): each line prefixed
 * with ' ', '-' or '+', removals before additions, unchanged runs beyond CONTEXT lines folded.
 */
export function lineDiff(before: readonly string[], after: readonly string[]): string[] {
  const { hunks } = structuredPatch('', '', textOf(before), textOf(after), undefined, undefined, {
    context: CONTEXT,
  });
  const out: string[] = [];
  let nextOld = 1; // the first pinned line no hunk has shown yet
  for (const hunk of hunks) {
    if (hunk.oldStart > nextOld) out.push(FOLDED);
    out.push(...hunk.lines);
    nextOld = hunk.oldStart + hunk.oldLines;
  }
  if (hunks.length > 0 && nextOld <= before.length) out.push(FOLDED);
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
    return { field, change, lines: lineDiff(linesOf(was), linesOf(now)) };
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
