/**
 * answer-for-model: a failed tool call that a model can do something about — the upstream is
 * down, slow, busy or failing, or a rate limit is used up — is answered as an `isError` tool
 * result with one short sentence and a structured explanation under
 * `_meta["dev.gatehouse/error"]` (code, reason, upstream, retryAfterSeconds), instead of a
 * JSON-RPC error the host may not show the model. Protocol errors the spec asks for (unknown
 * tool, invalid params) and refusals (policy, approval) stay JSON-RPC errors, as do prompts and
 * resource reads, which have no `isError`.
 */
import { wireErrorEntry } from '../errors/registry.ts';
import { errorCode } from '../errors/wire.ts';
import type { Stage } from '../pipeline/compose.ts';
import type { GatewayRequest } from '../pipeline/context.ts';

export const ERROR_META_KEY = 'dev.gatehouse/error';

function advice(message: string, data: Record<string, unknown>): string {
  const after = data.retryAfterSeconds;
  if (/retry after/i.test(message)) return '';
  if (typeof after === 'number') return ` Retry after ${after} s.`;
  if (data.reason === 'timeout' || data.reason === 'deadline')
    return ' It may have finished anyway; check before repeating it.';
  return ' Try again later, or use another tool.';
}

/** The tool result for an actionable failure; undefined when the error should stay JSON-RPC. */
export function toolErrorResult(error: unknown): Record<string, unknown> | undefined {
  const code = errorCode(error);
  if (code === undefined || wireErrorEntry(code)?.modelActionable !== true) return undefined;
  const raw = (error as { data?: unknown }).data;
  const data = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const message = error instanceof Error ? error.message : String(error);
  return {
    content: [{ type: 'text', text: `Gatehouse: ${message}.${advice(message, data)}` }],
    isError: true,
    _meta: { [ERROR_META_KEY]: { code, ...data } },
  };
}

export function answerForModel(): Stage<GatewayRequest> {
  return async (req, next) => {
    const outcome = await next(req);
    if (outcome.kind !== 'error' || req.method !== 'tools/call') return outcome;
    const result = toolErrorResult(outcome.error);
    return result === undefined ? outcome : { kind: 'result', result, answers: outcome };
  };
}
