/**
 * Telling connected clients that something changed: 2025-era sessions (and the stdio client) get
 * notifications on their session; 2026-07-28 clients get them on their `subscriptions/listen`
 * streams through the SDK's server event bus.
 *
 * A session whose caller is known is told only when its own list changed: what it saw before the
 * catalog was rebuilt (`seenNow`) is compared with what it sees after. A change held back by tool
 * pinning, or one to a tool the caller may not see, tells it nothing. The listen streams of
 * 2026-07-28 clients share one event bus, so they are told whenever the served catalog changed.
 */
import type { Server, ServerNotifier } from '@modelcontextprotocol/server';
import type { Principal } from '../auth/principal.ts';
import type { Logger } from '../observability/logger.ts';
import type { ListKind } from '../upstream/upstream.ts';

/** What one caller sees of one list, as text to compare (CatalogView.fingerprint). */
export type SeenBy = (principal: Principal, kind: ListKind) => string;

/** What each session saw before a rebuild, by session id and list kind. */
export type SeenBefore = ReadonlyMap<string, ReadonlyMap<ListKind, string>>;

export interface ListChange {
  seen: SeenBy;
  before: SeenBefore;
  /** Kinds an upstream announced that pass on to every client whatever it sees. */
  announced: readonly ListKind[];
}

interface Session {
  server: Server;
  /** The caller the session belongs to, once known. */
  principal: () => Principal | undefined;
}

const KINDS: readonly ListKind[] = ['tools', 'prompts', 'resources'];

export class ChangeFanout {
  private readonly sessions = new Map<string, Session>();
  private readonly notifiers = new Set<ServerNotifier>();
  private readonly log: Logger;

  constructor(log: Logger) {
    this.log = log;
  }

  addSession(id: string, server: Server, principal: () => Principal | undefined = () => undefined): void {
    this.sessions.set(id, { server, principal });
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

  /** What every session whose caller is known sees now: taken before the catalog is rebuilt. */
  seenNow(seen: SeenBy): SeenBefore {
    const before = new Map<string, Map<ListKind, string>>();
    for (const [id, session] of this.sessions) {
      const principal = session.principal();
      if (principal !== undefined) before.set(id, new Map(KINDS.map((k) => [k, seen(principal, k)])));
    }
    return before;
  }

  /** Whether the session still sees what it saw before the change (then it is not told). */
  private unchangedFor(
    id: string,
    session: Session,
    kind: ListKind,
    change: ListChange | undefined,
  ): boolean {
    if (change === undefined || change.announced.includes(kind)) return false;
    const principal = session.principal();
    const before = change.before.get(id)?.get(kind);
    return principal !== undefined && before !== undefined && change.seen(principal, kind) === before;
  }

  /**
   * Tells clients that the `kinds` lists changed. With `change`, a session whose caller is known
   * is told only of the kinds whose list it sees differently now (or that were announced).
   */
  listChanged(kinds: readonly ListKind[], change?: ListChange): void {
    for (const kind of kinds) {
      for (const notifier of this.notifiers) {
        if (kind === 'tools') notifier.toolsChanged();
        else if (kind === 'prompts') notifier.promptsChanged();
        else notifier.resourcesChanged();
      }
      for (const [id, session] of this.sessions) {
        if (this.unchangedFor(id, session, kind, change)) continue;
        const { server } = session;
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
      this.sessions
        .get(id)
        ?.server.sendResourceUpdated({ uri })
        .catch((e: unknown) =>
          this.log.debug({ session: id, err: String(e) }, 'resource update not delivered'),
        );
    }
  }
}
