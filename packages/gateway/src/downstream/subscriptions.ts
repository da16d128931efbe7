/**
 * Resource subscriptions of 2025-era sessions. The gateway holds one upstream subscription per
 * URI however many sessions want it, and fans `notifications/resources/updated` out to them.
 */
import type { Upstream } from '../upstream/upstream.ts';

export class ResourceSubscriptions {
  private readonly byUri = new Map<string, { upstream: Upstream; sessions: Set<string> }>();

  async subscribe(sessionId: string, uri: string, upstream: Upstream): Promise<void> {
    const entry = this.byUri.get(uri);
    if (entry) {
      entry.sessions.add(sessionId);
      return;
    }
    if (upstream.capabilities.resources?.subscribe) {
      await upstream.use((client) => client.subscribeResource({ uri }));
    }
    this.byUri.set(uri, { upstream, sessions: new Set([sessionId]) });
  }

  async unsubscribe(sessionId: string, uri: string): Promise<void> {
    const entry = this.byUri.get(uri);
    if (!entry?.sessions.delete(sessionId) || entry.sessions.size > 0) return;
    this.byUri.delete(uri);
    if (entry.upstream.state === 'ready' && entry.upstream.capabilities.resources?.subscribe) {
      await entry.upstream.use((client) => client.unsubscribeResource({ uri })).catch(() => {});
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
