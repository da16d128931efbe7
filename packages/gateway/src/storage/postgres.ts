/**
 * The shared PostgreSQL (`storage.postgres`) that replicas keep their state in: one pool per
 * process, opened here and handed to every store, so a replica holds at most `poolSize`
 * connections whatever it stores. Each store creates its own tables on first use under an
 * advisory lock (replicas that start together do not race on CREATE … IF NOT EXISTS).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface SharedPostgres {
  readonly pool: pg.Pool;
  /** What the last probe found (readiness): reachable, or why not. */
  readonly health: { reachable: boolean; error: string | null };
  /** Probes the database now (SELECT 1), updating `health`; true when it answered. */
  probe(): Promise<boolean>;
  /** Runs `work` in one transaction (BEGIN … COMMIT, ROLLBACK on a throw). */
  transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  /** Creates a store's schema once, however many replicas start at once. */
  migrate(name: string, statements: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/** How often a running gateway checks that the shared database answers (readiness). */
const PROBE_INTERVAL_MS = 2_000;

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
    // A database that accepts connections but stops answering fails a query instead of hanging
    // the request behind it (server side first; the client's limit covers a dead network).
    statement_timeout: 15_000,
    query_timeout: 20_000,
  });
  // A connection the server dropped while idle must not crash the process: the next query
  // through the pool fails instead, and readiness reports the database unreachable.
  pool.on('error', onError);
  const migrated = new Map<string, Promise<void>>();
  let ended = false;
  const health = { reachable: true, error: null as string | null };
  const prober = setInterval(() => void shared.probe(), PROBE_INTERVAL_MS).unref();
  const shared: SharedPostgres = {
    pool,
    health,
    async probe() {
      try {
        await pool.query('SELECT 1');
        health.reachable = true;
        health.error = null;
      } catch (error) {
        health.reachable = false;
        health.error = error instanceof Error ? error.message : String(error);
      }
      return health.reachable;
    },
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
      clearInterval(prober);
      await pool.end();
    },
  };
  return shared;
}

/**
 * Waits until the shared database answers, saying once per attempt why it does not: a gateway
 * started before its database (or during an outage) comes up by itself instead of exiting.
 */
export async function untilReachable(
  shared: SharedPostgres,
  onWaiting: (error: string, attempt: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  for (let attempt = 1; !(await shared.probe()); attempt++) {
    onWaiting(shared.health.error ?? 'no answer', attempt);
    if (signal?.aborted) throw signal.reason;
    await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 250 * 2 ** attempt)));
  }
}

/**
 * The key every replica seals task ids and requestState with: made once, kept in the shared
 * database, so an id or a state one replica issued verifies on any other.
 */
export async function sharedStateKey(shared: SharedPostgres): Promise<Buffer> {
  await shared.migrate('keys', [
    'CREATE TABLE IF NOT EXISTS gatehouse_keys (name TEXT PRIMARY KEY, value BYTEA NOT NULL)',
  ]);
  await shared.pool.query(
    "INSERT INTO gatehouse_keys (name, value) VALUES ('state', $1) ON CONFLICT (name) DO NOTHING",
    [randomBytes(32)],
  );
  const { rows } = await shared.pool.query<{ value: Buffer }>(
    "SELECT value FROM gatehouse_keys WHERE name = 'state'",
  );
  const key = rows[0]?.value;
  if (key === undefined || key.length < 32) throw new Error('the shared state key is missing or too short');
  return key;
}
