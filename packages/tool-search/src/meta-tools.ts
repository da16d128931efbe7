/**
 * The two meta-tools a caller in search mode is listed instead of its whole catalog — at the
 * gateway (a role in search mode) and in the host (its own selection over a servers file): what a
 * model reads about them, and what is said when their arguments are wrong, is written here, once.
 * The checks answer one sentence naming the meta-tool, the argument and what it must be; the
 * gateway sends it as -32602 (InvalidParams), the host as an error result the model reads.
 */

/** A meta-tool as listed: structurally an MCP `Tool` (this package does not depend on the SDK). */
export interface MetaToolDefinition {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly inputSchema: { readonly type: 'object' } & Readonly<Record<string, unknown>>;
  readonly annotations?: Readonly<Record<string, boolean>>;
}

export const SEARCH_TOOLS = 'search_tools';
export const CALL_TOOL = 'call_tool';

/**
 * search_tools' answer when nothing matched: `{"tools": [], "note": …}`, the note telling the
 * model what to try next (an empty list alone reads as "there is no such tool").
 */
export const NOTHING_FOUND =
  'No tool matched these words. Search again with other words for what you want to do: the action, and the thing it acts on.';

/** What search_tools answers, as JSON text and as structured content: the tools found, or the note. */
export function searchToolsAnswer<T>(tools: readonly T[]): { tools: T[]; note?: string } {
  return tools.length === 0 ? { tools: [], note: NOTHING_FOUND } : { tools: [...tools] };
}

/** The longest query search_tools accepts, in characters. */
export const MAX_QUERY_CHARS = 1_000;

export const SEARCH_TOOLS_DEFINITION = Object.freeze<MetaToolDefinition>({
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
});

export const CALL_TOOL_DEFINITION = Object.freeze<MetaToolDefinition>({
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
});

export const META_TOOL_DEFINITIONS: readonly MetaToolDefinition[] = Object.freeze([
  SEARCH_TOOLS_DEFINITION,
  CALL_TOOL_DEFINITION,
]);

export const META_TOOL_NAMES: ReadonlySet<string> = new Set([SEARCH_TOOLS, CALL_TOOL]);

/** A meta-tool's arguments, checked: the value, or the sentence saying what is wrong. */
export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

function wrong<T>(message: string): Checked<T> {
  return { ok: false, message };
}

/** search_tools' query: a string with at least one non-space character, at most MAX_QUERY_CHARS. */
export function checkSearchToolsArguments(args: unknown): Checked<string> {
  const outer = args ?? {};
  if (!isObject(outer)) return wrong(`${SEARCH_TOOLS}: arguments must be an object, got ${describe(outer)}`);
  const query = outer.query;
  if (typeof query !== 'string' || query.trim() === '')
    return wrong(
      `${SEARCH_TOOLS}: "query" must be a non-empty string saying what you want to do, got ${describe(query)}`,
    );
  if (query.length > MAX_QUERY_CHARS)
    return wrong(
      `${SEARCH_TOOLS}: "query" is ${query.length} characters long; at most ${MAX_QUERY_CHARS} are accepted`,
    );
  return { ok: true, value: query };
}

/** The real call inside call_tool: the tool's name and its arguments. */
export interface InnerCall {
  name: string;
  arguments: Record<string, unknown>;
}

/** call_tool's arguments: a tool name and that tool's arguments (an object; absent counts as empty). */
export function checkCallToolArguments(args: unknown): Checked<InnerCall> {
  const outer = args ?? {};
  if (!isObject(outer)) return wrong(`${CALL_TOOL}: arguments must be an object, got ${describe(outer)}`);
  const name = outer.name;
  if (typeof name !== 'string' || name === '')
    return wrong(`${CALL_TOOL}: "name" must be the name of a tool, got ${describe(name)}`);
  const inner = outer.arguments ?? {};
  if (!isObject(inner))
    return wrong(
      `${CALL_TOOL}: "arguments" must be an object of the tool's arguments, got ${describe(inner)}`,
    );
  return { ok: true, value: { name, arguments: inner } };
}

/** What a call of an unknown tool is told: the gateway's route says the same (its errors/targets.ts). */
export function unknownToolMessage(name: string): string {
  return `Unknown tool: ${name}`;
}
