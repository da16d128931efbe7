/**
 * The wallet as its own process: spawned over HTTP (racing an in-process ledger on the same
 * store, so two processes contend for the same rows and keys), and behind Gatehouse as a stdio
 * upstream with the caller forwarded in `_meta` — a transfer storm through the gateway, and an
 * approval rule that holds transfers of 1000 or more for a finance approver (the README's
 * snippet).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { httpClient, spawnServerProcess, testClient } from '@gatehouse/kit/testing';
import type { Client } from '@modelcontextprotocol/client';
import { SqliteApiKeys } from '../../../gateway/src/auth/api-keys-sqlite.ts';
import {
  connectClient,
  startGateway,
  stdioUpstreamYaml,
  type TestGateway,
  tempStorage,
} from '../../../gateway/test/helpers/harness.ts';
import type { Backend, OpenedStore } from '../helpers/backends.ts';
import { planLoad, runLoad, verifyLoad } from '../helpers/load.ts';
import { caller, fundedAccounts, outcomeOf, quietServer } from '../helpers/wallet.ts';

const MAIN = 'packages/wallet-server/src/main.ts';

const GATEWAY_POLICY = String.raw`auth:
  apiKeys: true
approvals:
  mode: queue
  approvers: [finance]
policy:
  groups:
    wallet:
      allow:
        - tools: [wallet_get_balance, wallet_list_transactions, wallet_health]
          resources: ["wallet://accounts/*"]
        - tools: [wallet_transfer]
          when: ['currency in ["EUR", "USD"]', 'amount matches "^0*[0-9]{1,3}(\\.[0-9]+)?$"']
        - tools: [wallet_transfer]
          approval: queue
  roles:
    staff: { groups: [wallet] }
    finance: { groups: [wallet] }
`;

export function processSuite(backend: () => Backend): void {
  describe('wallet as a process', () => {
    let store: OpenedStore;

    before(async () => {
      store = await backend().open({ seed: true });
    });
    after(async () => {
      await store?.ledger.close();
    });

    it('serves over HTTP standalone while another process moves money on the same store', async () => {
      const accounts = await fundedAccounts(store.ledger, {
        owner: 'duo',
        prefix: 'acc_duo',
        count: 6,
        openingMinor: 8_000n,
      });
      const wallet = spawnServerProcess(MAIN, {
        env: { LOG_LEVEL: 'warn', ...store.env, GATEHOUSE_CALLER: JSON.stringify(caller('duo')) },
        name: 'wallet',
      });
      const url = await wallet.url;
      let opened: Client | undefined;
      const otherLedger = await store.reopen();
      const local = await testClient(quietServer(otherLedger), { caller: caller('duo') });
      try {
        const remote = await httpClient(url, 'legacy');
        opened = remote;
        const listed = await remote.callTool({ name: 'get_balance', arguments: {} });
        assert.equal((listed.structuredContent as { accounts: unknown[] }).accounts.length, 6);
        const bad = await remote
          .callTool({ name: 'transfer', arguments: { fromAccountId: 'acc_duo_0', amount: '1' } })
          .catch((e: Error) => ({ isError: true, message: e.message }));
        assert.equal((bad as { isError?: boolean }).isError, true);
        const plan = planLoad({ accounts, openingMinor: 8_000n, transfers: 60, seed: 5, keyPrefix: 'duo' });
        let turn = 0;
        const outcomes = await runLoad(plan, 8, async (args) =>
          turn++ % 2 === 0
            ? outcomeOf(
                (await remote.callTool({ name: 'transfer', arguments: args })) as Record<string, unknown>,
              )
            : outcomeOf((await local.call('transfer', args)).raw),
        );
        await verifyLoad(store.ledger, plan, outcomes, 'duo');
        const health = await remote.callTool({ name: 'health', arguments: {} });
        assert.equal((health.structuredContent as { status: string }).status, 'ok');
      } finally {
        await opened?.close();
        await local.close();
        await otherLedger.close();
        await wallet.stop();
      }
    });

    describe('behind the gateway (stdio upstream, identity in _meta)', () => {
      let gw: TestGateway;
      const keys: Record<string, string> = {};

      before(async () => {
        const storage = tempStorage();
        const apiKeys = new SqliteApiKeys(storage);
        keys.sales = apiKeys.create({ user: 'sales', roles: ['staff'] }).key;
        keys.finance = apiKeys.create({ user: 'finance', roles: ['finance'] }).key;
        keys.loader = apiKeys.create({ user: 'gwload', roles: ['staff'] }).key;
        apiKeys.close();
        const upstream = stdioUpstreamYaml(
          'wallet',
          MAIN,
          { ...store.env, LOG_LEVEL: 'warn' },
          '    forwardIdentity: { meta: true }\n',
        );
        gw = await startGateway(
          `upstreams:\n${upstream}\n${GATEWAY_POLICY}storage: { path: ${JSON.stringify(storage)} }\n`,
        );
      });
      after(async () => {
        await gw?.close();
      });

      const as = (user: string) =>
        connectClient(gw.url, 'modern', undefined, {}, { authorization: `Bearer ${keys[user]}` });

      it('exposes the wallet tools and knows who is calling', async () => {
        const sales = await as('sales');
        try {
          const { tools } = await sales.listTools();
          assert.deepEqual(tools.map((t) => t.name).sort(), [
            'wallet_get_balance',
            'wallet_health',
            'wallet_list_transactions',
            'wallet_transfer',
          ]);
          const out = await sales.callTool({ name: 'wallet_get_balance', arguments: {} });
          const ids = (out.structuredContent as { accounts: { accountId: string }[] }).accounts.map(
            (a) => a.accountId,
          );
          assert.deepEqual(ids, ['acc_sales_eur', 'acc_sales_usd']);
          const denied = outcomeOf(
            (await sales.callTool({
              name: 'wallet_get_balance',
              arguments: { accountId: 'acc_finance_eur' },
            })) as Record<string, unknown>,
          );
          assert.equal(denied.errorCode, 'not_account_owner');
          const { resourceTemplates } = await sales.listResourceTemplates();
          assert.deepEqual(
            resourceTemplates.map((t) => t.uriTemplate),
            ['wallet://accounts/{accountId}'],
          );
          // resources/list comes from the gateway's shared catalog, built without a caller: no accounts.
          const read = await sales.readResource({ uri: 'wallet://accounts/acc_sales_eur' });
          const statement = JSON.parse(String((read.contents[0] as { text: string }).text));
          assert.equal(statement.account.owner, 'sales');
          await assert.rejects(
            sales.readResource({ uri: 'wallet://accounts/acc_finance_eur' }),
            /someone else/,
          );
        } finally {
          await sales.close();
        }
      });

      it('survives a transfer storm with retried keys through the gateway', async () => {
        const accounts = await fundedAccounts(store.ledger, {
          owner: 'gwload',
          prefix: 'acc_gw',
          count: 10,
          openingMinor: 5_000n,
        });
        const loader = await as('loader');
        try {
          const plan = planLoad({ accounts, openingMinor: 5_000n, transfers: 80, seed: 11, keyPrefix: 'gw' });
          const outcomes = await runLoad(plan, 16, async (args) =>
            outcomeOf(
              (await loader.callTool({ name: 'wallet_transfer', arguments: args })) as Record<
                string,
                unknown
              >,
            ),
          );
          await verifyLoad(store.ledger, plan, outcomes, 'gwload');
        } finally {
          await loader.close();
        }
      });

      it('holds a transfer of 1000 or more for a finance approver, then runs it once', async () => {
        const sales = await as('sales');
        const balance = async () => (await store.ledger.getAccount('acc_sales_eur'))?.balanceMinor;
        const start = await balance();
        assert.equal(start, 250_000n);
        const big = {
          name: 'wallet_transfer',
          arguments: {
            fromAccountId: 'acc_sales_eur',
            toAccountId: 'acc_sre_eur',
            amount: '1000.00',
            currency: 'EUR',
            idempotencyKey: 'big-eur-transfer-1',
          },
        };
        try {
          const small = await sales.callTool({
            name: 'wallet_transfer',
            arguments: { ...big.arguments, amount: '999.99', idempotencyKey: 'small-eur-transfer' },
          });
          assert.notEqual(small.isError, true, JSON.stringify(small));
          assert.equal(await balance(), 150_001n);
          const held = (await sales.callTool(big)) as Record<string, unknown>;
          const approval = (held._meta as Record<string, { approvalId: string; status: string }>)[
            'dev.gatehouse/approval'
          ];
          assert.equal(held.isError, true);
          assert.equal(approval?.status, 'pending');
          assert.equal(await balance(), 150_001n, 'nothing moves while the approval is pending');
          const decided = await fetch(new URL(`/api/approvals/${approval?.approvalId}/approve`, gw.url), {
            method: 'POST',
            headers: { authorization: `Bearer ${keys.finance}`, 'content-type': 'application/json' },
          });
          assert.equal(decided.status, 200);
          const ran = outcomeOf((await sales.callTool(big)) as Record<string, unknown>);
          assert.equal(ran.isError, false, ran.text);
          assert.equal(ran.structured?.replayed, false);
          assert.equal(await balance(), 50_001n);
        } finally {
          await sales.close();
        }
      });
    });
  });
}
