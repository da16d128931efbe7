/**
 * The shared PostgreSQL (`storage.postgres`) that replicas keep their state in: one pool per
 * process, opened here and handed to every store, so a replica holds at most `poolSize`
 * connections whatever it stores. Each store creates its own tables on first use under an
 * advisory lock (replicas that start together do not race on CREATE … IF NOT EXISTS).
 */
import pg from 'pg';

export interface SharedPostgres {
  readonly pool: pg.Pool;
  /** Runs `work` in one transaction (BEGIN … COMMIT, ROLLBACK on a throw). */
  transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  /** Creates a store's schema once, however many replicas start at once. */
  migrate(name: string, statements: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export function openSharedPostgres(
  options: { url: string; poolSize: number },
  onError: (error: Error) => void = () => {},
): SharedPostgres {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    application_name: 'gatehouse',
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // A connection the server dropped while idle must not crash the process: the next query
  // through the pool fails instead, and readiness reports the database unreachable.
  pool.on('error', onError);
  const migrated = new Map<string, Promise<void>>();
  let ended = false;
  const shared: SharedPostgres = {
    pool,
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    migrate(name, statements) {
      let done = migrated.get(name);
      if (done === undefined) {
        done = shared.transaction(async (client) => {
          await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`gatehouse-schema:${name}`]);
          for (const statement of statements) await client.query(statement);
        });
        // A failed migration (database down) is tried again by the next caller.
        done.catch(() => migrated.delete(name));
        migrated.set(name, done);
      }
      return done;
    },
    async close() {
      if (ended) return;
      ended = true;
      await pool.end();
    },
  };
  return shared;
}
