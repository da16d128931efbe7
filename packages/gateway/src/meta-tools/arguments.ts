/**
 * The arguments of the two meta-tools, checked: a query for search_tools, a tool name and an
 * arguments object for call_tool. What is wrong is answered as -32602 (InvalidParams) with one
 * sentence naming the meta-tool, the argument and what it must be — the same in both eras.
 */
import { wireError } from '../errors/wire.ts';
import { CALL_TOOL, MAX_QUERY_CHARS, SEARCH_TOOLS } from './definitions.ts';

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/** The tools/call `arguments` as an object (absent counts as empty). */
function callArguments(tool: string, params: Record<string, unknown>): Record<string, unknown> {
  const args = params.arguments ?? {};
  if (!isObject(args))
    throw wireError('InvalidParams', `${tool}: arguments must be an object, got ${describe(args)}`);
  return args;
}

/** search_tools' query: a string with at least one non-space character, at most MAX_QUERY_CHARS. */
export function searchQuery(params: Record<string, unknown>): string {
  const query = callArguments(SEARCH_TOOLS, params).query;
  if (typeof query !== 'string' || query.trim() === '')
    throw wireError(
      'InvalidParams',
      `${SEARCH_TOOLS}: "query" must be a non-empty string saying what you want to do, got ${describe(query)}`,
    );
  if (query.length > MAX_QUERY_CHARS)
    throw wireError(
      'InvalidParams',
      `${SEARCH_TOOLS}: "query" is ${query.length} characters long; at most ${MAX_QUERY_CHARS} are accepted`,
    );
  return query;
}

/** The real call inside call_tool: the tool's name and its arguments. */
export interface InnerCall {
  name: string;
  arguments: Record<string, unknown>;
}

export function innerCall(params: Record<string, unknown>): InnerCall {
  const outer = callArguments(CALL_TOOL, params);
  const name = outer.name;
  if (typeof name !== 'string' || name === '')
    throw wireError(
      'InvalidParams',
      `${CALL_TOOL}: "name" must be the name of a tool, got ${describe(name)}`,
    );
  const args = outer.arguments ?? {};
  if (!isObject(args))
    throw wireError(
      'InvalidParams',
      `${CALL_TOOL}: "arguments" must be an object of the tool's arguments, got ${describe(args)}`,
    );
  return { name, arguments: args };
}
