/**
 * What the gateway's SDK client accepts from an upstream, rewritten before the client decodes it.
 *
 * Tasks. Lets `resultType: "task"` results (the `io.modelcontextprotocol/tasks` extension) reach the
 * relay. The SDK client decodes only `complete` and `input_required` results and rejects any
 * other kind before the caller sees it, so this adapter, sitting between the upstream's transport
 * and the client, carries a task result through as a `complete` one whose `_meta` holds the
 * original. The relay unwraps it with `takeTaskResult`; nothing else ever sees the carrier.
 *
 * A missing `resultType`. A 2026-07-28 server must put `resultType` on every result, and the SDK
 * client rejects a result without one, which would turn every answer of a server that forgets it
 * into a failure (and open its circuit breaker). A result without one is what such a server
 * means by a complete result, so the gateway reads it as `complete`, says so once in its log,
 * and relays it with the field its own clients are owed.
 */
import { deliverInReadOrder } from '@gatehouse/client-edge';
import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client';

const CARRIER = 'dev.gatehouse/createTaskResult';

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Rewrites one incoming message if it is a response carrying a task result. */
export function carryTaskResult(message: JSONRPCMessage): JSONRPCMessage {
  if (!('result' in message) || !isRecord(message.result)) return message;
  const result = message.result;
  if (result.resultType !== 'task') return message;
  return { ...message, result: { resultType: 'complete', content: [], _meta: { [CARRIER]: result } } };
}

/** The upstream's CreateTaskResult carried by `result`, if it is one. */
export function takeTaskResult(result: Json): Json | undefined {
  const meta = result._meta;
  if (!isRecord(meta)) return undefined;
  const carried = meta[CARRIER];
  return isRecord(carried) ? carried : undefined;
}

/** Gives a result response without `resultType` the `complete` its server meant. */
export function completeMissingResultType(message: JSONRPCMessage): JSONRPCMessage {
  if (!('result' in message) || !isRecord(message.result) || 'resultType' in message.result) return message;
  return { ...message, result: { ...message.result, resultType: 'complete' } };
}

export interface InboundOptions {
  /** Whether the connection speaks 2026-07-28 (only then is `resultType` owed). */
  modern(): boolean;
  /** Told once, the first time a result without `resultType` is read as complete. */
  onMissingResultType(): void;
}

function admit(message: JSONRPCMessage, options: InboundOptions, warned: { done: boolean }): JSONRPCMessage {
  const carried = carryTaskResult(message);
  if (carried !== message || !options.modern()) return carried;
  const completed = completeMissingResultType(message);
  if (completed !== message && !warned.done) {
    warned.done = true;
    options.onMissingResultType();
  }
  return completed;
}

/**
 * Installs the rewrites on `transport`: whatever handler the client assigns to `onmessage` is
 * wrapped so it receives rewritten messages, in the order they were read (@gatehouse/client-edge).
 */
export function admitUpstreamResults<T extends Transport>(transport: T, options: InboundOptions): T {
  const warned = { done: false };
  return deliverInReadOrder(transport, (message) => admit(message, options, warned));
}
