/**
 * A server's list_changed notifications, in both eras, without ever holding up its connection.
 * The gateway's upstream clients and the host's clients both use it.
 *
 * A 2025-era server sends them unsolicited on its session. A 2026-07-28 server sends them on a
 * `subscriptions/listen` stream the client opens — a stream the server keeps open for as long
 * as it lasts. The SDK's own `listChanged` option opens that stream inside `connect()` and waits
 * for the server's acknowledgement, so a server that is slow to acknowledge (or never does)
 * would hold the connection up (at a gateway: the upstream out of its catalog). Here the stream
 * is opened after the connection is ready, in the background, and re-opened with backoff when it
 * ends; a re-opened stream re-lists everything, since changes may have been missed meanwhile.
 *
 * Announcements are coalesced per list: while a re-list runs, further announcements of that list
 * ask for one more re-list after it, never a pile of them.
 */
import type { Client } from '@modelcontextprotocol/client';
import { ExponentialBackoff } from 'cockatiel';

export type ListKind = 'tools' | 'prompts' | 'resources';

export const LIST_KINDS: readonly ListKind[] = ['tools', 'prompts', 'resources'];
const KINDS = LIST_KINDS;

const NOTIFICATION: Record<ListKind, `notifications/${ListKind}/list_changed`> = {
  tools: 'notifications/tools/list_changed',
  prompts: 'notifications/prompts/list_changed',
  resources: 'notifications/resources/list_changed',
};

const FILTER_KEY = {
  tools: 'toolsListChanged',
  prompts: 'promptsListChanged',
  resources: 'resourcesListChanged',
} as const;

export interface ChangeFeedOptions {
  /** Re-lists one kind; the feed runs at most one at a time per kind. */
  relist(kind: ListKind): Promise<void>;
  /** How long to wait for a listen stream's acknowledgement. */
  ackTimeoutMs: number;
  /** Told when a re-list fails or a listen stream ends or cannot open (a pino logger fits). */
  log?: ChangeFeedLog;
}

export interface ChangeFeedLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export class ChangeFeed {
  private readonly client: Client;
  private readonly options: ChangeFeedOptions;
  private readonly running = new Map<ListKind, Promise<void>>();
  private readonly again = new Set<ListKind>();
  private readonly stop = new AbortController();

  constructor(client: Client, options: ChangeFeedOptions) {
    this.client = client;
    this.options = options;
    for (const kind of KINDS)
      client.setNotificationHandler(NOTIFICATION[kind], () => {
        this.announce(kind);
      });
  }

  /** Starts listening on a 2026-07-28 connection (a 2025-era one needs nothing more). */
  start(): void {
    const caps = this.client.getServerCapabilities() ?? {};
    const filter = Object.fromEntries(
      KINDS.filter((kind) => caps[kind]?.listChanged === true).map((kind) => [FILTER_KEY[kind], true]),
    );
    if (this.client.getProtocolEra() !== 'modern' || Object.keys(filter).length === 0) return;
    void this.listenLoop(filter);
  }

  close(): void {
    this.stop.abort();
  }

  /** One list changed: re-list it now, or once more after the re-list already running. */
  announce(kind: ListKind): void {
    if (this.stop.signal.aborted) return;
    if (this.running.has(kind)) {
      this.again.add(kind);
      return;
    }
    const run = this.options
      .relist(kind)
      // A failed re-list keeps the last lists; the next announcement tries again.
      .catch((error: unknown) =>
        this.options.log?.warn({ err: String(error), kind }, 'server re-list failed'),
      )
      .finally(() => {
        this.running.delete(kind);
        if (this.again.delete(kind)) this.announce(kind);
      });
    this.running.set(kind, run);
  }

  private async listenLoop(filter: Record<string, boolean>): Promise<void> {
    const signal = this.stop.signal;
    const backoff = new ExponentialBackoff({ initialDelay: 500, maxDelay: 30_000 });
    let delay = backoff.next();
    let opened = false;
    while (!signal.aborted) {
      try {
        const subscription = await this.client.listen(filter, { timeout: this.options.ackTimeoutMs, signal });
        if (opened) for (const kind of KINDS) this.announce(kind);
        opened = true;
        delay = backoff.next();
        const onStop = () => void subscription.close();
        signal.addEventListener('abort', onStop, { once: true });
        const cause = await subscription.closed;
        signal.removeEventListener('abort', onStop);
        if (!signal.aborted) this.options.log?.info({ cause }, 'listen stream ended; re-opening');
      } catch (error) {
        if (signal.aborted) return;
        this.options.log?.warn({ err: String(error) }, 'listen stream could not be opened');
      }
      await sleep(delay.duration, signal);
      delay = delay.next(undefined);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
