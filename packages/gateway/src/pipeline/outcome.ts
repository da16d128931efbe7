/**
 * What the pipeline returns for a request: a result, input the caller must supply first
 * (2026-07-28 `input_required`, which the SDK turns into a real elicitation on a 2025-era
 * session), or a classified error. Every driver — the call lane, the SDK handlers of both eras,
 * stdio — only encodes this value for its wire.
 */
import type { InputRequests } from '@modelcontextprotocol/server';
import { WireErrors } from '../errors/registry.ts';
import { errorCode } from '../errors/wire.ts';

export type Result = Record<string, unknown>;

export interface ResultOutcome {
  readonly kind: 'result';
  readonly result: Result;
  /**
   * The failure this result answers, when a stage turned an error into a result a model can act
   * on (an `isError` tool result): logs, metrics and the audit still see the failure.
   */
  readonly answers?: ErrorOutcome;
}

export interface InputRequiredOutcome {
  readonly kind: 'input_required';
  readonly inputRequests: InputRequests;
  /** The gateway's own state for the next round; drivers seal it into `requestState`. */
  readonly requestState: unknown;
}

export interface ErrorOutcome {
  readonly kind: 'error';
  readonly error: unknown;
  /** The JSON-RPC code (the registry says what it means); InternalError for an unexpected throw. */
  readonly code: number;
  /** Whether the error carried no code: a bug, not an answer. */
  readonly unexpected: boolean;
}

export type Outcome = ResultOutcome | InputRequiredOutcome | ErrorOutcome;

/** The request's final answer as a pipeline stage or a driver sees it. */
export type Pipeline<Request> = (req: Request) => Promise<Outcome>;

export function resultOutcome(result: Result): ResultOutcome {
  return { kind: 'result', result };
}

export function inputRequiredOutcome(
  inputRequests: InputRequests,
  requestState: unknown,
): InputRequiredOutcome {
  return { kind: 'input_required', inputRequests, requestState };
}

export function errorOutcome(error: unknown): ErrorOutcome {
  const code = errorCode(error);
  return {
    kind: 'error',
    error,
    code: code ?? WireErrors.InternalError.code,
    unexpected: code === undefined,
  };
}

/** A tool result that reports a failure (`isError`): the tool was reached and said no. */
export function isToolError(result: Result): boolean {
  return result.isError === true;
}

/**
 * Why a tool said no, for the audit: the kit's stable error code when the result carries one,
 * else the first line of its text (at most 200 characters; the audit log redacts it as it
 * redacts arguments).
 */
export function toolErrorReason(result: Result): string {
  const meta = result._meta as Record<string, unknown> | undefined;
  const coded = meta?.['dev.gatehouse/tool-error'] as { code?: unknown } | undefined;
  const content = Array.isArray(result.content)
    ? (result.content as { type?: unknown; text?: unknown }[])
    : [];
  const text = content.find((block) => block.type === 'text' && typeof block.text === 'string')?.text as
    | string
    | undefined;
  const line = (text ?? '').split('\n', 1)[0]?.slice(0, 200) ?? '';
  if (typeof coded?.code === 'string') return line === '' ? coded.code : `${coded.code}: ${line}`;
  return line === '' ? 'the tool reported an error' : line;
}

/** The failure behind an outcome: its error, or the error a result answers. */
export function failureOf(outcome: Outcome): ErrorOutcome | undefined {
  if (outcome.kind === 'error') return outcome;
  return outcome.kind === 'result' ? outcome.answers : undefined;
}
