/**
 * The account statement as a resource: `wallet://accounts/{accountId}` reads the account, its
 * balance and its 50 most recent transactions as JSON (older ones: list_transactions with the
 * statement's nextCursor). Listing shows the accounts the caller may see.
 */
import { defineResourceTemplate } from '@gatehouse/kit';
import type { Ledger } from '../ledger/types.ts';
import { requireCaller, seesEveryAccount } from './access.ts';
import { visibleAccount } from './accounts.ts';
import { accountView, transactionView } from './views.ts';

const STATEMENT_LINES = 50;

export function accountUri(accountId: string): string {
  return `wallet://accounts/${encodeURIComponent(accountId)}`;
}

export function statementResource(ledger: Ledger) {
  return defineResourceTemplate({
    name: 'account-statement',
    uriTemplate: 'wallet://accounts/{accountId}',
    title: 'Account statement',
    description: 'An account, its balance and its most recent transactions (JSON).',
    mimeType: 'application/json',
    async list(ctx) {
      if (ctx.caller === null) return [];
      const accounts = seesEveryAccount(ctx.caller)
        ? await ledger.allAccounts()
        : await ledger.accountsOwnedBy(ctx.caller.user);
      return accounts.map((account) => ({
        uri: accountUri(account.id),
        name: `${account.id} (${account.currency})`,
        description: `${account.kind === 'system' ? 'System' : 'User'} account of ${account.owner}`,
      }));
    },
    async read(uri, variables, ctx) {
      const caller = requireCaller(ctx);
      const account = await visibleAccount(ledger, decodeURIComponent(variables.accountId ?? ''), caller);
      const page = await ledger.statement(account.id, STATEMENT_LINES, null);
      const statement = {
        account: accountView(account),
        transactions: page.lines.map((line) => transactionView(line, account.currency)),
        nextCursor: page.nextCursor,
      };
      return {
        contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(statement) }],
      };
    },
  });
}
