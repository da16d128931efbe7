/**
 * Shaping a `tools/call` result, content and structured content alike:
 * - structuredContent is shaped, and every text block that was its JSON is rewritten as the JSON
 *   of the shaped value, so the two always agree;
 * - other text blocks that are JSON (an object or array) are parsed, shaped and re-serialized;
 * - plain text is only truncated (when the rule truncates every string); other blocks pass;
 * - error results are not shaped.
 * With a token budget, the first page goes out and the rest waits in the continuation store;
 * what happened is told to the model under `_meta["dev.gatehouse/shaping"]`, and a waiting
 * continuation also in one sentence of text. Pure apart from the store.
 */
import { isDeepStrictEqual } from 'node:util';
import { wireError } from '../errors/wire.ts';
import { firstPage, nextPage } from './budget.ts';
import type { ContinuationStore } from './continuations.ts';
import type { ShapingPlan } from './plan.ts';
import { isObject, shapeValue, truncateString } from './value.ts';

export const SHAPING_META_KEY = 'dev.gatehouse/shaping';

export interface ShapeContext {
  plan: ShapingPlan;
  /** The calling principal's id: continuations are theirs alone. */
  owner: string;
  /** The exposed tool name, and its upstream. */
  tool: string;
  upstream: string;
  store: ContinuationStore;
}

type Result = Record<string, unknown>;

interface Report {
  dropped: Record<string, number>;
  truncated: number;
  continuation?: string;
  remaining?: Record<string, number>;
}

/** The JSON object or array a text holds, or undefined for any other text. */
function parseJson(text: string): unknown {
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function mergeInto(report: Report, shaped: { dropped: Record<string, number>; truncated: number }): void {
  for (const [where, n] of Object.entries(shaped.dropped))
    report.dropped[where] = (report.dropped[where] ?? 0) + n;
  report.truncated += shaped.truncated;
}

function itemsSentence(remaining: Record<string, number>): string {
  const parts = Object.entries(remaining).map(([where, n], i) =>
    i === 0 ? `${n} more ${n === 1 ? 'item' : 'items'} in \`${where}\`` : `${n} in \`${where}\``,
  );
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/** The one sentence that tells the model how to get the rest. */
export function continuationSentence(
  tool: string,
  remaining: Record<string, number>,
  cursor: string,
): string {
  return `Gatehouse: ${itemsSentence(remaining)}; call ${tool} again with the same arguments and continuation ${JSON.stringify(cursor)} to get them.`;
}

function withReport(result: Result, report: Report): Result {
  const changed =
    Object.keys(report.dropped).length > 0 || report.truncated > 0 || report.continuation !== undefined;
  if (!changed) return result;
  const meta = isObject(result._meta) ? result._meta : {};
  return { ...result, _meta: { ...meta, [SHAPING_META_KEY]: report } };
}

/** The text blocks of a result, shaped; which of them mirror the structured content. */
interface ShapedBlocks {
  content: unknown[];
  /** Text blocks that carry the primary value's JSON (rewritten once it is final). */
  mirrors: number[];
  /** Without structured content: the value of the one JSON text block, if there is exactly one. */
  primary: unknown;
}

/** Plain text is only cut, and only when the rule cuts every string. */
function truncatedText(block: Result, maxChars: number | undefined, report: Report): Result {
  const cut = maxChars === undefined ? undefined : truncateString(String(block.text), maxChars);
  if (cut === undefined) return block;
  report.truncated++;
  return { ...block, text: cut };
}

function shapeBlocks(
  blocks: readonly unknown[],
  structured: Result | undefined,
  rule: ShapingPlan['rule'],
  report: Report,
): ShapedBlocks {
  const content = [...blocks];
  const mirrors: number[] = [];
  const others: { index: number; value: unknown }[] = [];
  const truncateText = rule.truncate?.paths === null ? rule.truncate.maxChars : undefined;
  for (const [index, block] of content.entries()) {
    if (!isObject(block) || block.type !== 'text' || typeof block.text !== 'string') continue;
    const parsed = parseJson(block.text);
    if (parsed === undefined) content[index] = truncatedText(block, truncateText, report);
    else if (structured !== undefined && isDeepStrictEqual(parsed, structured)) mirrors.push(index);
    else {
      const shaped = shapeValue(parsed, rule);
      mergeInto(report, shaped);
      others.push({ index, value: shaped.value });
    }
  }
  const only = structured === undefined && others.length === 1 ? others.pop() : undefined;
  if (only !== undefined) mirrors.push(only.index);
  for (const { index, value } of others) {
    content[index] = { ...(content[index] as Result), text: JSON.stringify(value) };
  }
  return { content, mirrors, primary: only?.value };
}

/** The first page under the token budget; the rest saved, and the report and content told. */
function applyBudget(
  value: unknown,
  json: string,
  structured: boolean,
  ctx: ShapeContext,
  report: Report,
  content: unknown[],
): { value: unknown; json: string } {
  const budget = ctx.plan.rule.tokenBudget;
  if (budget === null || !ctx.plan.paged) return { value, json };
  const { page, paging } = firstPage(value, json, budget);
  if (paging === null || page.next === null) return { value, json };
  const { owner, tool, upstream } = ctx;
  const cursor = ctx.store.save({ owner, tool, upstream, paging, structured }, page.next);
  if (cursor === undefined) {
    // Too big to keep: what the first page left out is gone, and said so.
    for (const [where, n] of Object.entries(page.remaining)) report.dropped[where] = n;
  } else {
    report.continuation = cursor;
    report.remaining = page.remaining;
    content.push({ type: 'text', text: continuationSentence(tool, page.remaining, cursor) });
  }
  return { value: page.value, json: JSON.stringify(page.value) };
}

export function shapeToolResult(result: Result, ctx: ShapeContext): Result {
  if (result.isError === true || !Array.isArray(result.content)) return result;
  const rule = ctx.plan.rule;
  const report: Report = { dropped: {}, truncated: 0 };
  const structured = isObject(result.structuredContent) ? result.structuredContent : undefined;
  let primary: unknown;
  if (structured !== undefined) {
    const shaped = shapeValue(structured, rule);
    mergeInto(report, shaped);
    primary = shaped.value;
  }
  const blocks = shapeBlocks(result.content, structured, rule, report);
  const content = blocks.content;
  primary ??= blocks.primary;
  if (primary === undefined) return withReport({ ...result, content }, report);
  const page = applyBudget(primary, JSON.stringify(primary), structured !== undefined, ctx, report, content);
  for (const index of blocks.mirrors) content[index] = { ...(content[index] as Result), text: page.json };
  const out: Result = { ...result, content };
  if (structured !== undefined) out.structuredContent = page.value;
  return withReport(out, report);
}

/** A call that carries `continuation`: the next page, from the store, without the upstream. */
export function continuationResult(cursor: unknown, ctx: ShapeContext): Result {
  if (typeof cursor !== 'string') {
    throw wireError(
      'InvalidParams',
      `continuation must be a string (the cursor a previous ${ctx.tool} result gave)`,
    );
  }
  const opened = ctx.store.open(cursor, ctx.owner, ctx.tool);
  if (opened === undefined) {
    throw wireError(
      'InvalidParams',
      `Unknown or expired continuation for ${ctx.tool}: call ${ctx.tool} again without continuation to start over`,
    );
  }
  const page = nextPage(opened.continuation.paging, opened.offsets);
  const json = JSON.stringify(page.value);
  const content: Result[] = [{ type: 'text', text: json }];
  const result: Result = { content };
  if (opened.continuation.structured) result.structuredContent = page.value;
  if (page.next === null) return result;
  const next = opened.cursorFor(page.next);
  content.push({ type: 'text', text: continuationSentence(ctx.tool, page.remaining, next) });
  return withReport(result, { dropped: {}, truncated: 0, continuation: next, remaining: page.remaining });
}
