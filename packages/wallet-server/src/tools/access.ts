/**
 * Who may see and move what. The caller comes from the gateway (`_meta` principal) or the local
 * GATEHOUSE_CALLER; accounts belong to a user name. Owners see and debit their own accounts;
 * callers with the `finance` or `admin` role see every account and may debit system accounts
 * (the treasury). Nobody debits another user's account — not even finance.
 */
import { type Caller, type HandlerContext, ToolError } from '@gatehouse/kit';
import type { Account } from '../ledger/types.ts';

export const SUPERVISOR_ROLES = ['finance', 'admin'] as const;

export function requireCaller(ctx: HandlerContext): Caller {
  if (ctx.caller !== null) return ctx.caller;
  throw new ToolError(
    'unauthenticated',
    'The wallet needs to know who is calling, and this request names no caller. Reach the wallet through ' +
      'Gatehouse (upstream option forwardIdentity: {meta: true}) or set GATEHOUSE_CALLER for local use.',
  );
}

export function seesEveryAccount(caller: Caller): boolean {
  return caller.roles.some((role) => (SUPERVISOR_ROLES as readonly string[]).includes(role));
}

export function canView(caller: Caller, account: Account): boolean {
  return account.owner === caller.user || seesEveryAccount(caller);
}

export function assertCanView(caller: Caller, account: Account): void {
  if (canView(caller, account)) return;
  throw new ToolError(
    'not_account_owner',
    `Account ${account.id} belongs to someone else; you (${caller.user}) can only see your own accounts. ` +
      'Call get_balance without an accountId to list them.',
    { accountId: account.id },
  );
}

export function assertCanDebit(caller: Caller, account: Account): void {
  const allowed = account.kind === 'system' ? seesEveryAccount(caller) : account.owner === caller.user;
  if (allowed) return;
  throw new ToolError(
    'not_account_owner',
    account.kind === 'system'
      ? `Account ${account.id} is a system account; only the finance or admin role may move money out of it.`
      : `You (${caller.user}) can only send money from your own accounts; ${account.id} belongs to someone else.`,
    { accountId: account.id },
  );
}
