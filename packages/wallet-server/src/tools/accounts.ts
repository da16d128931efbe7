/**
 * The read tools: `get_balance` (the caller's accounts, or one account) and `list_transactions`
 * (an account's history, newest first, cursor-paginated). Both see only what access.ts allows.
 */
import { defineTool } from '@gatehouse/kit';
import * as z from 'zod';
import { unknownAccount } from '../ledger/rules.ts';
import type { Account, Ledger } from '../ledger/types.ts';
import { assertCanView, requireCaller } from './access.ts';
import { AccountView, accountView, TransactionView, transactionView } from './views.ts';

const accountId = z.string().min(1).max(128);

/** The account, if it exists and the caller may see it; the matching ToolError otherwise. */
export async function visibleAccount(
  ledger: Ledger,
  id: string,
  caller: Parameters<typeof assertCanView>[0],
): Promise<Account> {
  const account = await ledger.getAccount(id);
  if (account === null) throw unknownAccount(id);
  assertCanView(caller, account);
  return account;
}

export function getBalanceTool(ledger: Ledger) {
  return defineTool({
    name: 'get_balance',
    title: 'Wallet balances',
    description:
      'Balances of wallet accounts. Without accountId: every account you own (one per currency). With ' +
      'accountId: that account, if you own it (finance and admin may read any account). Balances are ' +
      'decimal strings in the account currency. Use this before transfer to pick a source account.',
    input: z.object({
      accountId: accountId
        .optional()
        .describe('An account id such as "acc_sales_eur"; omit for all of yours'),
    }),
    output: z.object({ accounts: z.array(AccountView) }),
    annotations: { readOnlyHint: true, openWorldHint: false },
    async handler(input, ctx) {
      const caller = requireCaller(ctx);
      const accounts =
        input.accountId === undefined
          ? await ledger.accountsOwnedBy(caller.user)
          : [await visibleAccount(ledger, input.accountId, caller)];
      return { accounts: accounts.map(accountView) };
    },
  });
}

export function listTransactionsTool(ledger: Ledger) {
  return defineTool({
    name: 'list_transactions',
    title: 'Wallet transactions',
    description:
      "An account's transactions, newest first: one line per transfer in or out, with a signed amount, " +
      'the other account and the memo. Returns at most `limit` lines and a nextCursor; pass it back as ' +
      '`cursor` for older ones (null means there are no more). Pages stay exact while new transfers arrive.',
    input: z.object({
      accountId: accountId.describe('The account whose history to list'),
      limit: z.number().int().min(1).max(100).default(20).describe('Lines per page, 1–100 (default 20)'),
      cursor: z.string().max(512).optional().describe('nextCursor from the previous page'),
    }),
    output: z.object({
      accountId: z.string(),
      currency: z.string(),
      balance: z.string(),
      transactions: z.array(TransactionView),
      nextCursor: z.string().nullable(),
    }),
    annotations: { readOnlyHint: true, openWorldHint: false },
    async handler(input, ctx) {
      const caller = requireCaller(ctx);
      const account = await visibleAccount(ledger, input.accountId, caller);
      const page = await ledger.statement(account.id, input.limit, input.cursor ?? null);
      return {
        accountId: account.id,
        currency: account.currency,
        balance: accountView(account).balance,
        transactions: page.lines.map((line) => transactionView(line, account.currency)),
        nextCursor: page.nextCursor,
      };
    },
  });
}
