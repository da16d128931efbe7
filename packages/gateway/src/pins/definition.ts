/**
 * What a tool pin covers, and its hash. The pinned fields are everything a model reads to decide
 * whether and how to call a tool — `name`, `title`, `description`, `inputSchema`, `outputSchema`
 * and `annotations` (readOnlyHint, destructiveHint, …). `icons`, `execution` (task support) and
 * `_meta` are not pinned: they change how clients show or run a tool, not what it claims to do.
 *
 * The hash is SHA-256 (hex) over the canonical JSON of those fields — object keys sorted at every
 * depth, absent fields left out — so key order and formatting never count as a change.
 */
import { createHash } from 'node:crypto';
import type { Tool } from '@modelcontextprotocol/client';
import { canonicalJson } from '../audit/chain.ts';

export const PINNED_FIELDS = [
  'name',
  'title',
  'description',
  'inputSchema',
  'outputSchema',
  'annotations',
] as const;

export type PinnedField = (typeof PINNED_FIELDS)[number];

/** The pinned part of a tool, as plain JSON with sorted keys. */
export type ToolDefinition = Partial<Record<PinnedField, unknown>> & { name: string };

/** The pinned fields of a tool, normalized through canonical JSON (sorted keys, no undefined). */
export function toolDefinition(tool: Tool): ToolDefinition {
  const picked: Record<string, unknown> = {};
  for (const field of PINNED_FIELDS) {
    if (tool[field] !== undefined) picked[field] = tool[field];
  }
  return JSON.parse(canonicalJson(picked)) as ToolDefinition;
}

export function definitionHash(definition: ToolDefinition): string {
  return createHash('sha256').update(canonicalJson(definition)).digest('hex');
}

/** The hash of a tool's pinned fields. */
export function toolHash(tool: Tool): string {
  return definitionHash(toolDefinition(tool));
}

/** The pinned fields whose values differ between two definitions. */
export function changedFields(before: ToolDefinition, after: ToolDefinition): PinnedField[] {
  return PINNED_FIELDS.filter((f) => canonicalJson(before[f]) !== canonicalJson(after[f]));
}

/**
 * The tool as served under a pin: the pinned fields from the pinned definition (a field the pin
 * lacks is left out), everything else (icons, execution, _meta) from what the upstream lists now.
 */
export function servePinned(current: Tool, pinned: ToolDefinition): Tool {
  const rest: Record<string, unknown> = { ...current };
  for (const field of PINNED_FIELDS) delete rest[field];
  return { ...rest, ...structuredClone(pinned) } as Tool;
}
