/**
 * The gateway the chat's CLI tests talk to: the wallet domain server behind `gatehouse serve`,
 * a finance role whose transfers need the calling user's yes (asked in band), and a treasury
 * role whose transfers wait in the approval queue for an admin.
 */
import { stdioUpstream, WALLET_SERVER } from './gatehouse-cli.ts';

export const TRANSFER = {
  fromAccountId: 'acc_finance_eur',
  toAccountId: 'acc_sales_eur',
  amount: '2.50',
  currency: 'EUR',
  idempotencyKey: 'chat-cli-transfer-0001',
};

export function walletConfig(dir: string): string {
  return `upstreams:
${stdioUpstream('wallet', WALLET_SERVER, { WALLET_DB_PATH: `${dir}/wallet.db` }, '    forwardIdentity: { meta: true }\n')}
auth: { apiKeys: true }
approvals: { mode: auto, destructiveTools: true, approvers: [admin] }
policy:
  groups:
    wallet:
      allow:
        - tools: [wallet_get_balance, wallet_list_transactions]
        - tools: [wallet_transfer]
          approval: true
    wallet-queued:
      allow:
        - tools: [wallet_transfer]
          approval: { mode: queue, waitSeconds: 0 }
  roles:
    finance: { groups: [wallet] }
    treasury: { groups: [wallet-queued] }
    admin: { groups: [] }
storage: { path: ${JSON.stringify(`${dir}/gatehouse.db`)} }
`;
}
