/**
 * The two meta-tools a caller in search mode is listed instead of its whole catalog, as MCP tools.
 * Their text and their argument checks are shared with the host (@gatehouse/tool-search).
 */
import {
  META_TOOL_DEFINITIONS as DEFINITIONS,
  CALL_TOOL_DEFINITION as SHARED_CALL_TOOL,
  SEARCH_TOOLS_DEFINITION as SHARED_SEARCH_TOOLS,
} from '@gatehouse/tool-search';
import type { Tool } from '@modelcontextprotocol/client';

export { CALL_TOOL, MAX_QUERY_CHARS, META_TOOL_NAMES, SEARCH_TOOLS } from '@gatehouse/tool-search';

export const SEARCH_TOOLS_DEFINITION = SHARED_SEARCH_TOOLS as Tool;
export const CALL_TOOL_DEFINITION = SHARED_CALL_TOOL as Tool;
export const META_TOOL_DEFINITIONS = DEFINITIONS as readonly Tool[];
