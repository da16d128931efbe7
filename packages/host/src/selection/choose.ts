/**
 * Whether the host shows the model its whole catalog or its own selection (tool-selection.ts),
 * for servers it talks to directly: `on`, `off`, or `auto` — on when the servers give more than
 * SEARCH_THRESHOLD tools (defaults.ts, which says why 40). Core tools must be tools the servers
 * have, so a typo is one clear line rather than a core that silently lists nothing.
 */
import type { ToolSource } from '../contract.ts';
import { HostError } from '../mcp/errors.ts';
import { SEARCH_THRESHOLD, type ToolSearchChoice } from './defaults.ts';
import { ToolSelection } from './tool-selection.ts';

export interface SelectToolsOptions {
  toolSearch: ToolSearchChoice;
  /** Registry names listed besides the meta-tools when search is on. */
  core?: readonly string[];
  /** search_tools' result limit. */
  limit?: number;
  /** Overrides SEARCH_THRESHOLD (for `auto`). */
  threshold?: number;
}

/** Is search on for a catalog of `count` tools? */
export function searchIsOn(choice: ToolSearchChoice, count: number, threshold = SEARCH_THRESHOLD): boolean {
  return choice === 'on' || (choice === 'auto' && count > threshold);
}

/** `source` itself, or a ToolSelection over it; throws a HostError for a core tool it does not have. */
export function selectTools(source: ToolSource, options: SelectToolsOptions): ToolSource {
  if (!searchIsOn(options.toolSearch, source.tools().length, options.threshold)) return source;
  const core = options.core ?? [];
  const names = new Set(source.tools().map((t) => t.name));
  const missing = core.filter((name) => !names.has(name));
  if (missing.length > 0)
    throw new HostError(
      'unknown-tool',
      `no tool named ${missing.join(', ')} among the ${names.size} tools of the servers (tools are named <server>__<tool>)`,
    );
  return new ToolSelection(source, {
    core,
    ...(options.limit === undefined ? {} : { limit: options.limit }),
  });
}
