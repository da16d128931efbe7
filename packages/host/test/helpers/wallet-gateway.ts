/**
 * The gateway the chat's CLI tests talk to: the wallet domain server behind `gatehouse serve`,
 * a finance role whose transfers need the calling user's yes (asked in band), and a treasury
 * role whose transfers wait in the approval queue for an admin.
 */
import { after, before } from 'node:test';
import { startAnthropicLoopback } from './anthropic-loopback.ts';
import { createKey, type Gateway, startGateway, stdioUpstream, WALLET_SERVER } from './gatehouse-cli.ts';
import type { LoopbackModel, ScriptStep } from './loopback-script.ts';
import { startOpenAiLoopback } from './openai-loopback.ts';

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

/** The wallet gateway of a describe block, its finance key, and the loopback models it starts. */
export interface WalletChat {
  readonly gateway: Gateway;
  readonly financeKey: string;
  /** An OpenAI-compatible loopback model playing `script`, closed after the block. */
  openai(script: ScriptStep[]): Promise<LoopbackModel>;
  /** The same, Anthropic-compatible. */
  anthropic(script: ScriptStep[]): Promise<LoopbackModel>;
}

/** Starts the wallet gateway before the calling describe block's tests and stops it after them. */
export function useWalletChat(): WalletChat {
  let gateway: Gateway | undefined;
  let financeKey: string | undefined;
  const models: LoopbackModel[] = [];
  before(async () => {
    gateway = await startGateway(walletConfig);
    financeKey = await createKey(gateway.configFile, 'finance', ['finance']);
  });
  after(async () => {
    await Promise.all(models.map((m) => m.close()));
    await gateway?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the wallet gateway is not started yet (use it inside a test)');
    return value;
  };
  return {
    get gateway() {
      return started(gateway);
    },
    get financeKey() {
      return started(financeKey);
    },
    async openai(script) {
      const model = await startOpenAiLoopback(script);
      models.push(model);
      return model;
    },
    async anthropic(script) {
      const model = await startAnthropicLoopback(script);
      models.push(model);
      return model;
    },
  };
}
