/**
 * The call lane's answers, encoded as the SDK encodes them (its per-era codecs): the result's
 * JSON text, or undefined when the SDK would treat the result in a way the lane does not copy —
 * the lane then hands it to the SDK path. test/call-lane.test.ts compares both paths byte for byte
 * (as parsed JSON) on the same requests.
 *
 * - 2025 era: tools/call results unchanged; tools/list unchanged unless a tool's outputSchema is
 *   not an object schema (the SDK wraps those for 2025 clients).
 * - 2026-07-28: `resultType: "complete"` appended; on tools/list also the cache fields (`ttlMs`
 *   from server.listTtlMs, `cacheScope: "private"`, as configured on the SDK server); then the
 *   gateway's identity in `_meta`. Tools carrying `execution` (deleted on this revision) and
 *   results with their own envelope fields are left to the SDK.
 *
 * The result's own text is shared with the audit digest (pipeline/result-json.ts), and a shared
 * frozen list page is serialized once.
 */
import { SERVER_INFO_META_KEY } from '@modelcontextprotocol/server';
import { SERVER_INFO } from '../downstream/server-factory.ts';
import type { Era } from '../pipeline/context.ts';
import { resultJson } from '../pipeline/result-json.ts';
import type { LaneMethod } from './call-lane-route.ts';

type Result = Record<string, unknown>;

const SERVER_INFO_JSON = JSON.stringify({ [SERVER_INFO_META_KEY]: SERVER_INFO });

/** Result fields whose presence the SDK's 2026-07-28 encoder keeps as given or rewrites. */
const ENVELOPE_FIELDS = ['resultType', 'ttlMs', 'cacheScope', 'tools', 'capabilities'] as const;

export function encodedResult(
  era: Era,
  method: LaneMethod,
  result: Result,
  listTtlMs: number,
): string | undefined {
  if (method === 'tools/list') return era === 'legacy' ? legacyList(result) : modernList(result, listTtlMs);
  return era === 'legacy' ? resultJson(result) : modernCall(result);
}

function isPlainObject(value: unknown): value is Result {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `{…result, <fields>}` from the result's own text (a plain JSON object ends with `}`). */
function appended(result: Result, fields: string): string {
  const json = resultJson(result);
  return json === '{}' ? `{${fields}}` : `${json.slice(0, -1)},${fields}}`;
}

function modernCall(result: Result): string | undefined {
  for (const field of ENVELOPE_FIELDS) if (result[field] !== undefined) return undefined;
  const meta = result._meta;
  if (meta === undefined) return appended(result, `"resultType":"complete","_meta":${SERVER_INFO_JSON}`);
  if (!isPlainObject(meta) || meta[SERVER_INFO_META_KEY] !== undefined) return undefined;
  const stamped = { ...meta, [SERVER_INFO_META_KEY]: SERVER_INFO };
  return JSON.stringify({ ...result, resultType: 'complete', _meta: stamped });
}

/** Per list page: whether a tool needs something the lane does not do (memoized; pages are shared). */
const legacyWrapNeeded = new WeakMap<object, boolean>();
const modernDeletedField = new WeakMap<object, boolean>();

function someTool(page: Result, memo: WeakMap<object, boolean>, test: (tool: Result) => boolean): boolean {
  let known = memo.get(page);
  if (known === undefined) {
    const tools = Array.isArray(page.tools) ? page.tools : [];
    known = tools.some((tool) => isPlainObject(tool) && test(tool));
    memo.set(page, known);
  }
  return known;
}

function legacyList(page: Result): string | undefined {
  const needsWrap = someTool(
    page,
    legacyWrapNeeded,
    (tool) => isPlainObject(tool.outputSchema) && tool.outputSchema.type !== 'object',
  );
  return needsWrap ? undefined : resultJson(page);
}

function modernList(page: Result, listTtlMs: number): string | undefined {
  if (!Array.isArray(page.tools)) return undefined;
  for (const field of ['resultType', 'ttlMs', 'cacheScope', '_meta'] as const)
    if (page[field] !== undefined) return undefined;
  if (someTool(page, modernDeletedField, (tool) => 'execution' in tool)) return undefined;
  return appended(
    page,
    `"resultType":"complete","ttlMs":${listTtlMs},"cacheScope":"private","_meta":${SERVER_INFO_JSON}`,
  );
}
