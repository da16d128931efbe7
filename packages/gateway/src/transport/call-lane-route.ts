/**
 * Which requests the call lane may serve: pure checks over the parsed body and the headers.
 *
 * The lane takes only `tools/call` and `tools/list` requests that the SDK path would accept
 * without any pre-handler answer of its own, and during which nothing but the final answer can
 * reach the caller — so that serving them without the SDK server changes nothing on the wire:
 *
 * - a single JSON-RPC request with an id; params hold only `name`, `arguments` and `_meta`
 *   (tools/call) or `cursor` and `_meta` (tools/list);
 * - no progress token (no progress notifications) and no log level in `_meta`;
 * - 2026-07-28: the SDK's own classifier accepts the envelope, the standard headers are present
 *   and agree with the body, and a called tool declares no `x-mcp-header` parameters (those need
 *   the SDK's SEP-2243 header checks);
 * - 2025-era: a session id, a supported `MCP-Protocol-Version` header, and an Accept header
 *   offering both JSON and SSE (what the SDK transport requires).
 *
 * Anything else returns undefined and takes the SDK path, which is always correct, only slower.
 */
import {
  classifyInboundRequest,
  LOG_LEVEL_META_KEY,
  PROTOCOL_VERSION_META_KEY,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/server';
import type { HeaderReader } from '../observability/tracing.ts';

type Params = Record<string, unknown>;
type RequestId = string | number;

/** The 2026-07-28 revision, the only modern one the lane serves (others take the SDK path). */
export const MODERN_REVISION = '2026-07-28';

/** The 2025-era revisions the SDK serves on sessions. */
const LEGACY_REVISIONS = SUPPORTED_PROTOCOL_VERSIONS.filter((v) => v < MODERN_REVISION);

/** The methods the lane serves. */
export type LaneMethod = 'tools/call' | 'tools/list';

export type LaneRoute =
  | { era: 'modern'; method: LaneMethod; id: RequestId; params: Params; envelope: Params }
  | { era: 'legacy'; method: LaneMethod; id: RequestId; params: Params; sessionId: string };

/** The params each method may carry on the lane (anything else takes the SDK path). */
const PARAM_KEYS: Record<LaneMethod, ReadonlySet<string>> = {
  'tools/call': new Set(['name', 'arguments', '_meta']),
  'tools/list': new Set(['cursor', '_meta']),
};

function isPlainObject(value: unknown): value is Params {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isLaneMethod(method: unknown): method is LaneMethod {
  return method === 'tools/call' || method === 'tools/list';
}

/** The params the lane can serve for `method`, or undefined. */
function plainParams(method: LaneMethod, raw: unknown): Params | undefined {
  const params = raw === undefined && method === 'tools/list' ? {} : raw;
  if (!isPlainObject(params)) return undefined;
  for (const key in params) if (!PARAM_KEYS[method].has(key)) return undefined;
  if (method === 'tools/call') {
    if (typeof params.name !== 'string') return undefined;
    if (params.arguments !== undefined && !isPlainObject(params.arguments)) return undefined;
  } else if (params.cursor !== undefined && typeof params.cursor !== 'string') return undefined;
  const meta = params._meta;
  if (meta === undefined) return params;
  if (!isPlainObject(meta) || 'progressToken' in meta || LOG_LEVEL_META_KEY in meta) return undefined;
  return params;
}

export interface LaneRouteOptions {
  /** Whether the tool's input schema declares `x-mcp-header` parameters (SEP-2243). */
  declaresHeaderParams: (toolName: string) => boolean;
}

interface StandardHeaders {
  protocolVersion: string | undefined;
  mcpMethod: string | undefined;
  mcpName: string | undefined;
}

interface Candidate {
  method: LaneMethod;
  id: RequestId;
  params: Params;
}

export function laneRoute(
  body: unknown,
  headers: HeaderReader,
  options: LaneRouteOptions,
): LaneRoute | undefined {
  if (!isPlainObject(body) || !isLaneMethod(body.method)) return undefined;
  const id = body.id;
  if (typeof id !== 'string' && typeof id !== 'number') return undefined;
  const params = plainParams(body.method, body.params);
  if (params === undefined) return undefined;
  const candidate: Candidate = { method: body.method, id, params };
  const std: StandardHeaders = {
    protocolVersion: headers.get('mcp-protocol-version') ?? undefined,
    mcpMethod: headers.get('mcp-method') ?? undefined,
    mcpName: headers.get('mcp-name') ?? undefined,
  };
  // Without an envelope claim in `_meta` and with a 2025-era protocol header, the SDK's classifier
  // can only answer "legacy, no claim" (classifyRequestBody): skip its zod pass on the hot path.
  if (!(PROTOCOL_VERSION_META_KEY in ((params._meta as Params | undefined) ?? {}))) {
    return legacyRoute(candidate, std, headers);
  }
  const route = classifyInboundRequest({
    httpMethod: 'POST',
    body,
    ...(std.protocolVersion !== undefined && { protocolVersionHeader: std.protocolVersion }),
    ...(std.mcpMethod !== undefined && { mcpMethodHeader: std.mcpMethod }),
    ...(std.mcpName !== undefined && { mcpNameHeader: std.mcpName }),
  });
  if (route.kind !== 'modern' || route.messageKind !== 'request') return undefined;
  if (route.classification.revision !== MODERN_REVISION) return undefined;
  return modernRoute(candidate, std, options);
}

function modernRoute(c: Candidate, std: StandardHeaders, options: LaneRouteOptions): LaneRoute | undefined {
  if (std.protocolVersion !== MODERN_REVISION || std.mcpMethod !== c.method) return undefined;
  if (c.method === 'tools/call') {
    const name = c.params.name as string;
    if (std.mcpName !== name || options.declaresHeaderParams(name)) return undefined;
  } else if (std.mcpName !== undefined) return undefined;
  return { era: 'modern', ...c, envelope: c.params._meta as Params };
}

function legacyRoute(c: Candidate, std: StandardHeaders, headers: HeaderReader): LaneRoute | undefined {
  const sessionId = headers.get('mcp-session-id');
  if (sessionId === null || std.protocolVersion === undefined) return undefined;
  if (!LEGACY_REVISIONS.includes(std.protocolVersion)) return undefined;
  const accept = headers.get('accept') ?? '';
  if (!accept.includes('application/json') || !accept.includes('text/event-stream')) return undefined;
  return { era: 'legacy', ...c, sessionId };
}

const declarations = new WeakMap<object, boolean>();

/** Whether a JSON Schema mentions `x-mcp-header` anywhere (memoized per schema object). */
export function mentionsHeaderParams(schema: Record<string, unknown> | undefined): boolean {
  if (schema === undefined) return false;
  let known = declarations.get(schema);
  if (known === undefined) {
    known = JSON.stringify(schema).includes('"x-mcp-header"');
    declarations.set(schema, known);
  }
  return known;
}
