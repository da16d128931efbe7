/**
 * The ledger under concurrency, through the kit test client: a storm of transfers with retried
 * (and self-concurrent) idempotency keys, two ledgers on one store racing the same keys, and
 * cursor pagination that stays exact while transfers are being inserted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ToolOutcome, testClient } from '@gatehouse/kit/testing';
import type { StatementLine } from '../../src/ledger/types.ts';
import type { Backend, OpenedStore } from '../helpers/backends.ts';
import { planLoad, runLoad, verifyLoad } from '../helpers/load.ts';
import { caller, fundedAccounts, inParallel, outcomeOf, quietServer } from '../helpers/wallet.ts';

/** Strictly descending by (createdAt, entry id): the order the keyset cursor relies on. */
function assertNewestFirst(lines: StatementLine[]): void {
  for (let i = 1; i < lines.length; i++) {
    const [a, b] = [lines[i - 1] as StatementLine, lines[i] as StatementLine];
    const newer =
      a.createdAt > b.createdAt || (a.createdAt === b.createdAt && BigInt(a.entryId) > BigInt(b.entryId));
    assert.ok(newer, `${a.entryId} should come before ${b.entryId}`);
  }
}

export function concurrencySuite(backend: () => Backend): void {
  describe('wallet under concurrency', () => {
    let store: OpenedStore;

    before(async () => {
      store = await backend().open();
    });
    after(async () => {
      await store?.ledger.close();
    });

    it('200 transfers across 10 accounts at concurrency 16, each sent 2–3 times: every key runs once', async () => {
      const accounts = await fundedAccounts(store.ledger, {
        owner: 'loader',
        prefix: 'acc_storm',
        count: 10,
        openingMinor: 10_000n,
      });
      const server = quietServer(store.ledger);
      const client = await testClient(server, { caller: caller('loader') });
      try {
        const plan = planLoad({
          accounts,
          openingMinor: 10_000n,
          transfers: 200,
          seed: 2026,
          keyPrefix: 'storm',
        });
        const outcomes = await runLoad(plan, 16, async (args) =>
          outcomeOf((await client.call('transfer', args)).raw),
        );
        const summary = await verifyLoad(store.ledger, plan, outcomes, 'loader');
        assert.ok(summary.executed >= 50, `only ${summary.executed} transfers went through`);
        const health = await client.call('health');
        assert.equal(health.structured?.status, 'ok', health.text);
      } finally {
        await client.close();
      }
    });

    it('two ledgers on one store racing the same keys still execute each key once', async () => {
      const accounts = await fundedAccounts(store.ledger, {
        owner: 'racer',
        prefix: 'acc_race',
        count: 4,
        openingMinor: 5_000n,
      });
      const second = await store.reopen();
      const servers = [quietServer(store.ledger), quietServer(second)];
      const clients = await Promise.all(servers.map((s) => testClient(s, { caller: caller('racer') })));
      try {
        const plan = planLoad({ accounts, openingMinor: 5_000n, transfers: 60, seed: 99, keyPrefix: 'race' });
        let turn = 0;
        const outcomes = await runLoad(plan, 8, async (args) => {
          const client = clients[turn++ % 2] as (typeof clients)[0];
          return outcomeOf((await client.call('transfer', args)).raw);
        });
        await verifyLoad(store.ledger, plan, outcomes, 'racer');
      } finally {
        for (const client of clients) await client.close();
        await second.close();
      }
    });

    it('paginates every transaction exactly once while transfers are being inserted', async () => {
      const [source, sink] = await fundedAccounts(store.ledger, {
        owner: 'pager',
        prefix: 'acc_page',
        count: 2,
        openingMinor: 1_000_000n,
      });
      assert.ok(source && sink);
      let sequence = 0;
      const insert = () =>
        store.ledger.transfer({
          fromAccountId: source,
          toAccountId: sink,
          amountMinor: 100n,
          currency: 'EUR',
          memo: null,
          idempotencyKey: `page-${sequence++}`,
          initiatedBy: 'pager',
        });
      await inParallel(Array.from({ length: 57 }), 8, insert);
      const existing = new Set<string>();
      for (let page = await store.ledger.statement(source, 100, null); ; ) {
        for (const line of page.lines) existing.add(line.transferId);
        if (page.nextCursor === null) break;
        page = await store.ledger.statement(source, 100, page.nextCursor);
      }
      assert.equal(existing.size, 58, '57 transfers and the opening credit');

      const client = await testClient(quietServer(store.ledger), { caller: caller('pager') });
      try {
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          // Each page is fetched while three more transfers are being written.
          const pending: Promise<ToolOutcome> = client.call('list_transactions', {
            accountId: source,
            limit: 7,
            ...(cursor ? { cursor } : {}),
          });
          await Promise.all([insert(), insert(), insert()]);
          const out = await pending;
          assert.equal(out.isError, false, out.text);
          seen.push(
            ...((out.structured?.transactions ?? []) as { transferId: string }[]).map((t) => t.transferId),
          );
          cursor = out.structured?.nextCursor as string | null;
          pages++;
        } while (cursor !== null);
        assert.ok(pages >= 9, `paged ${pages} times`);
        assert.equal(new Set(seen).size, seen.length, 'no transaction twice');
        for (const id of existing) assert.ok(seen.includes(id), `${id} was skipped`);
        const all = await store.ledger.statement(source, 1000, null);
        assert.equal(all.lines.length, 58 + pages * 3);
        const known = new Set(all.lines.map((l) => l.transferId));
        for (const id of seen) assert.ok(known.has(id), `${id} is not a transaction of ${source}`);
        assertNewestFirst(all.lines);
      } finally {
        await client.close();
      }
    });
  });
}
