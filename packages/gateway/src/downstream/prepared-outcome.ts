/**
 * A pipeline outcome computed before the SDK server saw the request. The call lane
 * (transport/call-lane.ts) runs the pipeline itself and writes plain results; anything else — an
 * error, an input-required result, log messages to deliver — it hands to the SDK path together
 * with this outcome, so that the SDK encodes it exactly as it encodes its own, without running the
 * pipeline (and calling the upstream) a second time.
 *
 * It travels in the SDK's per-request `authInfo.extra`, which only in-process code can set, and is
 * taken once: an SDK path that calls the handler again (the 2025-era input-required shim, with the
 * caller's answers) runs the pipeline as usual.
 */
import type { AuthInfo, LoggingMessageNotificationParams, ServerContext } from '@modelcontextprotocol/server';
import type { Outcome } from '../pipeline/outcome.ts';

export const PREPARED_AUTH_KEY = 'gatehouse.prepared';

export interface PreparedOutcome {
  readonly method: string;
  readonly requestId: string | number;
  /** What the pipeline answered. */
  readonly outcome: Outcome;
  /** Log messages the call produced, delivered (in order) before its answer. */
  readonly logs: readonly LoggingMessageNotificationParams[];
  taken: boolean;
}

/** The prepared outcome for this handler invocation, once; undefined for every other. */
export function takePrepared(ctx: ServerContext, method: string): PreparedOutcome | undefined {
  const prepared = ctx.http?.authInfo?.extra?.[PREPARED_AUTH_KEY] as PreparedOutcome | undefined;
  if (prepared === undefined || prepared.taken) return undefined;
  if (prepared.method !== method || prepared.requestId !== ctx.mcpReq.id) return undefined;
  prepared.taken = true;
  return prepared;
}

/** Whether a request carries an outcome the lane computed (it was accepted before any drain). */
export function carriesPrepared(authInfo: AuthInfo | undefined): boolean {
  return authInfo?.extra?.[PREPARED_AUTH_KEY] !== undefined;
}
