/**
 * Keeps a notification ahead of the response read right after it. The SDK client settles a
 * response at once but runs notification handlers a microtask later, and settling a call forgets
 * its progress token: the last progress notification of a call, read in the same chunk as the
 * call's result, would be dropped. So a response that follows a notification in the same
 * synchronous batch is delivered one microtask later (and whatever follows it in that batch after
 * it, so the order stays the order read).
 */
import type { Transport } from '@modelcontextprotocol/client';

type Handler = NonNullable<Transport['onmessage']>;
type Message = Parameters<Handler>[0];
type Extra = Parameters<Handler>[1];

function isResponse(message: Message): boolean {
  return 'id' in message && ('result' in message || 'error' in message);
}

function inReadOrder(handler: Handler): Handler {
  let notified = false;
  let held: [Message, Extra][] | null = null;
  const deliver: Handler = (message, extra) => {
    if (held !== null) {
      held.push([message, extra]);
      return;
    }
    if (notified && isResponse(message)) {
      const batch: [Message, Extra][] = [[message, extra]];
      held = batch;
      queueMicrotask(() => {
        held = null;
        for (const [m, e] of batch) deliver(m, e);
      });
      return;
    }
    if (!('id' in message)) {
      notified = true;
      queueMicrotask(() => {
        notified = false;
      });
    }
    handler(message, extra);
  };
  return deliver;
}

/** Makes whatever handler the client gives `transport` receive messages in read order. */
export function deliverInReadOrder<T extends Transport>(transport: T): T {
  let wrapped: Handler | undefined;
  Object.defineProperty(transport, 'onmessage', {
    configurable: true,
    enumerable: true,
    get: () => wrapped,
    set: (handler: Handler | undefined) => {
      wrapped = handler && inReadOrder(handler);
    },
  });
  return transport;
}
