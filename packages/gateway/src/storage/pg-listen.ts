/**
 * A PostgreSQL LISTEN that stays on: one connection of its own (a pooled one would be handed to
 * other queries and miss notifications), opened again with backoff whenever it is lost. While it
 * is down, notifications sent meanwhile are missed (NOTIFY keeps nothing for absent listeners);
 * whoever uses it must be able to live with that.
 */
import pg from 'pg';

export interface PgListener {
  /** Resolves once the first LISTEN is in place (or rejects with why it could not be). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export interface ListenOptions {
  url: string;
  channel: string;
  onNotify(payload: string): void;
  /** A lost or refused connection (it is opened again by itself). */
  onError(error: Error): void;
}

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 10_000;

/** Channel names are identifiers: only what can be written unquoted. */
function checkedChannel(channel: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
  return channel;
}

export function listenPg(options: ListenOptions): PgListener {
  const channel = checkedChannel(options.channel);
  let client: pg.Client | null = null;
  let closed = false;
  let retryMs = FIRST_RETRY_MS;
  let retry: NodeJS.Timeout | null = null;
  let settleFirst: ((error?: Error) => void) | null = null;
  const ready = new Promise<void>((resolve, reject) => {
    settleFirst = (error) => (error === undefined ? resolve() : reject(error));
  });
  ready.catch(() => {});

  const reconnectLater = (): void => {
    if (closed || retry !== null) return;
    retry = setTimeout(() => {
      retry = null;
      void connect();
    }, retryMs);
    retry.unref();
    retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
  };

  const connect = async (): Promise<void> => {
    const connection = new pg.Client({
      connectionString: options.url,
      application_name: 'gatehouse-listen',
      // An idle listener sends nothing: TCP keepalive is what finds a connection a network dropped.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    client = connection;
    connection.on('notification', (message) => {
      if (message.channel === channel) options.onNotify(message.payload ?? '');
    });
    connection.on('error', (error) => {
      options.onError(error);
      if (client === connection) client = null;
      void connection.end().catch(() => {});
      reconnectLater();
    });
    // The server ended it (a restart, an administrator): listen again.
    connection.on('end', () => {
      if (client === connection) client = null;
      reconnectLater();
    });
    try {
      await connection.connect();
      await connection.query(`LISTEN ${channel}`);
      retryMs = FIRST_RETRY_MS;
      settleFirst?.();
      settleFirst = null;
      if (closed) await connection.end();
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      options.onError(failure);
      if (client === connection) client = null;
      void connection.end().catch(() => {});
      reconnectLater();
    }
  };

  void connect();
  return {
    ready,
    async close() {
      closed = true;
      if (retry !== null) clearTimeout(retry);
      settleFirst?.(new Error('closed before listening'));
      const open = client;
      client = null;
      await open?.end().catch(() => {});
    },
  };
}
