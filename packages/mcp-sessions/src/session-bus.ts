/**
 * What replicas sharing session records tell each other about a session, for what a 2025-era
 * client sends to one replica but another must act on. Behind a balancer without affinity:
 *
 * - a client answers a server-to-client request (elicitation, sampling, roots) in a POST of its
 *   own, which may reach a replica other than the one whose call is waiting for the answer;
 * - a client's notification (`notifications/cancelled` for a call running elsewhere,
 *   `notifications/roots/list_changed`) concerns whichever replicas hold the session;
 * - a session ended (DELETE) through one replica must be gone from the others at once, not at
 *   their next check of the record;
 * - a request that sets the session's state (`logging/setLevel`, `resources/subscribe`) is served
 *   by one replica, but the level must hold for calls served by the others, and the replica that
 *   holds the client's standalone stream is the one that can deliver resource updates.
 *
 * Delivery is at most once and best effort: a replica that was not listening misses the message
 * (a waiting call then times out, and a held session still finds its record gone at its next
 * check). The gateway's implementation is PostgreSQL LISTEN/NOTIFY (storage/session-bus-pg.ts).
 */
import type { McpServer } from '@modelcontextprotocol/server';
import { LAST_BATCHING_VERSION } from './batch-rules.ts';

export type SessionBusMessage =
  /** The session was ended (DELETE): any replica holding it lets it go. */
  | { readonly kind: 'ended'; readonly session: string }
  /**
   * JSON-RPC responses and notifications the client posted to the session through another
   * replica (the posted body: one message or a batch), for the replica they concern.
   */
  | {
      readonly kind: 'client-messages';
      readonly session: string;
      readonly owner: string | undefined;
      readonly body: unknown;
    }
  /**
   * Requests that set the session's state on the replica that served them (a logging level, a
   * resource subscription; scoped-requests.ts), for every other replica holding it to apply too.
   */
  | {
      readonly kind: 'session-requests';
      readonly session: string;
      readonly owner: string | undefined;
      readonly requests: readonly unknown[];
    };

export interface SessionBus {
  /** Tells the other replicas; resolves once sent. */
  publish(message: SessionBusMessage): Promise<void>;
  /** Starts delivering the other replicas' messages (never this process's own). */
  subscribe(deliver: (message: SessionBusMessage) => void): void;
}

/**
 * A bus between session managers in one process, standing in for replicas (tests): each
 * `member()` is one replica's end; what one publishes reaches the others on a later turn.
 */
export class MemorySessionBus {
  private readonly members = new Set<(message: SessionBusMessage) => void>();

  member(): SessionBus {
    let own: ((message: SessionBusMessage) => void) | undefined;
    return {
      publish: async (message) => {
        // A structured copy, as a message crossing processes would be.
        const copy = structuredClone(message);
        for (const deliver of this.members) if (deliver !== own) setImmediate(deliver, copy);
      },
      subscribe: (deliver) => {
        own = deliver;
        this.members.add(deliver);
      },
    };
  }
}

/**
 * Whether a posted body only answers or notifies (no request, no `initialize`): what the client
 * sends back to a server that asked it something, or tells it. `notifications/initialized` is
 * not passed on: every replica's copy of the session is initialized when it takes it up.
 */
export function isClientAnswer(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  if (messages.length === 0) return false;
  return messages.every((message) => {
    if (message === null || typeof message !== 'object') return false;
    const { method, id } = message as { method?: unknown; id?: unknown };
    if (method === undefined) return id !== undefined && ('result' in message || 'error' in message);
    return (
      typeof method === 'string' &&
      method.startsWith('notifications/') &&
      method !== 'notifications/initialized' &&
      id === undefined
    );
  });
}

/**
 * A POST of `body` to the held session, as its client would send it: how a replica hands what
 * the client posted through another replica to its own copy of the session's transport.
 */
export function postOf(session: { readonly id: string; readonly server: McpServer }, body: unknown): Request {
  const version = session.server.server.getNegotiatedProtocolVersion() ?? LAST_BATCHING_VERSION;
  return new Request('http://session-bus.invalid/mcp', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-session-id': session.id,
      'mcp-protocol-version': version,
    },
    body: JSON.stringify(body),
  });
}
