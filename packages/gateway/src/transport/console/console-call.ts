/**
 * The console's "try it": one tools/call run in-process through the gateway's current pipeline —
 * the same pipeline, and the same request builder (downstream/gateway-request.ts), the call lane
 * and the SDK handlers use — as the SIGNED-IN principal, so policy, approvals, limits, shaping,
 * audit and metrics apply exactly as to a call from an MCP client. It never runs as the caller
 * whose view the page inspects.
 */
import type { Principal } from '../../auth/principal.ts';
import { newGatewayRequest } from '../../downstream/gateway-request.ts';
import type { Gateway } from '../../gateway.ts';

/** What the page shows of a call's outcome (text only: the page escapes it). */
export type TriedCall =
  | { kind: 'result'; isError: boolean; json: string }
  | { kind: 'error'; code: number; message: string }
  | { kind: 'input_required' };

export type ParsedArguments = { ok: true; args: Record<string, unknown> } | { ok: false; message: string };

/** The form's JSON arguments: an object (blank is `{}`), or why not — then nothing is called. */
export function parseArguments(text: string): ParsedArguments {
  if (text.trim() === '') return { ok: true, args: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `The arguments are not valid JSON (${why}); nothing was called.` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return { ok: false, message: 'The arguments must be a JSON object ({…}); nothing was called.' };
  return { ok: true, args: value as Record<string, unknown> };
}

export async function callToolAs(
  gateway: Gateway,
  principal: Principal,
  tool: string,
  args: Record<string, unknown>,
  signal: AbortSignal,
): Promise<TriedCall> {
  const request = newGatewayRequest(
    {
      method: 'tools/call',
      params: { name: tool, arguments: args },
      era: 'modern',
      transport: 'http',
      sessionId: undefined,
      signal,
      envelope: undefined,
      sessionCapabilities: () => undefined,
      inputResponses: undefined,
      resumeState: undefined,
      headers: undefined,
      principal,
      notify: () => {},
      log: () => {},
    },
    gateway.requests.shutdown,
  );
  const outcome = await gateway.pipeline(request);
  if (outcome.kind === 'input_required') return { kind: 'input_required' };
  if (outcome.kind === 'error') {
    const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
    return { kind: 'error', code: outcome.code, message };
  }
  return {
    kind: 'result',
    isError: outcome.result.isError === true,
    json: JSON.stringify(outcome.result, null, 2),
  };
}
