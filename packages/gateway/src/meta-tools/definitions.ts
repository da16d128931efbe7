/**
 * The two meta-tools a caller in search mode is listed instead of its whole catalog: what a model
 * reads about them is written here, once. Their input schemas are also what their arguments are
 * checked against (meta-tools/arguments.ts).
 */
import type { Tool } from '@modelcontextprotocol/client';

export const SEARCH_TOOLS = 'search_tools';
export const CALL_TOOL = 'call_tool';

/** The longest query search_tools accepts, in characters. */
export const MAX_QUERY_CHARS = 1_000;

export const SEARCH_TOOLS_DEFINITION: Tool = Object.freeze({
  name: SEARCH_TOOLS,
  title: 'Search tools',
  description:
    'Find tools for a task among all the tools you may use (only a few are listed). Describe what you want to do in plain words; the best matching tools come back with their full definitions. Then run one with call_tool.',
  inputSchema: {
    type: 'object',
    properties: {
      query: {
        type: 'string',
        description: 'What you want to do, e.g. "refund an invoice" or "weather forecast for a city".',
        minLength: 1,
        maxLength: MAX_QUERY_CHARS,
      },
    },
    required: ['query'],
    additionalProperties: false,
  },
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
}) as Tool;

export const CALL_TOOL_DEFINITION: Tool = Object.freeze({
  name: CALL_TOOL,
  title: 'Call a tool',
  description:
    "Run a tool found with search_tools: give its exact name and its arguments as its input schema describes. The result is that tool's result.",
  inputSchema: {
    type: 'object',
    properties: {
      name: { type: 'string', description: 'The exact tool name search_tools returned.', minLength: 1 },
      arguments: {
        type: 'object',
        description: "The tool's arguments (an object).",
        additionalProperties: true,
      },
    },
    required: ['name'],
    additionalProperties: false,
  },
}) as Tool;

export const META_TOOL_DEFINITIONS: readonly Tool[] = Object.freeze([
  SEARCH_TOOLS_DEFINITION,
  CALL_TOOL_DEFINITION,
]);

export const META_TOOL_NAMES: ReadonlySet<string> = new Set([SEARCH_TOOLS, CALL_TOOL]);
