/**
 * Small helpers shared by the wallet suites: callers, a quiet server on a ledger, test-account
 * setup, a concurrency pool, a seeded PRNG, and reading a tool result the same way whether it
 * came from the kit test client or through the gateway.
 */
import type { Caller } from '@gatehouse/kit';
import { createLogger, type DomainServer, TOOL_ERROR_META_KEY } from '@gatehouse/kit';
import type { Ledger } from '../../src/ledger/types.ts';
import type { Currency } from '../../src/money.ts';
import { createWalletServer } from '../../src/server.ts';

export function caller(user: string, roles: string[] = []): Caller {
  return { id: `test:${user}`, user, org: 'northwind', roles };
}

export function quietServer(ledger: Ledger): DomainServer {
  return createWalletServer(ledger, createLogger('wallet-test', 'silent'));
}

/** Creates `count` user accounts for `owner` plus a treasury, and funds each from the treasury. */
export async function fundedAccounts(
  ledger: Ledger,
  options: { owner: string; prefix: string; count: number; currency?: Currency; openingMinor: bigint },
): Promise<string[]> {
  const currency = options.currency ?? 'EUR';
  const treasury = `${options.prefix}_treasury`;
  await ledger.ensureAccount({ id: treasury, owner: 'treasury', currency, kind: 'system' });
  const ids: string[] = [];
  for (let i = 0; i < options.count; i++) {
    const id = `${options.prefix}_${i}`;
    await ledger.ensureAccount({ id, owner: options.owner, currency, kind: 'user' });
    await ledger.transfer({
      fromAccountId: treasury,
      toAccountId: id,
      amountMinor: options.openingMinor,
      currency,
      memo: 'opening',
      idempotencyKey: `opening:${id}`,
      initiatedBy: 'test:setup',
    });
    ids.push(id);
  }
  return ids;
}

export interface CallOutcome {
  isError: boolean;
  errorCode: string | undefined;
  structured: Record<string, unknown> | undefined;
  text: string;
  details: Record<string, unknown> | undefined;
}

/** Reads a raw `tools/call` result (kit client or gateway). */
export function outcomeOf(result: Record<string, unknown>): CallOutcome {
  const meta = (result._meta ?? {}) as Record<string, { code?: string; details?: Record<string, unknown> }>;
  const content = (result.content ?? []) as { text?: string }[];
  return {
    isError: result.isError === true,
    errorCode: meta[TOOL_ERROR_META_KEY]?.code,
    details: meta[TOOL_ERROR_META_KEY]?.details,
    structured: result.structuredContent as Record<string, unknown> | undefined,
    text: content.map((c) => c.text ?? '').join(''),
  };
}

/** Runs `work` over `items` with at most `concurrency` in flight. */
export async function inParallel<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  async function lane(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return results;
}

/** A small deterministic PRNG (mulberry32), so a failing run can be replayed. */
export function prng(seed: number): { next(): number; int(min: number, max: number): number } {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (min, max) => min + Math.floor(next() * (max - min + 1)) };
}

/** "12.50" → 1250n (the suites' own parser, independent of the server's). */
export function cents(decimal: string): bigint {
  const [whole = '0', fraction = ''] = decimal.replace('-', '').split('.');
  const value = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0') || '0');
  return decimal.startsWith('-') ? -value : value;
}
