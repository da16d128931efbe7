/**
 * Telling connected clients that something changed: 2025-era sessions (and the stdio client) get
 * notifications on their session; 2026-07-28 clients get them on their `subscriptions/listen`
 * streams through the SDK's server event bus.
 */
import type { Server, ServerNotifier } from '@modelcontextprotocol/server';
import type { Logger } from '../observability/logger.ts';
import type { ListKind } from '../upstream/upstream.ts';

export class ChangeFanout {
  private readonly sessions = new Map<string, Server>();
  private readonly notifiers = new Set<ServerNotifier>();
  private readonly log: Logger;

  constructor(log: Logger) {
    this.log = log;
  }

  addSession(id: string, server: Server): void {
    this.sessions.set(id, server);
  }

  removeSession(id: string): void {
    this.sessions.delete(id);
  }

  addNotifier(notifier: ServerNotifier): void {
    this.notifiers.add(notifier);
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  listChanged(kinds: readonly ListKind[]): void {
    for (const kind of kinds) {
      for (const notifier of this.notifiers) {
        if (kind === 'tools') notifier.toolsChanged();
        else if (kind === 'prompts') notifier.promptsChanged();
        else notifier.resourcesChanged();
      }
      for (const [id, server] of this.sessions) {
        const sent =
          kind === 'tools'
            ? server.sendToolListChanged()
            : kind === 'prompts'
              ? server.sendPromptListChanged()
              : server.sendResourceListChanged();
        Promise.resolve(sent).catch((e: unknown) =>
          this.log.debug({ session: id, err: String(e) }, 'list_changed not delivered'),
        );
      }
    }
  }

  resourceUpdated(uri: string, sessionIds: readonly string[]): void {
    for (const notifier of this.notifiers) notifier.resourceUpdated(uri);
    for (const id of sessionIds) {
      const server = this.sessions.get(id);
      server
        ?.sendResourceUpdated({ uri })
        .catch((e: unknown) =>
          this.log.debug({ session: id, err: String(e) }, 'resource update not delivered'),
        );
    }
  }
}
