/**
 * The books check behind the `reconcile` health check, written once in SQL both SQLite and
 * PostgreSQL accept: every transfer has exactly two entries summing to zero, every cached balance
 * equals the sum of its account's entries, no user account is negative, and every entry is in its
 * account's currency.
 */
import type { ReconcileReport } from './types.ts';

type Row = Record<string, unknown>;

export const RECONCILE_QUERIES = {
  counts: `SELECT (SELECT COUNT(*) FROM accounts) AS accounts, (SELECT COUNT(*) FROM transfers) AS transfers,
                  (SELECT COUNT(*) FROM entries) AS entries`,
  unbalancedTransfers: `SELECT t.id, COUNT(e.id) AS n, COALESCE(SUM(e.amount_minor), 0) AS total
                        FROM transfers t LEFT JOIN entries e ON e.transfer_id = t.id
                        GROUP BY t.id HAVING COUNT(e.id) <> 2 OR COALESCE(SUM(e.amount_minor), 0) <> 0 LIMIT 20`,
  staleBalances: `SELECT a.id, a.balance_minor AS cached, COALESCE(SUM(e.amount_minor), 0) AS derived
                  FROM accounts a LEFT JOIN entries e ON e.account_id = a.id
                  GROUP BY a.id, a.balance_minor HAVING a.balance_minor <> COALESCE(SUM(e.amount_minor), 0) LIMIT 20`,
  negativeUserBalances: `SELECT id, balance_minor FROM accounts WHERE kind = 'user' AND balance_minor < 0 LIMIT 20`,
  foreignCurrencyEntries: `SELECT e.id, e.account_id FROM entries e JOIN accounts a ON a.id = e.account_id
                           WHERE e.currency <> a.currency LIMIT 20`,
} as const;

export type ReconcileQuery = keyof typeof RECONCILE_QUERIES;

/** Builds the report from each query's rows (`rows` runs one query; sync or already fetched). */
export function reconcileReport(rows: (query: ReconcileQuery) => Row[]): ReconcileReport {
  const [counts] = rows('counts');
  const problems: string[] = [];
  for (const row of rows('unbalancedTransfers')) {
    problems.push(`transfer ${row.id} has ${row.n} entries summing to ${row.total} (want 2 summing to 0)`);
  }
  for (const row of rows('staleBalances')) {
    problems.push(`account ${row.id} caches balance ${row.cached} but its entries sum to ${row.derived}`);
  }
  for (const row of rows('negativeUserBalances')) {
    problems.push(`user account ${row.id} is negative (${row.balance_minor})`);
  }
  for (const row of rows('foreignCurrencyEntries')) {
    problems.push(`entry ${row.id} on ${row.account_id} is not in the account's currency`);
  }
  return {
    ok: problems.length === 0,
    accounts: Number(counts?.accounts ?? 0),
    transfers: Number(counts?.transfers ?? 0),
    entries: Number(counts?.entries ?? 0),
    problems,
  };
}

/** Fetches every query's rows first through an async `query`, then builds the report. */
export async function reconcileAsync(query: (sql: string) => Promise<Row[]>): Promise<ReconcileReport> {
  const fetched = new Map<ReconcileQuery, Row[]>();
  for (const name of Object.keys(RECONCILE_QUERIES) as ReconcileQuery[]) {
    fetched.set(name, await query(RECONCILE_QUERIES[name]));
  }
  return reconcileReport((name) => fetched.get(name) ?? []);
}
