/**
 * 2025-era session records in the shared PostgreSQL (storage.postgres): every replica writes the
 * sessions it opens and reads the ones it is asked for but does not hold, so a session survives
 * the replica that opened it and is served by any other (see @gatehouse/sessions). A row keeps
 * who opened the session, when it was last used anywhere, and the client's `initialize` params
 * that another replica replays to take it up, followed by the requests that set the session's
 * state (its logging level, its resource subscriptions).
 */
import type { SessionRecord, SessionRecordStore } from '@gatehouse/sessions';
import type { SharedPostgres } from './postgres.ts';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS gatehouse_sessions (
    id TEXT PRIMARY KEY,
    owner TEXT,
    opened_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    init JSONB
  )`,
  'CREATE INDEX IF NOT EXISTS gatehouse_sessions_last_seen ON gatehouse_sessions (last_seen_at)',
  // Tables made before sessions kept the requests that set their state.
  'ALTER TABLE gatehouse_sessions ADD COLUMN IF NOT EXISTS scoped JSONB',
];

interface Row {
  id: string;
  owner: string | null;
  opened_at: string;
  last_seen_at: string;
  init: unknown;
  scoped: unknown[] | null;
}

export class PgSessionRecords implements SessionRecordStore {
  readonly shared = true;
  readonly #db: SharedPostgres;

  constructor(db: SharedPostgres) {
    this.#db = db;
  }

  async #ready(): Promise<void> {
    await this.#db.migrate('sessions', SCHEMA);
  }

  async add(record: SessionRecord): Promise<void> {
    await this.#ready();
    await this.#db.pool.query(
      `INSERT INTO gatehouse_sessions (id, owner, opened_at, last_seen_at, init) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO NOTHING`,
      [
        record.id,
        record.owner ?? null,
        record.openedAt,
        record.lastSeenAt,
        JSON.stringify(record.init ?? null),
      ],
    );
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    await this.#ready();
    const { rows } = await this.#db.pool.query<Row>('SELECT * FROM gatehouse_sessions WHERE id = $1', [id]);
    const row = rows[0];
    if (row === undefined) return undefined;
    return {
      id: row.id,
      owner: row.owner ?? undefined,
      openedAt: Number(row.opened_at),
      lastSeenAt: Number(row.last_seen_at),
      ...(row.init === null ? {} : { init: row.init }),
      ...(row.scoped === null ? {} : { scoped: row.scoped }),
    };
  }

  async touch(id: string, lastSeenAt: number): Promise<void> {
    await this.#ready();
    await this.#db.pool.query(
      'UPDATE gatehouse_sessions SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2',
      [id, lastSeenAt],
    );
  }

  async setScoped(id: string, scoped: readonly unknown[]): Promise<void> {
    await this.#ready();
    await this.#db.pool.query('UPDATE gatehouse_sessions SET scoped = $2 WHERE id = $1', [
      id,
      JSON.stringify(scoped),
    ]);
  }

  async remove(id: string): Promise<void> {
    await this.#ready();
    await this.#db.pool.query('DELETE FROM gatehouse_sessions WHERE id = $1', [id]);
  }

  async expire(before: number): Promise<void> {
    await this.#ready();
    await this.#db.pool.query('DELETE FROM gatehouse_sessions WHERE last_seen_at < $1', [before]);
  }
}
