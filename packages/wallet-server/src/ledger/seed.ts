/**
 * Demo data: one EUR and one USD account for each demo principal (sales, support, finance, sre,
 * admin), a system treasury account per currency, and a funding transfer from the treasury into
 * each user account. Seeding goes through the ledger's own idempotent operations (accounts are
 * created only when missing, funding transfers carry fixed idempotency keys), so running it on
 * every start changes nothing after the first.
 */
import type { Currency } from '../money.ts';
import type { Ledger } from './types.ts';

export const DEMO_OWNERS = ['sales', 'support', 'finance', 'sre', 'admin'] as const;
export const SEED_CURRENCIES: readonly Currency[] = ['EUR', 'USD'];
export const SEED_INITIATOR = 'system:seed';
export const TREASURY_OWNER = 'treasury';

/** What each demo user account starts with, in minor units. */
export const OPENING_BALANCE_MINOR: Record<string, bigint> = { EUR: 250_000n, USD: 150_000n };

export function userAccountId(owner: string, currency: Currency): string {
  return `acc_${owner}_${currency.toLowerCase()}`;
}

export function treasuryAccountId(currency: Currency): string {
  return `acc_treasury_${currency.toLowerCase()}`;
}

export async function seedDemo(ledger: Ledger): Promise<void> {
  for (const currency of SEED_CURRENCIES) {
    const treasury = treasuryAccountId(currency);
    await ledger.ensureAccount({ id: treasury, owner: TREASURY_OWNER, currency, kind: 'system' });
    for (const owner of DEMO_OWNERS) {
      const id = userAccountId(owner, currency);
      await ledger.ensureAccount({ id, owner, currency, kind: 'user' });
      await ledger.transfer({
        fromAccountId: treasury,
        toAccountId: id,
        amountMinor: OPENING_BALANCE_MINOR[currency] ?? 100_000n,
        currency,
        memo: 'Opening balance',
        idempotencyKey: `seed:opening:${id}`,
        initiatedBy: SEED_INITIATOR,
      });
    }
  }
}
