/**
 * The wallet domain server: balances, history and transfers on a double-entry ledger, plus the
 * account statement resource and two health checks (database reachable; the books reconcile).
 * `createWalletServer(ledger)` takes an open ledger (tests pass their own);
 * `startWalletServer(config)` opens the configured one first.
 */
import { createLogger, type DomainServer, defineServer, type Logger } from '@gatehouse/kit';
import type { WalletConfig } from './config.ts';
import { openLedger } from './ledger/open.ts';
import type { Ledger } from './ledger/types.ts';
import { getBalanceTool, listTransactionsTool } from './tools/accounts.ts';
import { statementResource } from './tools/statement-resource.ts';
import { transferTool } from './tools/transfer.ts';

export const WALLET_VERSION = '0.1.0';

const INSTRUCTIONS = `Wallet accounts hold one currency each; amounts are decimal strings ("12.50").
Start with get_balance to see your accounts. transfer needs a fresh idempotencyKey per intended
transfer; when a call's outcome is unknown (timeout), retry with the SAME key: it never moves money
twice. list_transactions pages through an account's history with nextCursor.`;

export function createWalletServer(ledger: Ledger, log: Logger = createLogger('wallet')): DomainServer {
  return defineServer(
    {
      name: 'wallet',
      version: WALLET_VERSION,
      instructions: INSTRUCTIONS,
      tools: [getBalanceTool(ledger), listTransactionsTool(ledger), transferTool(ledger)],
      resources: [statementResource(ledger)],
      checks: {
        database: async (signal) => {
          const detail = await ledger.ping(signal);
          return detail === undefined ? ledger.backend : `${ledger.backend}, ${detail}`;
        },
        reconcile: async () => {
          const report = await ledger.reconcile();
          if (!report.ok) throw new Error(`books do not balance: ${report.problems.join('; ')}`);
          return `${report.transfers} transfers, ${report.entries} entries, ${report.accounts} accounts balanced`;
        },
      },
      close: () => ledger.close(),
    },
    log,
  );
}

export async function startWalletServer(config: WalletConfig, log?: Logger): Promise<DomainServer> {
  return createWalletServer(await openLedger(config), log);
}
