/**
 * Shaping continuations in the shared PostgreSQL (storage.postgres): the pages a token budget held
 * back, readable by every replica until they expire. Rows past their expiry are deleted as new
 * ones are written.
 */
import { type Continuation, ContinuationStore, type SharedContinuations } from '../shaping/continuations.ts';
import type { SharedPostgres } from './postgres.ts';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS gatehouse_continuations (
    id TEXT PRIMARY KEY,
    body JSONB NOT NULL,
    expires_at BIGINT NOT NULL
  )`,
  'CREATE INDEX IF NOT EXISTS gatehouse_continuations_expiry ON gatehouse_continuations (expires_at)',
];

/** How often a write also deletes expired rows (each replica, at most). */
const SWEEP_EVERY_MS = 60_000;

export class PgContinuations implements SharedContinuations {
  readonly #db: SharedPostgres;
  #sweptAt = 0;

  constructor(db: SharedPostgres) {
    this.#db = db;
  }

  async put(id: string, continuation: Continuation, expiresAt: number): Promise<void> {
    await this.#db.migrate('continuations', SCHEMA);
    await this.#db.pool.query(
      'INSERT INTO gatehouse_continuations (id, body, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING',
      [id, JSON.stringify(continuation), expiresAt],
    );
    const now = Date.now();
    if (now - this.#sweptAt > SWEEP_EVERY_MS) {
      this.#sweptAt = now;
      await this.#db.pool.query('DELETE FROM gatehouse_continuations WHERE expires_at < $1', [now]);
    }
  }

  async get(id: string, now: number): Promise<Continuation | undefined> {
    await this.#db.migrate('continuations', SCHEMA);
    const { rows } = await this.#db.pool.query<{ body: Continuation }>(
      'SELECT body FROM gatehouse_continuations WHERE id = $1 AND expires_at > $2',
      [id, now],
    );
    return rows[0]?.body;
  }

  async touch(id: string, expiresAt: number): Promise<void> {
    await this.#db.pool.query(
      'UPDATE gatehouse_continuations SET expires_at = GREATEST(expires_at, $2) WHERE id = $1',
      [id, expiresAt],
    );
  }
}

/** The gateway's continuation store: in memory, written through to PostgreSQL when one is shared. */
export function openContinuations(
  shared: SharedPostgres | null,
  onError: (error: unknown) => void,
): ContinuationStore {
  return new ContinuationStore(
    {},
    Date.now,
    shared === null ? null : { store: new PgContinuations(shared), onError },
  );
}
