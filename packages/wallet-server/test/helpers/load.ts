/**
 * A transfer storm and the proof that the books survived it. `planLoad` draws transfers between
 * a set of accounts (some too large to ever succeed); `runLoad` sends each one 2–3 times with
 * the same idempotency key — some copies one after another, some fired at the same moment —
 * at a fixed concurrency, through whatever `call` reaches the wallet (kit client or gateway);
 * `verifyLoad` checks every outcome against the ledger: each key executed at most once and
 * exactly once if any copy succeeded, balances equal to replaying the executed transfers, money
 * conserved, no negative balance, and the reconcile check clean.
 */
import assert from 'node:assert/strict';
import type { Ledger } from '../../src/ledger/types.ts';
import { type CallOutcome, cents, inParallel, prng } from './wallet.ts';

export interface PlannedTransfer {
  key: string;
  from: string;
  to: string;
  amount: string;
  sends: number;
  /** All copies fired concurrently with each other. */
  burst: boolean;
  /** Larger than all the money there is: must fail every time. */
  mustFail: boolean;
}

export interface LoadPlan {
  accounts: string[];
  openingMinor: bigint;
  transfers: PlannedTransfer[];
}

export function planLoad(options: {
  accounts: string[];
  openingMinor: bigint;
  transfers: number;
  seed: number;
  keyPrefix: string;
}): LoadPlan {
  const random = prng(options.seed);
  const total = options.openingMinor * BigInt(options.accounts.length);
  const transfers: PlannedTransfer[] = [];
  for (let i = 0; i < options.transfers; i++) {
    const fromIndex = random.int(0, options.accounts.length - 1);
    const toIndex = (fromIndex + random.int(1, options.accounts.length - 1)) % options.accounts.length;
    const mustFail = i % 17 === 5;
    const minor = mustFail ? total + 1n : BigInt(random.int(1, Number(options.openingMinor) * 0.6));
    transfers.push({
      key: `${options.keyPrefix}-${i}-${random.int(0, 1e9).toString(36)}`,
      from: options.accounts[fromIndex] as string,
      to: options.accounts[toIndex] as string,
      amount: `${minor / 100n}.${(minor % 100n).toString().padStart(2, '0')}`,
      sends: random.int(2, 3),
      burst: i % 4 === 1,
      mustFail,
    });
  }
  return { accounts: options.accounts, openingMinor: options.openingMinor, transfers };
}

export type Outcomes = Map<string, CallOutcome[]>;

export async function runLoad(
  plan: LoadPlan,
  concurrency: number,
  call: (args: Record<string, unknown>) => Promise<CallOutcome>,
  seed = 7,
): Promise<Outcomes> {
  const random = prng(seed);
  const items: { transfer: PlannedTransfer; copies: number }[] = [];
  for (const transfer of plan.transfers) {
    if (transfer.burst) items.push({ transfer, copies: transfer.sends });
    else for (let i = 0; i < transfer.sends; i++) items.push({ transfer, copies: 1 });
  }
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [items[i], items[j]] = [items[j] as (typeof items)[0], items[i] as (typeof items)[0]];
  }
  const outcomes: Outcomes = new Map(plan.transfers.map((t) => [t.key, []]));
  await inParallel(items, concurrency, async ({ transfer, copies }) => {
    const args = {
      fromAccountId: transfer.from,
      toAccountId: transfer.to,
      amount: transfer.amount,
      currency: 'EUR',
      memo: `load ${transfer.key}`,
      idempotencyKey: transfer.key,
    };
    const results = await Promise.all(Array.from({ length: copies }, () => call(args)));
    outcomes.get(transfer.key)?.push(...results);
  });
  return outcomes;
}

export interface LoadSummary {
  executed: number;
  replays: number;
  insufficient: number;
}

export async function verifyLoad(
  ledger: Ledger,
  plan: LoadPlan,
  outcomes: Outcomes,
  initiator: string,
): Promise<LoadSummary> {
  const expected = new Map(plan.accounts.map((id) => [id, plan.openingMinor]));
  const summary: LoadSummary = { executed: 0, replays: 0, insufficient: 0 };
  for (const transfer of plan.transfers) {
    const results = outcomes.get(transfer.key) ?? [];
    assert.equal(results.length, transfer.sends, `every copy of ${transfer.key} answered`);
    for (const r of results) {
      if (r.isError) assert.equal(r.errorCode, 'insufficient_funds', `${transfer.key}: ${r.text}`);
    }
    const successes = results.filter((r) => !r.isError);
    summary.insufficient += results.length - successes.length;
    const ids = new Set(successes.map((r) => r.structured?.transferId));
    assert.ok(ids.size <= 1, `${transfer.key} produced ${ids.size} different transfers`);
    const fresh = successes.filter((r) => r.structured?.replayed === false).length;
    assert.equal(fresh, successes.length > 0 ? 1 : 0, `${transfer.key} moved money ${fresh} times`);
    summary.replays += successes.length - fresh;
    const stored = await ledger.findTransfer(initiator, transfer.key);
    if (transfer.mustFail) {
      assert.equal(successes.length, 0, `${transfer.key} (${transfer.amount}) cannot succeed`);
      for (const r of results) assert.equal(r.details?.requested, transfer.amount);
    }
    if (successes.length === 0) {
      assert.equal(stored, null, `${transfer.key} failed every time but is in the ledger`);
      continue;
    }
    assert.equal(
      stored?.id,
      [...ids][0],
      `${transfer.key}: the ledger holds the transfer the caller was told`,
    );
    summary.executed += 1;
    const minor = cents(transfer.amount);
    expected.set(transfer.from, (expected.get(transfer.from) ?? 0n) - minor);
    expected.set(transfer.to, (expected.get(transfer.to) ?? 0n) + minor);
  }
  let total = 0n;
  for (const id of plan.accounts) {
    const account = await ledger.getAccount(id);
    assert.ok(account, id);
    assert.equal(account.balanceMinor, expected.get(id), `${id}: balance equals the executed transfers`);
    assert.ok(account.balanceMinor >= 0n, `${id} is negative`);
    total += account.balanceMinor;
  }
  assert.equal(total, plan.openingMinor * BigInt(plan.accounts.length), 'money is conserved');
  const report = await ledger.reconcile();
  assert.deepEqual(report.problems, []);
  assert.ok(summary.executed > 0 && summary.replays > 0 && summary.insufficient > 0, JSON.stringify(summary));
  return summary;
}
