/**
 * The ledger's contract: what a wallet store keeps and the operations the tools need. Two
 * implementations honour it (sqlite-ledger.ts, pg-ledger.ts) and one test suite runs against
 * both. Amounts are bigint minor units; an account's balance is the sum of its entries (the
 * stored `balanceMinor` is a cache updated in the same transaction, checked by `reconcile`).
 */
import type { HealthCheck } from '@gatehouse/kit';
import type { Currency } from '../money.ts';

export type AccountKind = 'user' | 'system';

export interface NewAccount {
  id: string;
  owner: string;
  currency: Currency;
  kind: AccountKind;
}

export interface Account extends NewAccount {
  createdAt: string;
  balanceMinor: bigint;
}

/** One transfer as asked for; `initiatedBy` scopes the idempotency key (one namespace per user). */
export interface TransferRequest {
  fromAccountId: string;
  toAccountId: string;
  amountMinor: bigint;
  currency: Currency;
  memo: string | null;
  idempotencyKey: string;
  initiatedBy: string;
}

export interface TransferRecord {
  id: string;
  fromAccountId: string;
  toAccountId: string;
  amountMinor: bigint;
  currency: Currency;
  memo: string | null;
  idempotencyKey: string;
  initiatedBy: string;
  createdAt: string;
}

export interface TransferResult {
  transfer: TransferRecord;
  /** True when the key had already been used with these parameters: nothing moved this time. */
  replayed: boolean;
  /** The source account's balance after the call. */
  sourceBalanceMinor: bigint;
}

/** One entry of an account's statement: its side of one transfer. */
export interface StatementLine {
  entryId: string;
  transferId: string;
  /** Signed: positive credits the account, negative debits it. */
  amountMinor: bigint;
  counterpartyAccountId: string;
  memo: string | null;
  initiatedBy: string;
  createdAt: string;
}

export interface StatementPage {
  lines: StatementLine[];
  /** Opaque; pass it back for the next (older) page. Null on the last page. */
  nextCursor: string | null;
}

export interface ReconcileReport {
  ok: boolean;
  accounts: number;
  transfers: number;
  entries: number;
  /** Human-readable findings; empty when the books balance. */
  problems: string[];
}

export interface Ledger {
  readonly backend: 'sqlite' | 'postgres';
  /** Applies missing schema migrations; safe to run on every start and from several processes. */
  migrate(): Promise<void>;
  /** Creates the account unless it exists (an existing one is returned unchanged). */
  ensureAccount(account: NewAccount): Promise<Account>;
  getAccount(id: string): Promise<Account | null>;
  accountsOwnedBy(owner: string): Promise<Account[]>;
  allAccounts(): Promise<Account[]>;
  /**
   * Moves money atomically: two entries summing to zero, cached balances updated, the key
   * recorded. Throws ToolError unknown_account / currency_mismatch / insufficient_funds /
   * idempotency_conflict. A key reused with the same parameters returns the original transfer.
   */
  transfer(request: TransferRequest): Promise<TransferResult>;
  findTransfer(initiatedBy: string, idempotencyKey: string): Promise<TransferRecord | null>;
  /** An account's entries, newest first, keyset-paginated on (created_at, entry id). */
  statement(accountId: string, limit: number, cursor: string | null): Promise<StatementPage>;
  reconcile(): Promise<ReconcileReport>;
  /** Reachability of the database, for the health tool. */
  readonly ping: HealthCheck;
  close(): Promise<void>;
}
