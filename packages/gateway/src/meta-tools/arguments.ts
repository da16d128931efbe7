/**
 * The arguments of the two meta-tools, checked: a query for search_tools, a tool name and an
 * arguments object for call_tool. What is wrong is answered as -32602 (InvalidParams) with one
 * sentence naming the meta-tool, the argument and what it must be — the same in both eras, and
 * the same sentence the host's own selection answers (@gatehouse/tool-search).
 */
import {
  type Checked,
  checkCallToolArguments,
  checkSearchToolsArguments,
  type InnerCall,
} from '@gatehouse/tool-search';
import { wireError } from '../errors/wire.ts';

export type { InnerCall } from '@gatehouse/tool-search';

function valueOrInvalidParams<T>(checked: Checked<T>): T {
  if (!checked.ok) throw wireError('InvalidParams', checked.message);
  return checked.value;
}

/** search_tools' query: a string with at least one non-space character, at most MAX_QUERY_CHARS. */
export function searchQuery(params: Record<string, unknown>): string {
  return valueOrInvalidParams(checkSearchToolsArguments(params.arguments));
}

/** The real call inside call_tool: its name and arguments (absent arguments count as empty). */
export function innerCall(params: Record<string, unknown>): InnerCall {
  return valueOrInvalidParams(checkCallToolArguments(params.arguments));
}
