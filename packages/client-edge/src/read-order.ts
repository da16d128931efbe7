/**
 * Keeps a notification ahead of the response read right after it. The SDK client settles a
 * response at once but runs notification handlers a microtask later, and settling a call forgets
 * its progress token: the last progress notification of a call, read in the same chunk as the
 * call's result, would be dropped ("unknown token") instead of handled. So a response that follows
 * a notification in the same synchronous batch is delivered one microtask later, with whatever
 * follows it in that batch: the messages still arrive in the order they were read.
 */
import type { Transport } from '@modelcontextprotocol/client';

export type MessageHandler = NonNullable<Transport['onmessage']>;
type Message = Parameters<MessageHandler>[0];
type Extra = Parameters<MessageHandler>[1];

function isResponse(message: Message): boolean {
  return 'id' in message && ('result' in message || 'error' in message);
}

/** `handler`, receiving a response read right after a notification one microtask later. */
function inReadOrder(handler: MessageHandler): MessageHandler {
  let notified = false;
  let held: [Message, Extra][] | null = null;
  const deliver: MessageHandler = (message, extra) => {
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

/**
 * Wraps whatever handler the client assigns to `transport.onmessage`: it receives messages in
 * read order, after `rewrite` (identity when not given) has had its say on each.
 */
export function deliverInReadOrder<T extends Transport>(
  transport: T,
  rewrite?: (message: Message) => Message,
): T {
  let wrapped: MessageHandler | undefined;
  Object.defineProperty(transport, 'onmessage', {
    configurable: true,
    enumerable: true,
    get: () => wrapped,
    set: (handler: MessageHandler | undefined) => {
      wrapped =
        handler &&
        inReadOrder(rewrite === undefined ? handler : (message, extra) => handler(rewrite(message), extra));
    },
  });
  return transport;
}
