/**
 * The ledger on PostgreSQL (`pg` through the kit's `createPgPool`). A transfer runs at READ
 * COMMITTED and locks both account rows with `SELECT … ORDER BY id FOR UPDATE` — always in id
 * order, so two transfers between the same accounts in opposite directions queue instead of
 * deadlocking — then looks its idempotency key up (after the locks, so a concurrent twin has
 * committed and is seen). Serialization failures (40001), deadlocks (40P01) and a lost race on
 * the unique idempotency key (23505) roll back and retry with jittered backoff. Tables live in a
 * configurable schema (created when missing, put on the search_path of every connection);
 * migrations run under an advisory lock.
 */
import { createPgPool, pgCheck } from '@gatehouse/kit/infra';
import type pg from 'pg';
import type { Currency } from '../money.ts';
import { reconcileAsync } from './reconcile.ts';
import {
  checkAccounts,
  checkFunds,
  decodeCursor,
  encodeCursor,
  newTransferId,
  replayOrConflict,
  requestHash,
} from './rules.ts';
import type {
  Account,
  AccountKind,
  Ledger,
  NewAccount,
  ReconcileReport,
  StatementLine,
  StatementPage,
  TransferRecord,
  TransferRequest,
  TransferResult,
} from './types.ts';

const MIGRATIONS: { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        currency CHAR(3) NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('user', 'system')),
        balance_minor BIGINT NOT NULL DEFAULT 0,
        created_at TIMESTAMPTZ NOT NULL
      );
      CREATE INDEX accounts_owner ON accounts (owner);
      CREATE TABLE transfers (
        id TEXT PRIMARY KEY,
        idempotency_key TEXT NOT NULL,
        initiated_by TEXT NOT NULL,
        from_account TEXT NOT NULL REFERENCES accounts (id),
        to_account TEXT NOT NULL REFERENCES accounts (id),
        amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
        currency CHAR(3) NOT NULL,
        memo TEXT,
        created_at TIMESTAMPTZ NOT NULL,
        request_hash TEXT NOT NULL,
        UNIQUE (initiated_by, idempotency_key),
        CHECK (from_account <> to_account)
      );
      CREATE TABLE entries (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        transfer_id TEXT NOT NULL REFERENCES transfers (id),
        account_id TEXT NOT NULL REFERENCES accounts (id),
        amount_minor BIGINT NOT NULL CHECK (amount_minor <> 0),
        currency CHAR(3) NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
      );
      CREATE INDEX entries_account_time ON entries (account_id, created_at, id);
      CREATE INDEX entries_transfer ON entries (transfer_id);
    `,
  },
];

/** SQLSTATEs worth another attempt: serialization failure, deadlock, unique violation (key race). */
const RETRYABLE = new Set(['40001', '40P01', '23505']);
const MAX_ATTEMPTS = 10;

type Row = Record<string, unknown>;

function iso(value: unknown): string {
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}

function toAccount(row: Row): Account {
  return {
    id: String(row.id),
    owner: String(row.owner),
    currency: String(row.currency) as Currency,
    kind: String(row.kind) as AccountKind,
    createdAt: iso(row.created_at),
    balanceMinor: BigInt(String(row.balance_minor)),
  };
}

function toTransfer(row: Row): TransferRecord {
  return {
    id: String(row.id),
    fromAccountId: String(row.from_account),
    toAccountId: String(row.to_account),
    amountMinor: BigInt(String(row.amount_minor)),
    currency: String(row.currency) as Currency,
    memo: row.memo === null ? null : String(row.memo),
    idempotencyKey: String(row.idempotency_key),
    initiatedBy: String(row.initiated_by),
    createdAt: iso(row.created_at),
  };
}

function toLine(row: Row): StatementLine {
  return {
    entryId: String(row.id),
    transferId: String(row.transfer_id),
    amountMinor: BigInt(String(row.amount_minor)),
    counterpartyAccountId: String(row.counterparty),
    memo: row.memo === null ? null : String(row.memo),
    initiatedBy: String(row.initiated_by),
    createdAt: iso(row.created_at),
  };
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export interface PgLedgerOptions {
  /** Schema holding the wallet tables; created when missing. Default `public`. */
  schema?: string;
  /** Most connections the pool opens; default 10. */
  poolSize?: number;
}

export class PgLedger implements Ledger {
  readonly backend = 'postgres' as const;
  readonly ping;
  private readonly pool: pg.Pool;
  private readonly schema: string;
  private closing: Promise<void> | undefined;

  /**
   * A ledger on its own pool whose connections all work in the wallet's schema (set as a startup
   * option in the connection string, so it holds before any query runs).
   */
  static connect(url: string, options: PgLedgerOptions = {}): PgLedger {
    const schema = options.schema ?? 'public';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid PostgreSQL schema name: ${schema}`);
    const withPath = new URL(url);
    const startup = withPath.searchParams.get('options');
    withPath.searchParams.set('options', `${startup ? `${startup} ` : ''}-c search_path=${schema}`);
    return new PgLedger(createPgPool(withPath.toString(), options.poolSize ?? 10), schema);
  }

  private constructor(pool: pg.Pool, schema: string) {
    this.pool = pool;
    this.schema = schema;
    this.ping = pgCheck(pool);
  }

  /** Runs `work` in a transaction on one client; rolls back on any throw; retries transient failures. */
  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      let broken = false;
      try {
        await client.query(begin);
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        const state = sqlState(error);
        if (state === undefined || !RETRYABLE.has(state) || attempt >= MAX_ATTEMPTS) throw error;
      } finally {
        client.release(broken);
      }
      const backoff = Math.min(200, 5 * 2 ** attempt) * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, backoff));
    }
  }

  async migrate(): Promise<void> {
    await this.transaction(async (client) => {
      // One migrator at a time across every process starting against this database.
      await client.query("SELECT pg_advisory_xact_lock(hashtext('gatehouse-wallet-migrate'))");
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.schema)}`);
      await client.query(
        'CREATE TABLE IF NOT EXISTS wallet_schema (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)',
      );
      const { rows } = await client.query('SELECT version FROM wallet_schema');
      const applied = new Set(rows.map((r: Row) => Number(r.version)));
      for (const migration of MIGRATIONS) {
        if (applied.has(migration.version)) continue;
        await client.query(migration.sql);
        await client.query('INSERT INTO wallet_schema (version, applied_at) VALUES ($1, now())', [
          migration.version,
        ]);
      }
    });
  }

  async ensureAccount(account: NewAccount): Promise<Account> {
    await this.pool.query(
      `INSERT INTO accounts (id, owner, currency, kind, balance_minor, created_at) VALUES ($1, $2, $3, $4, 0, $5)
       ON CONFLICT (id) DO NOTHING`,
      [account.id, account.owner, account.currency, account.kind, new Date().toISOString()],
    );
    return (await this.getAccount(account.id)) as Account;
  }

  async getAccount(id: string): Promise<Account | null> {
    const { rows } = await this.pool.query('SELECT * FROM accounts WHERE id = $1', [id]);
    return rows[0] === undefined ? null : toAccount(rows[0]);
  }

  async accountsOwnedBy(owner: string): Promise<Account[]> {
    const { rows } = await this.pool.query('SELECT * FROM accounts WHERE owner = $1 ORDER BY id', [owner]);
    return rows.map(toAccount);
  }

  async allAccounts(): Promise<Account[]> {
    const { rows } = await this.pool.query('SELECT * FROM accounts ORDER BY id');
    return rows.map(toAccount);
  }

  async findTransfer(initiatedBy: string, idempotencyKey: string): Promise<TransferRecord | null> {
    const { rows } = await this.pool.query(
      'SELECT * FROM transfers WHERE initiated_by = $1 AND idempotency_key = $2',
      [initiatedBy, idempotencyKey],
    );
    return rows[0] === undefined ? null : toTransfer(rows[0]);
  }

  async transfer(request: TransferRequest): Promise<TransferResult> {
    return this.transaction(async (client) => {
      const locked = await client.query('SELECT * FROM accounts WHERE id = ANY($1) ORDER BY id FOR UPDATE', [
        [request.fromAccountId, request.toAccountId],
      ]);
      const accounts = new Map(locked.rows.map((row: Row) => [String(row.id), toAccount(row)]));
      const existing = await client.query(
        'SELECT * FROM transfers WHERE initiated_by = $1 AND idempotency_key = $2',
        [request.initiatedBy, request.idempotencyKey],
      );
      const previous = existing.rows[0] as Row | undefined;
      if (previous !== undefined) {
        const transfer = replayOrConflict(toTransfer(previous), String(previous.request_hash), request);
        const source = await client.query('SELECT balance_minor FROM accounts WHERE id = $1', [
          transfer.fromAccountId,
        ]);
        return {
          transfer,
          replayed: true,
          sourceBalanceMinor: BigInt(String(source.rows[0]?.balance_minor ?? 0)),
        };
      }
      const from = accounts.get(request.fromAccountId);
      checkAccounts(request, from, accounts.get(request.toAccountId));
      checkFunds(from, request.amountMinor);
      const createdAt = new Date().toISOString();
      const id = newTransferId();
      await client.query(
        `INSERT INTO transfers (id, idempotency_key, initiated_by, from_account, to_account, amount_minor,
           currency, memo, created_at, request_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          id,
          request.idempotencyKey,
          request.initiatedBy,
          request.fromAccountId,
          request.toAccountId,
          request.amountMinor.toString(),
          request.currency,
          request.memo,
          createdAt,
          requestHash(request),
        ],
      );
      const amount = request.amountMinor.toString();
      await client.query(
        `INSERT INTO entries (transfer_id, account_id, amount_minor, currency, created_at)
         VALUES ($1, $2, -$4::bigint, $5, $6), ($1, $3, $4::bigint, $5, $6)`,
        [id, request.fromAccountId, request.toAccountId, amount, request.currency, createdAt],
      );
      await client.query(
        `UPDATE accounts SET balance_minor = balance_minor + CASE WHEN id = $1 THEN -$3::bigint ELSE $3::bigint END
         WHERE id IN ($1, $2)`,
        [request.fromAccountId, request.toAccountId, amount],
      );
      const transfer: TransferRecord = {
        id,
        fromAccountId: request.fromAccountId,
        toAccountId: request.toAccountId,
        amountMinor: request.amountMinor,
        currency: request.currency,
        memo: request.memo,
        idempotencyKey: request.idempotencyKey,
        initiatedBy: request.initiatedBy,
        createdAt,
      };
      return { transfer, replayed: false, sourceBalanceMinor: from.balanceMinor - request.amountMinor };
    });
  }

  async statement(accountId: string, limit: number, cursor: string | null): Promise<StatementPage> {
    const after = cursor === null ? null : decodeCursor(cursor, accountId);
    const select = `SELECT e.id, e.transfer_id, e.amount_minor, e.created_at, t.memo, t.initiated_by,
        CASE WHEN t.from_account = e.account_id THEN t.to_account ELSE t.from_account END AS counterparty
      FROM entries e JOIN transfers t ON t.id = e.transfer_id WHERE e.account_id = $1`;
    const order = 'ORDER BY e.created_at DESC, e.id DESC';
    const { rows } =
      after === null
        ? await this.pool.query(`${select} ${order} LIMIT $2`, [accountId, limit + 1])
        : await this.pool.query(
            `${select} AND (e.created_at, e.id) < ($2::timestamptz, $3::bigint) ${order} LIMIT $4`,
            [accountId, after.createdAt, after.entryId, limit + 1],
          );
    const lines = rows.slice(0, limit).map(toLine);
    const last = lines.at(-1);
    const more = rows.length > limit && last !== undefined;
    return {
      lines,
      nextCursor: more ? encodeCursor({ accountId, createdAt: last.createdAt, entryId: last.entryId }) : null,
    };
  }

  async reconcile(): Promise<ReconcileReport> {
    // One snapshot for every check, so a transfer committing in between cannot look like a fault.
    return this.transaction(
      async (client) => reconcileAsync(async (sql) => (await client.query(sql)).rows),
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    );
  }

  close(): Promise<void> {
    this.closing ??= this.pool.end();
    return this.closing;
  }
}
