/**
 * The wallet's tools through the kit test client, on a seeded store: balances and who may see
 * them, every transfer error path, and idempotency (replay, conflict, failed attempts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Backend } from '../helpers/backends.ts';
import { seededWallet, type Who } from '../helpers/seeded.ts';
import { outcomeOf } from '../helpers/wallet.ts';

export function toolsSuite(backend: () => Backend): void {
  describe('wallet tools', () => {
    const w = seededWallet(backend);
    const balance = (id: string) => w.balance(id);
    const send = (who: Who, args: Record<string, unknown>) => w.send(who, args);

    it('lists transfer as destructive and idempotent, the reads as read-only', async () => {
      const { tools } = await w.as.sales.client.listTools();
      const byName = new Map(tools.map((t) => [t.name, t]));
      assert.deepEqual([...byName.keys()].sort(), ['get_balance', 'health', 'list_transactions', 'transfer']);
      assert.equal(byName.get('transfer')?.annotations?.destructiveHint, true);
      assert.equal(byName.get('transfer')?.annotations?.idempotentHint, true);
      assert.equal(byName.get('get_balance')?.annotations?.readOnlyHint, true);
      assert.equal(byName.get('list_transactions')?.annotations?.readOnlyHint, true);
    });

    it("shows the caller's own accounts by default", async () => {
      const out = await w.as.sales.call('get_balance');
      assert.equal(out.isError, false, out.text);
      assert.deepEqual(out.structured, {
        accounts: [
          { accountId: 'acc_sales_eur', owner: 'sales', currency: 'EUR', kind: 'user', balance: '2500.00' },
          { accountId: 'acc_sales_usd', owner: 'sales', currency: 'USD', kind: 'user', balance: '1500.00' },
        ],
      });
    });

    it("refuses another user's account, but finance and admin may read any", async () => {
      const denied = await w.as.support.call('get_balance', { accountId: 'acc_sales_eur' });
      assert.equal(denied.errorCode, 'not_account_owner');
      assert.match(denied.text, /acc_sales_eur belongs to someone else/);
      for (const who of ['finance', 'admin'] as const) {
        const out = await w.as[who].call('get_balance', { accountId: 'acc_treasury_eur' });
        assert.equal(out.isError, false, out.text);
        assert.equal(((out.structured?.accounts ?? []) as { kind: string }[])[0]?.kind, 'system');
      }
      assert.equal(
        (await w.as.sales.call('get_balance', { accountId: 'acc_nope' })).errorCode,
        'unknown_account',
      );
    });

    it('refuses every tool without a caller', async () => {
      for (const [name, args] of [
        ['get_balance', {}],
        ['list_transactions', { accountId: 'acc_sales_eur' }],
        [
          'transfer',
          {
            fromAccountId: 'acc_sales_eur',
            toAccountId: 'acc_support_eur',
            amount: '1',
            currency: 'EUR',
            idempotencyKey: 'anon-key-1',
          },
        ],
      ] as const) {
        const out = await w.as.anonymous.call(name, args);
        assert.equal(out.errorCode, 'unauthenticated', `${name}: ${out.text}`);
      }
    });

    it('moves money and shows it on both statements', async () => {
      const out = await send('sales', {
        fromAccountId: 'acc_sales_eur',
        toAccountId: 'acc_support_eur',
        amount: '12.5',
        memo: 'team lunch',
      });
      assert.equal(out.isError, false, out.text);
      assert.equal(out.structured?.amount, '12.50');
      assert.equal(out.structured?.sourceBalance, '2487.50');
      assert.equal(out.structured?.replayed, false);
      assert.equal(await balance('acc_support_eur'), '2512.50');
      const history = await w.as.support.call('list_transactions', {
        accountId: 'acc_support_eur',
        limit: 1,
      });
      const [line] = (history.structured?.transactions ?? []) as Record<string, unknown>[];
      assert.deepEqual(
        { ...line, createdAt: undefined },
        {
          transferId: out.structured?.transferId,
          direction: 'credit',
          amount: '12.50',
          counterpartyAccountId: 'acc_sales_eur',
          memo: 'team lunch',
          initiatedBy: 'sales',
          createdAt: undefined,
        },
      );
    });

    it('rejects malformed and imprecise amounts with invalid_amount, moving nothing', async () => {
      const before = await balance('acc_sales_eur');
      const cases: [string, string, RegExp][] = [
        ['0', 'EUR', /greater than zero/],
        ['0.00', 'EUR', /greater than zero/],
        ['-5', 'EUR', /positive/],
        ['abc', 'EUR', /not a decimal amount/],
        ['12,50', 'EUR', /not a decimal amount/],
        ['1e3', 'EUR', /not a decimal amount/],
        ['1.234', 'EUR', /EUR has 2 decimals/],
        ['1.5', 'JPY', /JPY has no minor unit/],
        ['10000000000000.01', 'EUR', /exceeds the limit/],
      ];
      for (const [amount, currency, reason] of cases) {
        const out = await send('sales', {
          fromAccountId: 'acc_sales_eur',
          toAccountId: 'acc_support_eur',
          amount,
          currency,
        });
        assert.equal(out.errorCode, 'invalid_amount', `${amount} ${currency}: ${out.text}`);
        assert.match(out.text, reason);
      }
      assert.equal(await balance('acc_sales_eur'), before);
    });

    it('refuses schema violations (unknown currency, short key, missing key, huge limit)', async () => {
      const base = { fromAccountId: 'acc_sales_eur', toAccountId: 'acc_support_eur', amount: '1.00' };
      const bad = [
        { ...base, currency: 'BTC', idempotencyKey: 'abcdefgh1' },
        { ...base, currency: 'EUR', idempotencyKey: 'short' },
        { ...base, currency: 'EUR' },
        { ...base, currency: 'EUR', idempotencyKey: 'has spaces in it' },
      ];
      for (const args of bad) {
        const refused = await w.as.sales
          .call('transfer', args)
          .then((r) => r.isError && r.errorCode === undefined)
          .catch(() => true);
        assert.equal(refused, true, JSON.stringify(args));
      }
      const page = await w.as.sales
        .call('list_transactions', { accountId: 'acc_sales_eur', limit: 101 })
        .then((r) => r.isError)
        .catch(() => true);
      assert.equal(page, true);
    });

    it('names unknown accounts, foreign accounts, currency mismatches and self-transfers', async () => {
      const cases: [Who, Record<string, unknown>, string, RegExp][] = [
        [
          'sales',
          { fromAccountId: 'acc_ghost', toAccountId: 'acc_support_eur', amount: '1' },
          'unknown_account',
          /acc_ghost/,
        ],
        [
          'sales',
          { fromAccountId: 'acc_sales_eur', toAccountId: 'acc_ghost', amount: '1' },
          'unknown_account',
          /acc_ghost/,
        ],
        [
          'sales',
          { fromAccountId: 'acc_support_eur', toAccountId: 'acc_sales_eur', amount: '1' },
          'not_account_owner',
          /your own accounts/,
        ],
        [
          'finance',
          { fromAccountId: 'acc_sales_eur', toAccountId: 'acc_finance_eur', amount: '1' },
          'not_account_owner',
          /your own accounts/,
        ],
        [
          'sales',
          { fromAccountId: 'acc_treasury_eur', toAccountId: 'acc_sales_eur', amount: '1' },
          'not_account_owner',
          /system account/,
        ],
        [
          'sales',
          { fromAccountId: 'acc_sales_eur', toAccountId: 'acc_support_usd', amount: '1' },
          'currency_mismatch',
          /acc_support_usd holds USD/,
        ],
        [
          'sales',
          { fromAccountId: 'acc_sales_usd', toAccountId: 'acc_support_usd', amount: '1' },
          'currency_mismatch',
          /acc_sales_usd holds USD/,
        ],
        [
          'sales',
          { fromAccountId: 'acc_sales_eur', toAccountId: 'acc_sales_eur', amount: '1' },
          'same_account',
          /same account/,
        ],
      ];
      for (const [who, args, code, message] of cases) {
        const out = await send(who, args);
        assert.equal(out.errorCode, code, `${JSON.stringify(args)}: ${out.text}`);
        assert.match(out.text, message);
      }
    });

    it('lets finance pay out of the treasury (a system account may go negative)', async () => {
      const out = await send('finance', {
        fromAccountId: 'acc_treasury_eur',
        toAccountId: 'acc_sre_eur',
        amount: '100.00',
      });
      assert.equal(out.isError, false, out.text);
      assert.equal(await balance('acc_treasury_eur'), '-12600.00');
    });

    it('refuses an overdraft with the balance and the requested amount', async () => {
      const current = await balance('acc_support_usd');
      const out = await send('support', {
        fromAccountId: 'acc_support_usd',
        toAccountId: 'acc_sales_usd',
        amount: '1500.01',
        currency: 'USD',
      });
      assert.equal(out.errorCode, 'insufficient_funds');
      assert.match(out.text, /balance 1500\.00 USD, requested 1500\.01 USD/);
      assert.deepEqual(outcomeOf(out.raw).details, {
        accountId: 'acc_support_usd',
        balance: '1500.00',
        requested: '1500.01',
        currency: 'USD',
      });
      assert.equal(await balance('acc_support_usd'), current);
    });

    it('replays a repeated key without moving money again, and refuses the key for other parameters', async () => {
      const args = {
        fromAccountId: 'acc_admin_usd',
        toAccountId: 'acc_sre_usd',
        amount: '20.00',
        currency: 'USD',
        memo: 'on-call pizza',
        idempotencyKey: 'pizza-2026-01-17',
      };
      const first = await w.as.admin.call('transfer', args);
      const second = await w.as.admin.call('transfer', args);
      assert.equal(first.isError, false, first.text);
      assert.equal(second.structured?.transferId, first.structured?.transferId);
      assert.equal(second.structured?.replayed, true);
      assert.equal(await balance('acc_admin_usd'), '1480.00');
      for (const changed of [{ amount: '21.00' }, { memo: 'other' }, { toAccountId: 'acc_sales_usd' }]) {
        const out = await w.as.admin.call('transfer', { ...args, ...changed });
        assert.equal(out.errorCode, 'idempotency_conflict', out.text);
        assert.match(out.text, /already used for a different transfer .*Nothing was moved/);
      }
      assert.equal(await balance('acc_admin_usd'), '1480.00');
      assert.equal(await balance('acc_sales_usd'), '1500.00');
      // Keys are per user: the same key from someone else is a new transfer.
      const other = await w.as.sales.call('transfer', {
        ...args,
        fromAccountId: 'acc_sales_usd',
        toAccountId: 'acc_sre_usd',
      });
      assert.equal(other.isError, false, other.text);
      assert.notEqual(other.structured?.transferId, first.structured?.transferId);
    });

    it('does not spend a key on a failed attempt: the same key succeeds once funds arrive', async () => {
      const args = {
        fromAccountId: 'acc_sre_usd',
        toAccountId: 'acc_support_usd',
        amount: '1600.00',
        currency: 'USD',
        idempotencyKey: 'retry-after-topup',
      };
      const sre = w.as.sre;
      assert.equal((await sre.call('transfer', args)).errorCode, 'insufficient_funds');
      await send('finance', {
        fromAccountId: 'acc_treasury_usd',
        toAccountId: 'acc_sre_usd',
        amount: '100.00',
        currency: 'USD',
      });
      const ok = await sre.call('transfer', args);
      assert.equal(ok.isError, false, ok.text);
      assert.equal((await sre.call('transfer', args)).structured?.replayed, true);
    });
  });
}
