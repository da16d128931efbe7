/**
 * Whether a caller is in search mode, and what it is then listed: pure, from the `toolSearch`
 * section and the caller's roles, like decide() is from the policy. A caller holding any role in
 * search mode is in search mode; its core is the union of those roles' core globs and a search
 * returns up to the largest of their limits. Search mode changes what is LISTED, never what is
 * visible or allowed: decide() alone answers that, for the list, the search and the call alike.
 */
import type { ToolSearchModel } from '../config/model-search.ts';
import { anyGlobMatches } from './glob.ts';

export interface SearchMode {
  /** Globs over exposed tool names: the tools listed besides the meta-tools. */
  readonly core: readonly string[];
  /** How many tools one search returns at most. */
  readonly limit: number;
}

/** The caller's search mode, or null when none of its roles is in search mode. */
export function searchModeOf(toolSearch: ToolSearchModel, roles: readonly string[]): SearchMode | null {
  const specs = roles.flatMap((role) => {
    const spec = toolSearch.roles[role];
    return spec === undefined ? [] : [spec];
  });
  if (specs.length === 0) return null;
  return {
    core: [...new Set(specs.flatMap((spec) => spec.core))],
    limit: Math.max(...specs.map((spec) => spec.limit)),
  };
}

/** Is a tool the caller may see one of its core tools (listed as usual in search mode)? */
export function isCoreTool(mode: SearchMode, name: string): boolean {
  return anyGlobMatches(mode.core, name);
}

/** `toolSearch` with no role in search mode: every caller gets its whole list. */
export const NO_TOOL_SEARCH: ToolSearchModel = { roles: {}, embeddings: null };
