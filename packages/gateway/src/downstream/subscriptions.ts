/**
 * Resource subscriptions of 2025-era sessions. The gateway holds one upstream subscription per
 * URI however many sessions want it, and fans `notifications/resources/updated` out to them.
 */
import type { McpSubscription } from '@modelcontextprotocol/client';
import { upstreamFailure } from '../relay/call-relay.ts';
import type { Upstream } from '../upstream/upstream.ts';

interface Entry {
  upstream: Upstream;
  sessions: Set<string>;
  /** A 2026-07-28 upstream's `subscriptions/listen` stream for this URI. */
  stream?: McpSubscription;
}

/**
 * How the gateway follows one URI upstream: `resources/subscribe` on a 2025-era upstream, a
 * `subscriptions/listen` stream on a 2026-07-28 one. Either way, updates arrive as
 * `notifications/resources/updated` on the upstream's client.
 */
async function follow(upstream: Upstream, uri: string): Promise<McpSubscription | undefined> {
  if (!upstream.capabilities.resources?.subscribe) return undefined;
  try {
    if (upstream.era === 'modern') {
      return await upstream.use((client) => client.listen({ resourceSubscriptions: [uri] }), {
        retryable: true,
      });
    }
    await upstream.use((client, signal) => client.subscribeResource({ uri }, { signal }), {
      retryable: true,
    });
    return undefined;
  } catch (error) {
    throw upstreamFailure(error, upstream);
  }
}

export class ResourceSubscriptions {
  private readonly byUri = new Map<string, Entry>();

  async subscribe(sessionId: string, uri: string, upstream: Upstream): Promise<void> {
    const entry = this.byUri.get(uri);
    if (entry) {
      entry.sessions.add(sessionId);
      return;
    }
    const stream = await follow(upstream, uri);
    this.byUri.set(uri, { upstream, sessions: new Set([sessionId]), ...(stream ? { stream } : {}) });
  }

  async unsubscribe(sessionId: string, uri: string): Promise<void> {
    const entry = this.byUri.get(uri);
    if (!entry?.sessions.delete(sessionId) || entry.sessions.size > 0) return;
    this.byUri.delete(uri);
    if (entry.stream) {
      await entry.stream.close().catch(() => {});
      return;
    }
    if (entry.upstream.state === 'ready' && entry.upstream.capabilities.resources?.subscribe) {
      await entry.upstream
        .use((client, signal) => client.unsubscribeResource({ uri }, { signal }), { retryable: true })
        .catch(() => {});
    }
  }

  async dropSession(sessionId: string): Promise<void> {
    const uris = [...this.byUri.entries()].filter(([, e]) => e.sessions.has(sessionId)).map(([uri]) => uri);
    await Promise.all(uris.map((uri) => this.unsubscribe(sessionId, uri)));
  }

  sessionsFor(uri: string): string[] {
    return [...(this.byUri.get(uri)?.sessions ?? [])];
  }
}
