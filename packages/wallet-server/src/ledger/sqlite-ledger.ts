/**
 * The ledger on embedded SQLite (node:sqlite through the kit's `openSqlite`: WAL, busy timeout).
 * Every write runs in `BEGIN IMMEDIATE`, which takes the database's write lock up front, so
 * writers from several processes sharing the file queue behind each other instead of failing on
 * a lock upgrade; inside one process node:sqlite is synchronous, so a transaction never
 * interleaves with another. Integers are read as bigint.
 */

import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { sqliteCheck } from '@gatehouse/kit/infra';
import type { Currency } from '../money.ts';
import { RECONCILE_QUERIES, reconcileReport } from './reconcile.ts';
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
        currency TEXT NOT NULL CHECK (length(currency) = 3),
        kind TEXT NOT NULL CHECK (kind IN ('user', 'system')),
        balance_minor INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
      );
      CREATE INDEX accounts_owner ON accounts (owner);
      CREATE TABLE transfers (
        id TEXT PRIMARY KEY,
        idempotency_key TEXT NOT NULL,
        initiated_by TEXT NOT NULL,
        from_account TEXT NOT NULL REFERENCES accounts (id),
        to_account TEXT NOT NULL REFERENCES accounts (id),
        amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
        currency TEXT NOT NULL,
        memo TEXT,
        created_at TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        UNIQUE (initiated_by, idempotency_key),
        CHECK (from_account <> to_account)
      );
      CREATE TABLE entries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        transfer_id TEXT NOT NULL REFERENCES transfers (id),
        account_id TEXT NOT NULL REFERENCES accounts (id),
        amount_minor INTEGER NOT NULL CHECK (amount_minor <> 0),
        currency TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX entries_account_time ON entries (account_id, created_at, id);
      CREATE INDEX entries_transfer ON entries (transfer_id);
    `,
  },
];

type Row = Record<string, unknown>;

function toAccount(row: Row): Account {
  return {
    id: String(row.id),
    owner: String(row.owner),
    currency: String(row.currency) as Currency,
    kind: String(row.kind) as AccountKind,
    createdAt: String(row.created_at),
    balanceMinor: BigInt(row.balance_minor as bigint),
  };
}

function toTransfer(row: Row): TransferRecord {
  return {
    id: String(row.id),
    fromAccountId: String(row.from_account),
    toAccountId: String(row.to_account),
    amountMinor: BigInt(row.amount_minor as bigint),
    currency: String(row.currency) as Currency,
    memo: row.memo === null ? null : String(row.memo),
    idempotencyKey: String(row.idempotency_key),
    initiatedBy: String(row.initiated_by),
    createdAt: String(row.created_at),
  };
}

function toLine(row: Row): StatementLine {
  return {
    entryId: String(row.id),
    transferId: String(row.transfer_id),
    amountMinor: BigInt(row.amount_minor as bigint),
    counterpartyAccountId: String(row.counterparty),
    memo: row.memo === null ? null : String(row.memo),
    initiatedBy: String(row.initiated_by),
    createdAt: String(row.created_at),
  };
}

const SQLITE_BUSY = 5;

const STATEMENT_SELECT = `
  SELECT e.id, e.transfer_id, e.amount_minor, e.created_at, t.memo, t.initiated_by,
         CASE WHEN t.from_account = e.account_id THEN t.to_account ELSE t.from_account END AS counterparty
  FROM entries e JOIN transfers t ON t.id = e.transfer_id
  WHERE e.account_id = ?`;

export class SqliteLedger implements Ledger {
  readonly backend = 'sqlite' as const;
  readonly ping;
  private readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();

  constructor(db: DatabaseSync) {
    this.db = db;
    this.ping = sqliteCheck(db);
  }

  /** A prepared statement (cached per SQL text) that reads integers as bigint. */
  private sql(text: string): StatementSync {
    let statement = this.statements.get(text);
    if (statement === undefined) {
      statement = this.db.prepare(text);
      statement.setReadBigInts(true);
      this.statements.set(text, statement);
    }
    return statement;
  }

  private get(text: string, ...params: SQLInputValue[]): Row | undefined {
    return this.sql(text).get(...params) as Row | undefined;
  }

  private all(text: string, ...params: SQLInputValue[]): Row[] {
    return this.sql(text).all(...params) as Row[];
  }

  /** Runs `work` in a write transaction taken up front; rolls back on any throw. */
  private immediate<T>(work: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /**
   * `immediate`, retried a few times when another process held the write lock beyond the busy
   * timeout (SQLITE_BUSY at BEGIN: nothing ran yet, so trying again is safe).
   */
  private async write<T>(work: () => T): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return this.immediate(work);
      } catch (error) {
        const busy = (error as { errcode?: unknown } | null)?.errcode === SQLITE_BUSY;
        if (!busy || attempt >= 4) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 25 * attempt * (0.5 + Math.random())));
    }
  }

  async migrate(): Promise<void> {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS wallet_schema (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
    );
    await this.write(() => {
      const applied = new Set(this.all('SELECT version FROM wallet_schema').map((r) => Number(r.version)));
      for (const migration of MIGRATIONS) {
        if (applied.has(migration.version)) continue;
        this.db.exec(migration.sql);
        this.sql('INSERT INTO wallet_schema (version, applied_at) VALUES (?, ?)').run(
          migration.version,
          new Date().toISOString(),
        );
      }
    });
  }

  async ensureAccount(account: NewAccount): Promise<Account> {
    return this.write(() => {
      this.sql(
        `INSERT INTO accounts (id, owner, currency, kind, balance_minor, created_at) VALUES (?, ?, ?, ?, 0, ?)
         ON CONFLICT (id) DO NOTHING`,
      ).run(account.id, account.owner, account.currency, account.kind, new Date().toISOString());
      return toAccount(this.get('SELECT * FROM accounts WHERE id = ?', account.id) as Row);
    });
  }

  async getAccount(id: string): Promise<Account | null> {
    const row = this.get('SELECT * FROM accounts WHERE id = ?', id);
    return row === undefined ? null : toAccount(row);
  }

  async accountsOwnedBy(owner: string): Promise<Account[]> {
    return this.all('SELECT * FROM accounts WHERE owner = ? ORDER BY id', owner).map(toAccount);
  }

  async allAccounts(): Promise<Account[]> {
    return this.all('SELECT * FROM accounts ORDER BY id').map(toAccount);
  }

  async findTransfer(initiatedBy: string, idempotencyKey: string): Promise<TransferRecord | null> {
    const row = this.get(
      'SELECT * FROM transfers WHERE initiated_by = ? AND idempotency_key = ?',
      initiatedBy,
      idempotencyKey,
    );
    return row === undefined ? null : toTransfer(row);
  }

  async transfer(request: TransferRequest): Promise<TransferResult> {
    return this.write(() => {
      const existing = this.get(
        'SELECT * FROM transfers WHERE initiated_by = ? AND idempotency_key = ?',
        request.initiatedBy,
        request.idempotencyKey,
      );
      if (existing !== undefined) {
        const transfer = replayOrConflict(toTransfer(existing), String(existing.request_hash), request);
        const source = this.get('SELECT balance_minor FROM accounts WHERE id = ?', transfer.fromAccountId);
        return { transfer, replayed: true, sourceBalanceMinor: BigInt(source?.balance_minor as bigint) };
      }
      const fromRow = this.get('SELECT * FROM accounts WHERE id = ?', request.fromAccountId);
      const toRow = this.get('SELECT * FROM accounts WHERE id = ?', request.toAccountId);
      const from = fromRow && toAccount(fromRow);
      checkAccounts(request, from, toRow && toAccount(toRow));
      checkFunds(from, request.amountMinor);
      const createdAt = new Date().toISOString();
      const transfer: TransferRecord = {
        id: newTransferId(),
        fromAccountId: request.fromAccountId,
        toAccountId: request.toAccountId,
        amountMinor: request.amountMinor,
        currency: request.currency,
        memo: request.memo,
        idempotencyKey: request.idempotencyKey,
        initiatedBy: request.initiatedBy,
        createdAt,
      };
      this.sql(
        `INSERT INTO transfers (id, idempotency_key, initiated_by, from_account, to_account, amount_minor,
           currency, memo, created_at, request_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        transfer.id,
        request.idempotencyKey,
        request.initiatedBy,
        request.fromAccountId,
        request.toAccountId,
        request.amountMinor,
        request.currency,
        request.memo,
        createdAt,
        requestHash(request),
      );
      const insertEntry = this.sql(
        'INSERT INTO entries (transfer_id, account_id, amount_minor, currency, created_at) VALUES (?, ?, ?, ?, ?)',
      );
      insertEntry.run(transfer.id, request.fromAccountId, -request.amountMinor, request.currency, createdAt);
      insertEntry.run(transfer.id, request.toAccountId, request.amountMinor, request.currency, createdAt);
      const move = this.sql('UPDATE accounts SET balance_minor = balance_minor + ? WHERE id = ?');
      move.run(-request.amountMinor, request.fromAccountId);
      move.run(request.amountMinor, request.toAccountId);
      return { transfer, replayed: false, sourceBalanceMinor: from.balanceMinor - request.amountMinor };
    });
  }

  async statement(accountId: string, limit: number, cursor: string | null): Promise<StatementPage> {
    const rows =
      cursor === null
        ? this.all(`${STATEMENT_SELECT} ORDER BY e.created_at DESC, e.id DESC LIMIT ?`, accountId, limit + 1)
        : (() => {
            const after = decodeCursor(cursor, accountId);
            return this.all(
              `${STATEMENT_SELECT} AND (e.created_at, e.id) < (?, ?) ORDER BY e.created_at DESC, e.id DESC LIMIT ?`,
              accountId,
              after.createdAt,
              BigInt(after.entryId),
              limit + 1,
            );
          })();
    const lines = rows.slice(0, limit).map(toLine);
    const last = lines.at(-1);
    const more = rows.length > limit && last !== undefined;
    return {
      lines,
      nextCursor: more ? encodeCursor({ accountId, createdAt: last.createdAt, entryId: last.entryId }) : null,
    };
  }

  async reconcile(): Promise<ReconcileReport> {
    // One read transaction, so the checks see one consistent state.
    // One read transaction, so the checks see one consistent state. Synchronous throughout: no
    // other call can start a transaction on this connection in between.
    this.db.exec('BEGIN');
    try {
      return reconcileReport((query) => this.all(RECONCILE_QUERIES[query]));
    } finally {
      this.db.exec('COMMIT');
    }
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}
