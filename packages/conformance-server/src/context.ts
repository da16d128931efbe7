/**
 * Shared state and era-aware helpers for the conformance server.
 *
 * The same factory serves both protocol eras. Where behavior has to differ, the helpers
 * here branch on the era the instance was built for:
 * - legacy (2025-era sessions): server→client requests are pushed on the request's
 *   stream (`elicitation/create`, `sampling/createMessage`) and awaited;
 * - modern (2026-07-28, stateless): the handler returns an `input_required` result
 *   (multi-round-trip) and reads the client's answer from `inputResponses` on the retry.
 */
import { randomBytes } from 'node:crypto';
import {
  CLIENT_CAPABILITIES_META_KEY,
  type ClientCapabilities,
  type CreateMessageRequestParams,
  type CreateMessageResult,
  type CreateMessageResultWithTools,
  createRequestStateCodec,
  type ElicitRequestFormParams,
  InMemoryServerEventBus,
  type InputRequiredResult,
  inputRequired,
  inputResponse,
  type McpRequestContext,
  type RequestStateCodec,
  type ServerContext,
  type ServerEventBus,
} from '@modelcontextprotocol/server';
import { TaskStore } from './tasks.ts';

/** The protocol era a server instance serves. */
export type Era = McpRequestContext['era'];

/** Payload sealed into multi-round-trip `requestState` values. */
export type StatePayload = Record<string, string | number | boolean>;

/** Process-wide state shared by every server instance the factory builds. */
export interface ConformanceDeps {
  /** Change-event bus feeding `subscriptions/listen` streams (2026-07-28). */
  readonly bus: ServerEventBus;
  /** HMAC codec protecting `requestState` (SEP-2322 integrity requirement). */
  readonly stateCodec: RequestStateCodec<StatePayload>;
  /** URIs subscribed through 2025-era `resources/subscribe`. */
  readonly subscriptions: Set<string>;
  /** Tasks of the `io.modelcontextprotocol/tasks` extension (2026-07-28). */
  readonly tasks: TaskStore;
}

/** Creates a fresh set of shared state (one per HTTP server or stdio connection). */
export function createConformanceDeps(): ConformanceDeps {
  return {
    bus: new InMemoryServerEventBus(),
    stateCodec: createRequestStateCodec<StatePayload>({ key: randomBytes(32) }),
    subscriptions: new Set<string>(),
    tasks: new TaskStore(),
  };
}

/** The client capabilities a 2026-07-28 request declared in its `_meta` envelope. */
export function declaredCapabilities(ctx: ServerContext): ClientCapabilities | undefined {
  const envelope: Record<string, unknown> = ctx.mcpReq.envelope ?? {};
  const declared = envelope[CLIENT_CAPABILITIES_META_KEY];
  return typeof declared === 'object' && declared !== null ? (declared as ClientCapabilities) : undefined;
}

/** Either the client's answer, or the `input_required` result to return to obtain it. */
export type Ask<T> = { readonly kind: 'answered'; readonly value: T } | InputRequiredResult;

/** The client's answer to an elicitation, in either era. */
export interface ElicitAnswer {
  readonly action: string;
  readonly content?: Record<string, unknown>;
}

/** Whether an {@link Ask} carries the client's answer. */
export function isAnswered<T>(ask: Ask<T>): ask is { readonly kind: 'answered'; readonly value: T } {
  return 'kind' in ask && ask.kind === 'answered';
}

/**
 * Asks the client to fill in a form: pushes `elicitation/create` on the legacy era, or
 * returns (on the modern era) an `input_required` result keyed by `key` until the retry
 * carries the answer.
 */
export async function askElicitation(
  ctx: ServerContext,
  era: Era,
  key: string,
  params: ElicitRequestFormParams,
): Promise<Ask<ElicitAnswer>> {
  if (era === 'legacy') {
    const result = await ctx.mcpReq.elicitInput(params);
    return { kind: 'answered', value: { action: result.action, content: result.content } };
  }
  const view = inputResponse(ctx.mcpReq.inputResponses, key);
  if (view.kind === 'elicit') {
    return { kind: 'answered', value: { action: view.action, content: view.content } };
  }
  return inputRequired({ inputRequests: { [key]: inputRequired.elicit(params) } });
}

/**
 * Asks the client for an LLM completion: pushes `sampling/createMessage` on the legacy
 * era, or returns an `input_required` result on the modern era. Resolves to the text of
 * the completion.
 */
export async function askSampling(
  ctx: ServerContext,
  era: Era,
  key: string,
  params: CreateMessageRequestParams,
): Promise<Ask<string>> {
  if (era === 'legacy') {
    return { kind: 'answered', value: samplingText(await ctx.mcpReq.requestSampling(params)) };
  }
  const view = inputResponse(ctx.mcpReq.inputResponses, key);
  if (view.kind === 'sampling') return { kind: 'answered', value: samplingText(view.result) };
  return inputRequired({ inputRequests: { [key]: inputRequired.createMessage(params) } });
}

/** Extracts the text blocks of a sampling result (single block or array). */
export function samplingText(result: CreateMessageResult | CreateMessageResultWithTools): string {
  const blocks = Array.isArray(result.content) ? result.content : [result.content];
  const texts = blocks.flatMap((block) => (block.type === 'text' ? [block.text] : []));
  return texts.length > 0 ? texts.join('\n') : '(no text content)';
}

/** A text-only tool result. */
export function textResult(
  text: string,
  isError = false,
): { content: [{ type: 'text'; text: string }]; isError?: boolean } {
  return isError
    ? { content: [{ type: 'text', text }], isError: true }
    : { content: [{ type: 'text', text }] };
}
