/**
 * How ledger records look to a model: amounts as decimal strings in the account's currency,
 * compact field names, nothing internal (hashes, cached columns). Shared by the tools and the
 * account statement resource.
 */
import * as z from 'zod';
import type { Account, StatementLine, TransferRecord } from '../ledger/types.ts';
import { CURRENCIES, type Currency, formatMinor } from '../money.ts';

export const AccountView = z.object({
  accountId: z.string(),
  owner: z.string(),
  currency: z.enum(CURRENCIES),
  kind: z.enum(['user', 'system']),
  balance: z.string().describe('Decimal string in the account currency, e.g. "2500.00"'),
});

export const TransactionView = z.object({
  transferId: z.string(),
  direction: z.enum(['credit', 'debit']),
  amount: z.string().describe('Signed decimal: positive credited this account, negative debited it'),
  counterpartyAccountId: z.string(),
  memo: z.string().nullable(),
  initiatedBy: z.string(),
  createdAt: z.string(),
});

export const TransferView = z.object({
  transferId: z.string(),
  replayed: z
    .boolean()
    .describe('True when this idempotency key had already run: the original transfer, nothing moved now'),
  fromAccountId: z.string(),
  toAccountId: z.string(),
  amount: z.string(),
  currency: z.enum(CURRENCIES),
  memo: z.string().nullable(),
  createdAt: z.string(),
  sourceBalance: z.string().describe('Balance of the source account after this call'),
});

export function accountView(account: Account): z.infer<typeof AccountView> {
  return {
    accountId: account.id,
    owner: account.owner,
    currency: account.currency,
    kind: account.kind,
    balance: formatMinor(account.balanceMinor, account.currency),
  };
}

export function transactionView(line: StatementLine, currency: Currency): z.infer<typeof TransactionView> {
  return {
    transferId: line.transferId,
    direction: line.amountMinor > 0n ? 'credit' : 'debit',
    amount: formatMinor(line.amountMinor, currency),
    counterpartyAccountId: line.counterpartyAccountId,
    memo: line.memo,
    initiatedBy: line.initiatedBy,
    createdAt: line.createdAt,
  };
}

export function transferView(
  transfer: TransferRecord,
  replayed: boolean,
  sourceBalanceMinor: bigint,
): z.infer<typeof TransferView> {
  return {
    transferId: transfer.id,
    replayed,
    fromAccountId: transfer.fromAccountId,
    toAccountId: transfer.toAccountId,
    amount: formatMinor(transfer.amountMinor, transfer.currency),
    currency: transfer.currency,
    memo: transfer.memo,
    createdAt: transfer.createdAt,
    sourceBalance: formatMinor(sourceBalanceMinor, transfer.currency),
  };
}
