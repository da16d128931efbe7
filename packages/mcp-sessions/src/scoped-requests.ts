/**
 * Requests that set a session's state rather than ask for something: the logging level
 * (`logging/setLevel`) and resource subscriptions (`resources/subscribe`, `resources/unsubscribe`).
 * With replicas, each one holding the session keeps its own server copy, so these are kept with
 * the session's record — the latest level, and one subscribe per subscribed URI — and applied to
 * every copy: replayed after the handshake when a replica takes the session up, and passed on
 * over the bus to the replicas already holding it.
 */

const SCOPED_METHODS = new Set(['logging/setLevel', 'resources/subscribe', 'resources/unsubscribe']);

interface ScopedRequest {
  jsonrpc: '2.0';
  id: string | number;
  method: string;
  params?: { uri?: unknown; level?: unknown };
}

function isScoped(message: unknown): message is ScopedRequest {
  if (message === null || typeof message !== 'object') return false;
  const { method, id } = message as { method?: unknown; id?: unknown };
  return typeof method === 'string' && SCOPED_METHODS.has(method) && id !== undefined;
}

/** The state-setting requests in a posted body (one message or a batch). */
export function scopedRequestsIn(body: unknown): ScopedRequest[] {
  return (Array.isArray(body) ? body : [body]).filter(isScoped);
}

/**
 * What a session's state comes to: the requests to replay to a fresh copy, one per thing set (the
 * latest level; a subscribe per URI still subscribed), keyed so a later request replaces an
 * earlier one.
 */
export class ScopedState {
  private readonly requests = new Map<string, ScopedRequest>();

  constructor(recorded: readonly unknown[] = []) {
    this.apply(recorded);
  }

  /** Takes in requests in the order they were served; true when the state changed. */
  apply(requests: readonly unknown[]): boolean {
    let changed = false;
    for (const request of requests.filter(isScoped)) {
      if (request.method === 'logging/setLevel') {
        this.requests.set('logging', request);
        changed = true;
        continue;
      }
      const key = `resource:${String(request.params?.uri)}`;
      if (request.method === 'resources/subscribe') this.requests.set(key, request);
      else this.requests.delete(key);
      changed = true;
    }
    return changed;
  }

  /** The requests to replay, in the order they were set. */
  list(): ScopedRequest[] {
    return [...this.requests.values()];
  }
}

let replayed = 0;

/**
 * A request to replay to one replica's copy of the session, under an id of its own: the client
 * may by then use the id it once sent it with for something else.
 */
export function replayable(request: unknown): object {
  return { ...(request as object), id: `gatehouse-replay-${++replayed}` };
}
