/**
 * The session bus of replicas sharing storage.postgres (@gatehouse/sessions, session-bus.ts):
 * PostgreSQL NOTIFY on one channel, heard by every replica's LISTEN (pg-listen.ts). Channels are
 * database-wide, so the channel is named after the schema the replicas' tables are in: gateways
 * sharing a database in separate schemas do not hear each other. A message
 * names the process that sent it, which ignores its own. NOTIFY carries at most 8,000 bytes, so
 * a larger message (a long sampling answer) is written to a table and the notice carries its row;
 * rows are deleted after MESSAGE_TTL_MS. Delivery is at most once: a replica whose LISTEN is
 * being re-opened misses what is sent meanwhile (see the bus's contract).
 */
import { randomUUID } from 'node:crypto';
import type { SessionBus, SessionBusMessage } from '@gatehouse/sessions';
import { listenPg, type PgListener } from './pg-listen.ts';
import type { SharedPostgres } from './postgres.ts';

/** The channel of the schema the connection's tables go to. */
const CHANNEL_QUERY = "SELECT 'gatehouse_sessions_' || substr(md5(current_schema()), 1, 16) AS channel";
/** Below NOTIFY's 8,000-byte limit, with room for the envelope. */
const MAX_INLINE_BYTES = 7_000;
/** How long a message too large for a notice is kept for its readers. */
const MESSAGE_TTL_MS = 5 * 60_000;

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS gatehouse_session_messages (
    id BIGSERIAL PRIMARY KEY,
    sent_at BIGINT NOT NULL,
    message TEXT NOT NULL
  )`,
  'CREATE INDEX IF NOT EXISTS gatehouse_session_messages_sent ON gatehouse_session_messages (sent_at)',
];

/** A notice on the channel: who sent it, and the message or the row that holds it. */
type Notice = { from: string; message: SessionBusMessage } | { from: string; row: string };

export class PgSessionBus implements SessionBus {
  readonly #db: SharedPostgres;
  readonly #url: string;
  readonly #onError: (error: Error) => void;
  readonly #self = randomUUID();
  #listener: PgListener | null = null;
  #channel: Promise<string> | null = null;
  #subscribed = false;
  #closed = false;
  /** Until the channel is known and the LISTEN connection is being opened. */
  #listening: Promise<void> = Promise.resolve();

  constructor(db: SharedPostgres, url: string, onError: (error: Error) => void) {
    this.#db = db;
    this.#url = url;
    this.#onError = onError;
  }

  async publish(message: SessionBusMessage): Promise<void> {
    const channel = await this.#channelName();
    const inline = JSON.stringify({ from: this.#self, message } satisfies Notice);
    if (Buffer.byteLength(inline) <= MAX_INLINE_BYTES) {
      await this.#db.pool.query('SELECT pg_notify($1, $2)', [channel, inline]);
      return;
    }
    await this.#db.migrate('session-bus', SCHEMA);
    const now = Date.now();
    const { rows } = await this.#db.pool.query<{ id: string }>(
      'INSERT INTO gatehouse_session_messages (sent_at, message) VALUES ($1, $2) RETURNING id',
      [now, JSON.stringify(message)],
    );
    await this.#db.pool.query('SELECT pg_notify($1, $2)', [
      channel,
      JSON.stringify({ from: this.#self, row: String(rows[0]?.id) } satisfies Notice),
    ]);
    await this.#db.pool.query('DELETE FROM gatehouse_session_messages WHERE sent_at < $1', [
      now - MESSAGE_TTL_MS,
    ]);
  }

  subscribe(deliver: (message: SessionBusMessage) => void): void {
    if (this.#subscribed) throw new Error('the session bus has a subscriber already');
    this.#subscribed = true;
    this.#listening = this.#listen(deliver);
    this.#listening.catch(this.#onError);
  }

  /** Resolves once this replica listens (tests, and a start that waits for it). */
  async listening(): Promise<void> {
    await this.#listening;
    await this.#listener?.ready;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#listening.catch(() => {});
    await this.#listener?.close();
  }

  async #listen(deliver: (message: SessionBusMessage) => void): Promise<void> {
    // The database may be away at first: the channel is worked out once it answers.
    for (let wait = 250; !this.#closed; wait = Math.min(10_000, wait * 2)) {
      try {
        const channel = await this.#channelName();
        if (this.#closed) return;
        this.#listener = listenPg({
          url: this.#url,
          channel,
          onNotify: (payload) => void this.#received(payload, deliver),
          onError: this.#onError,
        });
        return;
      } catch (error) {
        this.#onError(error instanceof Error ? error : new Error(String(error)));
        await new Promise((resolve) => setTimeout(resolve, wait).unref());
      }
    }
  }

  #channelName(): Promise<string> {
    if (this.#channel === null) {
      const asked = this.#db.pool
        .query<{ channel: string }>(CHANNEL_QUERY)
        .then(({ rows }) => String(rows[0]?.channel));
      asked.catch(() => {
        if (this.#channel === asked) this.#channel = null;
      });
      this.#channel = asked;
    }
    return this.#channel;
  }

  async #received(payload: string, deliver: (message: SessionBusMessage) => void): Promise<void> {
    try {
      const notice = JSON.parse(payload) as Notice;
      if (notice.from === this.#self) return;
      if ('message' in notice) {
        deliver(notice.message);
        return;
      }
      const { rows } = await this.#db.pool.query<{ message: string }>(
        'SELECT message FROM gatehouse_session_messages WHERE id = $1',
        [notice.row],
      );
      const stored = rows[0];
      if (stored !== undefined) deliver(JSON.parse(stored.message) as SessionBusMessage);
    } catch (error) {
      this.#onError(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
