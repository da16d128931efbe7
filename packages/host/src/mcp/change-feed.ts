/**
 * A server's list_changed announcements, in both eras. A 2025-era server sends them on its
 * session unasked; a 2026-07-28 server sends them on a `subscriptions/listen` stream, opened here
 * once the connection is ready and re-opened with backoff when it ends (everything is re-read
 * then, since changes may have been missed). Announcements of one kind are coalesced: while a
 * re-read runs, more announcements ask for one more re-read after it.
 */
import type { Client } from '@modelcontextprotocol/client';
import { ExponentialBackoff } from 'cockatiel';
import { LIST_KINDS, type ListKind } from './lists.ts';

const NOTIFICATION = {
  tools: 'notifications/tools/list_changed',
  prompts: 'notifications/prompts/list_changed',
  resources: 'notifications/resources/list_changed',
} as const;

const FILTER_KEY = {
  tools: 'toolsListChanged',
  prompts: 'promptsListChanged',
  resources: 'resourcesListChanged',
} as const;

export class ChangeFeed {
  private readonly running = new Map<ListKind, Promise<void>>();
  private readonly again = new Set<ListKind>();
  private readonly stop = new AbortController();

  private readonly client: Client;
  private readonly reread: (kind: ListKind) => Promise<void>;
  private readonly ackTimeoutMs: number;

  constructor(client: Client, reread: (kind: ListKind) => Promise<void>, ackTimeoutMs: number) {
    this.client = client;
    this.reread = reread;
    this.ackTimeoutMs = ackTimeoutMs;
    for (const kind of LIST_KINDS)
      client.setNotificationHandler(NOTIFICATION[kind], () => this.announce(kind));
  }

  /** On a 2026-07-28 connection, opens the listen stream (a 2025-era one needs nothing more). */
  start(): void {
    const caps = this.client.getServerCapabilities() ?? {};
    const filter = Object.fromEntries(
      LIST_KINDS.filter((kind) => caps[kind]?.listChanged === true).map((kind) => [FILTER_KEY[kind], true]),
    );
    if (this.client.getProtocolEra() === 'modern' && Object.keys(filter).length > 0)
      void this.listenLoop(filter);
  }

  close(): void {
    this.stop.abort();
  }

  announce(kind: ListKind): void {
    if (this.stop.signal.aborted) return;
    if (this.running.has(kind)) {
      this.again.add(kind);
      return;
    }
    const run = this.reread(kind)
      .catch(() => {}) // a failed re-read keeps the last lists; the next announcement tries again
      .finally(() => {
        this.running.delete(kind);
        if (this.again.delete(kind)) this.announce(kind);
      });
    this.running.set(kind, run);
  }

  private async listenLoop(filter: Record<string, boolean>): Promise<void> {
    const signal = this.stop.signal;
    const backoff = new ExponentialBackoff({ initialDelay: 250, maxDelay: 30_000 });
    let delay = backoff.next();
    let opened = false;
    while (!signal.aborted) {
      try {
        const subscription = await this.client.listen(filter, { timeout: this.ackTimeoutMs, signal });
        if (opened) for (const kind of LIST_KINDS) this.announce(kind);
        opened = true;
        delay = backoff.next();
        const onStop = () => void subscription.close();
        signal.addEventListener('abort', onStop, { once: true });
        await subscription.closed;
        signal.removeEventListener('abort', onStop);
      } catch {
        if (signal.aborted) return;
      }
      await sleep(delay.duration, signal);
      delay = delay.next(undefined);
    }
  }
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
