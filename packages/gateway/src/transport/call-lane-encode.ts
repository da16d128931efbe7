/**
 * The call lane's answers, encoded as the SDK encodes them (its per-era codecs). A result the SDK
 * would rewrite in a way the lane does not copy (a list page whose tools need the SDK's per-era
 * rewriting) is refused before the pipeline runs (`laneRefusesList`), so every outcome the
 * pipeline returns to the lane is encoded here. test/call-lane.test.ts compares both paths
 * byte for byte (as parsed JSON) on the same requests.
 *
 * - 2025 era: tools/call results unchanged; tools/list unchanged unless a tool's outputSchema is
 *   not an object schema (the SDK wraps those for 2025 clients).
 * - 2026-07-28: `resultType: "complete"` appended; on tools/list also the cache fields (`ttlMs`
 *   from server.listTtlMs, `cacheScope: "private"`, as configured on the SDK server); then the
 *   gateway's identity in `_meta`. An input-required outcome is encoded the same way, with the
 *   gateway's sealed requestState.
 * - Errors: the JSON-RPC error object, in both eras.
 *
 * The result's own text is shared with the audit digest (pipeline/result-json.ts), and a shared
 * frozen list page is serialized once.
 */
import { SERVER_INFO_META_KEY } from '@modelcontextprotocol/server';
import { SERVER_INFO } from '../downstream/server-factory.ts';
import type { Era } from '../pipeline/context.ts';
import { resultBytes, resultJson } from '../pipeline/result-json.ts';
import type { LaneMethod } from './call-lane-route.ts';

type Result = Record<string, unknown>;

const SERVER_INFO_JSON = JSON.stringify({ [SERVER_INFO_META_KEY]: SERVER_INFO });

/**
 * A 2025-era result answer as bytes: the result's own UTF-8 (shared with the audit digest) inside
 * the JSON-RPC envelope; the same text as `{"result":<encodedResult>,"jsonrpc":"2.0","id":…}`.
 */
export function legacyResultBody(id: string | number, result: Result): Buffer {
  return Buffer.concat([
    RESULT_HEAD,
    resultBytes(result),
    Buffer.from(`,"jsonrpc":"2.0","id":${JSON.stringify(id)}}`),
  ]);
}

const RESULT_HEAD = Buffer.from('{"result":');

export function encodedResult(era: Era, method: LaneMethod, result: Result, listTtlMs: number): string {
  if (method === 'tools/list') return era === 'legacy' ? resultJson(result) : modernList(result, listTtlMs);
  return era === 'legacy' ? resultJson(result) : modernResult(result);
}

/** A 2026-07-28 input-required answer, with the requestState the gateway sealed for it. */
export function encodedInputRequired(inputRequests: unknown, requestState: string): string {
  return JSON.stringify({
    resultType: 'input_required',
    inputRequests,
    requestState,
    _meta: { [SERVER_INFO_META_KEY]: SERVER_INFO },
  });
}

/** A JSON-RPC error response to `id` (as the SDK frames a thrown ProtocolError). */
export function encodedError(id: string | number, error: unknown, code: number): string {
  const message = error instanceof Error ? error.message : String(error);
  const data = (error as { data?: unknown } | null)?.data;
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    error: data === undefined ? { code, message } : { code, message, data },
  });
}

function isPlainObject(value: unknown): value is Result {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `{…result, <fields>}` from the result's own text (a plain JSON object ends with `}`). */
function appended(result: Result, fields: string): string {
  const json = resultJson(result);
  return json === '{}' ? `{${fields}}` : `${json.slice(0, -1)},${fields}}`;
}

/**
 * A 2026-07-28 result: `resultType` (complete unless the result names its own, as a task does)
 * and the gateway's identity in `_meta`. The common case — no `_meta`, no `resultType` — is
 * appended to the result's own text without parsing it again.
 */
function modernResult(result: Result): string {
  const meta = result._meta;
  if (meta === undefined && result.resultType === undefined)
    return appended(result, `"resultType":"complete","_meta":${SERVER_INFO_JSON}`);
  const stamped = { ...(isPlainObject(meta) ? meta : {}), [SERVER_INFO_META_KEY]: SERVER_INFO };
  return JSON.stringify({ ...result, resultType: result.resultType ?? 'complete', _meta: stamped });
}

/**
 * Whether a tool needs the SDK's own per-era rewriting in a list page, which the lane does not
 * copy: a 2025 client gets non-object output schemas wrapped; 2026-07-28 deletes `execution`.
 * The lane asks before the pipeline runs, for the whole catalog (a page is a part of it).
 */
export function needsSdkListRewrite(era: Era, tool: Result): boolean {
  return era === 'legacy'
    ? isPlainObject(tool.outputSchema) && tool.outputSchema.type !== 'object'
    : 'execution' in tool;
}

/** A 2026-07-28 list page: the cache fields as configured on the SDK server, and the identity. */
function modernList(page: Result, listTtlMs: number): string {
  if (page._meta === undefined)
    return appended(
      page,
      `"resultType":"complete","ttlMs":${listTtlMs},"cacheScope":"private","_meta":${SERVER_INFO_JSON}`,
    );
  // A page that says which upstreams are missing from it carries its own `_meta`.
  const meta = { ...(isPlainObject(page._meta) ? page._meta : {}), [SERVER_INFO_META_KEY]: SERVER_INFO };
  return JSON.stringify({
    ...page,
    resultType: 'complete',
    ttlMs: listTtlMs,
    cacheScope: 'private',
    _meta: meta,
  });
}

/**
 * `needsSdkListRewrite` over a catalog's tools, worked out once per catalog version: whether a
 * list of this era must take the SDK path.
 */
export function listRewriteCheck(catalog: {
  readonly version: number;
  tools(): readonly { item: unknown }[];
}): (era: Era) => boolean {
  let version = -1;
  let needs = { legacy: false, modern: false };
  return (era) => {
    if (catalog.version !== version) {
      version = catalog.version;
      const tools = catalog.tools().map((entry) => entry.item as Result);
      needs = {
        legacy: tools.some((tool) => needsSdkListRewrite('legacy', tool)),
        modern: tools.some((tool) => needsSdkListRewrite('modern', tool)),
      };
    }
    return needs[era];
  };
}
