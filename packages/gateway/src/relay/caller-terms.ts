/**
 * A tool call in the caller's terms, both ways through the gateway.
 *
 * On the way in, `coerceIdArguments` applies one lenient coercion: an argument the tool declares
 * as a string (`"type": "string"`, or a string-or-null union) that arrives as an integer number is
 * sent on as that integer's decimal text. Clients that take arguments as text and guess their JSON
 * type — the MCP Inspector CLI's `--tool-arg customer=9100516026` sends the number 9100516026 —
 * would otherwise have every numeric id refused. Only safe integers are coerced: a fraction
 * (`1.10` arrives as `1.1`) or an integer past 2^53 has already lost digits, so turning it into
 * text would send a different value than the caller typed; those are left to the upstream's
 * validation, as is every other mismatch.
 *
 * On the way out, `inCallerTerms` makes an upstream's error result speak of the tool by the name
 * the caller called: an upstream knows its tool as `search_docs`, the caller called
 * `knowledge_search_docs`, and "Invalid arguments for tool search_docs" names a tool the caller
 * cannot find. `errorInCallerTerms` does the same for an upstream's JSON-RPC error (a prompt's
 * "Invalid arguments for prompt greet").
 */
import { ProtocolError } from '@modelcontextprotocol/server';
import { errorCode } from '../errors/wire.ts';

type Args = Record<string, unknown>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The JSON types a property schema admits, when it says so plainly (type, or anyOf of types). */
function declaredTypes(schema: unknown): Set<string> | undefined {
  if (!isRecord(schema)) return undefined;
  const { type, anyOf, oneOf } = schema;
  if (typeof type === 'string') return new Set([type]);
  if (Array.isArray(type) && type.every((t) => typeof t === 'string')) return new Set(type as string[]);
  const branches = Array.isArray(anyOf) ? anyOf : Array.isArray(oneOf) ? oneOf : undefined;
  if (branches === undefined || type !== undefined) return undefined;
  const types = new Set<string>();
  for (const branch of branches) {
    const inner = declaredTypes(branch);
    if (inner === undefined) return undefined;
    for (const t of inner) types.add(t);
  }
  return types;
}

/** True when the schema admits strings (and null at most), never numbers. */
function stringOnly(schema: unknown): boolean {
  const types = declaredTypes(schema);
  if (types === undefined || !types.has('string')) return false;
  return [...types].every((t) => t === 'string' || t === 'null');
}

/**
 * The arguments with each integer sent where the tool's input schema declares a string replaced
 * by its decimal text (top-level properties only); the same object when nothing changed.
 */
export function coerceIdArguments(args: Args, inputSchema: unknown): Args {
  if (!isRecord(inputSchema) || !isRecord(inputSchema.properties)) return args;
  const properties = inputSchema.properties;
  let coerced: Args | undefined;
  for (const [name, value] of Object.entries(args)) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) continue;
    if (!Object.hasOwn(properties, name) || !stringOnly(properties[name])) continue;
    coerced ??= { ...args };
    coerced[name] = String(value);
  }
  return coerced ?? args;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `name` as a whole tool name in running text (not part of a longer name). */
function nameIn(name: string): RegExp {
  return new RegExp(`(?<![A-Za-z0-9_.-])${escapeRegExp(name)}(?![A-Za-z0-9_-]|\\.[A-Za-z0-9_-])`, 'g');
}

/**
 * An upstream's `isError` tool result with its own name for the tool replaced by the name the
 * caller used, in every text block; any other result is returned as it is.
 */
export function inCallerTerms(
  result: Record<string, unknown>,
  upstreamName: string,
  calledName: string,
): Record<string, unknown> {
  if (result.isError !== true || upstreamName === calledName || !Array.isArray(result.content)) return result;
  const pattern = nameIn(upstreamName);
  let changed = false;
  const content = result.content.map((block: unknown) => {
    if (!isRecord(block) || block.type !== 'text' || typeof block.text !== 'string') return block;
    const text = block.text.replace(pattern, calledName);
    if (text === block.text) return block;
    changed = true;
    return { ...block, text };
  });
  return changed ? { ...result, content } : result;
}

/** `name` where a message calls it a tool or a prompt ("tool echo", "prompt 'greet'"). */
function namedAsTarget(name: string): RegExp {
  return new RegExp(`(?<=\\b(?:[Tt]ool|[Pp]rompt)\\s+["'\`]?)${nameIn(name).source}`, 'g');
}

/**
 * An upstream's JSON-RPC error (code, message, data kept) with its own name for the tool or prompt
 * replaced by the name the caller used where the message calls it a tool or prompt (the gateway's
 * own errors speak of upstreams, and are left alone); any other error is returned as it is.
 */
export function errorInCallerTerms(error: unknown, upstreamName: string, calledName: string): unknown {
  const code = errorCode(error);
  if (code === undefined || upstreamName === calledName || !(error instanceof Error)) return error;
  const message = error.message.replace(namedAsTarget(upstreamName), calledName);
  if (message === error.message) return error;
  return new ProtocolError(code, message, (error as { data?: unknown }).data);
}
