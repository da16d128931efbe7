/**
 * The wallet's records through the kit test client, on a seeded store: history pages and cursor
 * errors, the account statement resource and who may read it, the health tool's reconcile check
 * (including catching a tampered balance), and idempotent seeding.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PRINCIPAL_META_KEY } from '@gatehouse/kit';
import { seedDemo } from '../../src/ledger/seed.ts';
import type { Backend } from '../helpers/backends.ts';
import { seededWallet, type Who } from '../helpers/seeded.ts';
import { caller } from '../helpers/wallet.ts';

export function recordsSuite(backend: () => Backend): void {
  describe('wallet records', () => {
    const w = seededWallet(backend);
    const balance = (id: string) => w.balance(id);
    const send = (who: Who, args: Record<string, unknown>) => w.send(who, args);

    it('pages history newest first and rejects foreign or forged cursors', async () => {
      for (let i = 1; i <= 5; i++) {
        await send('support', {
          fromAccountId: 'acc_support_eur',
          toAccountId: 'acc_sales_eur',
          amount: `${i}.00`,
          memo: `#${i}`,
        });
      }
      const memos: (string | null)[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const out = await w.as.support.call('list_transactions', {
          accountId: 'acc_support_eur',
          limit: 2,
          ...(cursor ? { cursor } : {}),
        });
        assert.equal(out.isError, false, out.text);
        memos.push(...((out.structured?.transactions ?? []) as { memo: string | null }[]).map((t) => t.memo));
        cursor = (out.structured?.nextCursor as string | null) ?? undefined;
        pages++;
      } while (cursor !== undefined);
      assert.deepEqual(memos.slice(0, 5), ['#5', '#4', '#3', '#2', '#1']);
      assert.equal(memos.at(-1), 'Opening balance');
      assert.equal(pages, Math.ceil(memos.length / 2));
      const first = await w.as.sales.call('list_transactions', { accountId: 'acc_sales_eur', limit: 1 });
      const foreign = first.structured?.nextCursor as string;
      const misuse = await w.as.support.call('list_transactions', {
        accountId: 'acc_support_eur',
        cursor: foreign,
      });
      assert.equal(misuse.errorCode, 'invalid_cursor');
      for (const forged of [
        'garbage',
        Buffer.from('["v1","acc_support_eur","nope","1"]').toString('base64url'),
      ]) {
        const out = await w.as.support.call('list_transactions', {
          accountId: 'acc_support_eur',
          cursor: forged,
        });
        assert.equal(out.errorCode, 'invalid_cursor', out.text);
      }
      const other = await w.as.support.call('list_transactions', { accountId: 'acc_sales_eur' });
      assert.equal(other.errorCode, 'not_account_owner');
    });

    it('serves account statements as resources, only to those who may see them', async () => {
      const { resourceTemplates } = await w.as.sales.client.listResourceTemplates();
      assert.deepEqual(
        resourceTemplates.map((t) => t.uriTemplate),
        ['wallet://accounts/{accountId}'],
      );
      const meta = (user: string, roles: string[] = []) => ({ [PRINCIPAL_META_KEY]: caller(user, roles) });
      const mine = await w.as.sales.client.listResources({ _meta: meta('sales') });
      assert.deepEqual(mine.resources.map((r) => r.uri).sort(), [
        'wallet://accounts/acc_sales_eur',
        'wallet://accounts/acc_sales_usd',
      ]);
      const everything = await w.as.finance.client.listResources({ _meta: meta('finance', ['finance']) });
      assert.deepEqual((await w.as.anonymous.client.listResources()).resources, []);
      assert.equal(everything.resources.length, 12);
      const read = await w.as.sales.client.readResource({
        uri: 'wallet://accounts/acc_sales_eur',
        _meta: meta('sales'),
      });
      const statement = JSON.parse(String((read.contents[0] as { text: string }).text));
      assert.equal(statement.account.accountId, 'acc_sales_eur');
      assert.equal(statement.account.balance, await balance('acc_sales_eur'));
      assert.ok(statement.transactions.length >= 1);
      await assert.rejects(
        w.as.sales.client.readResource({ uri: 'wallet://accounts/acc_support_eur', _meta: meta('sales') }),
        /belongs to someone else/,
      );
      await assert.rejects(
        w.as.sales.client.readResource({ uri: 'wallet://accounts/acc_ghost', _meta: meta('sales') }),
        /No account "acc_ghost"/,
      );
      await assert.rejects(
        w.as.sales.client.readResource({ uri: 'wallet://accounts/acc_sales_eur' }),
        /needs to know who is calling/,
      );
    });

    it('reports the books reconciled in health, and catches a tampered balance', async () => {
      const healthy = await w.as.sales.call('health');
      assert.equal(healthy.structured?.status, 'ok', healthy.text);
      const checks = (healthy.structured?.checks ?? []) as { name: string; ok: boolean; detail?: string }[];
      assert.deepEqual(
        checks.map((c) => [c.name, c.ok]),
        [
          ['database', true],
          ['reconcile', true],
        ],
      );
      assert.match(checks[1]?.detail ?? '', /transfers, \d+ entries, 12 accounts balanced/);
      await w.store.raw("UPDATE accounts SET balance_minor = balance_minor + 1 WHERE id = 'acc_sre_eur'");
      const broken = await w.as.sales.call('health');
      assert.equal(broken.structured?.status, 'degraded');
      const failing = (
        (broken.structured?.checks ?? []) as { name: string; ok: boolean; detail?: string }[]
      )[1];
      assert.match(failing?.detail ?? '', /acc_sre_eur caches balance \d+ but its entries sum to \d+/);
      await w.store.raw("UPDATE accounts SET balance_minor = balance_minor - 1 WHERE id = 'acc_sre_eur'");
      assert.equal((await w.as.sales.call('health')).structured?.status, 'ok');
    });

    it('seeds idempotently: migrating and seeding again changes nothing', async () => {
      const before = await w.store.ledger.reconcile();
      const again = await w.store.reopen();
      try {
        await again.migrate();
        await seedDemo(again);
        await seedDemo(again);
        assert.deepEqual(await again.reconcile(), before);
      } finally {
        await again.close();
      }
    });
  });
}
