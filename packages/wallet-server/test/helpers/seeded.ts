/**
 * A seeded wallet for a describe block: registers before/after hooks that open a fresh seeded
 * store on the backend, build a quiet server and one kit test client per demo principal (plus
 * one with no caller), and close them all afterwards.
 */
import { after, before } from 'node:test';
import type { DomainServer } from '@gatehouse/kit';
import { type TestClient, type ToolOutcome, testClient } from '@gatehouse/kit/testing';
import type { Backend, OpenedStore } from './backends.ts';
import { caller, quietServer } from './wallet.ts';

export type Who = 'sales' | 'support' | 'finance' | 'admin' | 'sre' | 'anonymous';

export interface SeededWallet {
  store: OpenedStore;
  server: DomainServer;
  as: Record<Who, TestClient>;
  /** An account's balance as finance reads it. */
  balance(accountId: string): Promise<string>;
  /** A EUR transfer with a fresh key unless `args` says otherwise. */
  send(who: Who, args: Record<string, unknown>): Promise<ToolOutcome>;
}

export function seededWallet(backend: () => Backend): SeededWallet {
  const wallet = {} as SeededWallet;
  before(async () => {
    wallet.store = await backend().open({ seed: true });
    wallet.server = quietServer(wallet.store.ledger);
    const client = (user: string, roles: string[], era?: 'modern') =>
      testClient(wallet.server, { caller: caller(user, roles), ...(era ? { era } : {}) });
    wallet.as = {
      sales: await client('sales', ['sales']),
      support: await client('support', ['support']),
      finance: await client('finance', ['finance']),
      admin: await client('admin', ['admin'], 'modern'),
      sre: await client('sre', ['sre']),
      anonymous: await testClient(wallet.server),
    };
  });
  after(async () => {
    for (const client of Object.values(wallet.as ?? {})) await client.close();
    await wallet.server?.close();
  });
  wallet.balance = async (accountId) => {
    const out = await wallet.as.finance.call('get_balance', { accountId });
    const [account] = (out.structured?.accounts ?? []) as { balance: string }[];
    return account?.balance ?? 'missing';
  };
  wallet.send = (who, args) =>
    wallet.as[who].call('transfer', { currency: 'EUR', idempotencyKey: `key-${Math.random()}`, ...args });
  return wallet;
}
