/**
 * Lets `resultType: "task"` results (the `io.modelcontextprotocol/tasks` extension) reach the
 * relay. The SDK client decodes only `complete` and `input_required` results and rejects any
 * other kind before the caller sees it, so this adapter, sitting between the upstream's transport
 * and the client, carries a task result through as a `complete` one whose `_meta` holds the
 * original. The relay unwraps it with `takeTaskResult`; nothing else ever sees the carrier.
 */
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

/**
 * Installs the rewrite on `transport`: whatever handler the client assigns to `onmessage` is
 * wrapped so it receives rewritten messages.
 */
export function admitTaskResults<T extends Transport>(transport: T): T {
  type Handler = NonNullable<Transport['onmessage']>;
  let wrapped: Handler | undefined;
  Object.defineProperty(transport, 'onmessage', {
    configurable: true,
    enumerable: true,
    get: () => wrapped,
    set: (handler: Handler | undefined) => {
      wrapped = handler && ((message, extra) => handler(carryTaskResult(message), extra));
    },
  });
  return transport;
}
