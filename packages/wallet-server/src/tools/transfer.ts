/**
 * The `transfer` tool: moves money between two accounts of the same currency, exactly once per
 * idempotency key. Input checks happen here (amount syntax and precision, same account, who may
 * debit the source); the ledger re-checks accounts and funds and records the key inside its
 * transaction.
 */
import { defineTool, ToolError } from '@gatehouse/kit';
import * as z from 'zod';
import { unknownAccount } from '../ledger/rules.ts';
import type { Ledger } from '../ledger/types.ts';
import { CURRENCIES, parseAmount } from '../money.ts';
import { assertCanDebit, requireCaller } from './access.ts';
import { TransferView, transferView } from './views.ts';

export function transferTool(ledger: Ledger) {
  return defineTool({
    name: 'transfer',
    title: 'Transfer money',
    description:
      'Moves money from one of your accounts to another account in the same currency. The amount is a ' +
      'decimal string ("12.50"; JPY has no decimals). idempotencyKey is required: generate a fresh one per ' +
      'intended transfer and reuse it when retrying the same transfer — a repeated key with the same ' +
      'parameters returns the original transfer (replayed: true) without moving money again; the same key ' +
      'with different parameters is refused. Fails with insufficient_funds, currency_mismatch, ' +
      'unknown_account, not_account_owner, invalid_amount or idempotency_conflict; nothing moves on failure.',
    input: z.object({
      fromAccountId: z.string().min(1).max(128).describe('Source account (must be yours)'),
      toAccountId: z.string().min(1).max(128).describe('Destination account'),
      amount: z.string().min(1).max(40).describe('Positive decimal string, e.g. "12.50"'),
      currency: z.enum(CURRENCIES).describe('ISO 4217 code; both accounts must hold it'),
      memo: z.string().max(200).optional().describe('Shown on both statements'),
      idempotencyKey: z
        .string()
        .min(8)
        .max(128)
        .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
        .describe('8–128 characters, unique per intended transfer, e.g. a UUID'),
    }),
    output: TransferView,
    annotations: { destructiveHint: true, idempotentHint: true, readOnlyHint: false, openWorldHint: false },
    async handler(input, ctx) {
      const caller = requireCaller(ctx);
      const amount = parseAmount(input.amount, input.currency);
      if (!amount.ok) {
        throw new ToolError('invalid_amount', `Invalid amount: ${amount.reason}.`, {
          amount: input.amount,
          currency: input.currency,
        });
      }
      if (input.fromAccountId === input.toAccountId) {
        throw new ToolError(
          'same_account',
          'The source and destination are the same account; nothing to move.',
          {
            accountId: input.fromAccountId,
          },
        );
      }
      const source = await ledger.getAccount(input.fromAccountId);
      if (source === null) throw unknownAccount(input.fromAccountId);
      assertCanDebit(caller, source);
      const result = await ledger.transfer({
        fromAccountId: input.fromAccountId,
        toAccountId: input.toAccountId,
        amountMinor: amount.minor,
        currency: input.currency,
        memo: input.memo ?? null,
        idempotencyKey: input.idempotencyKey,
        initiatedBy: caller.user,
      });
      ctx.log.info(
        { transferId: result.transfer.id, replayed: result.replayed, key: input.idempotencyKey },
        result.replayed ? 'transfer replayed' : 'transfer done',
      );
      return transferView(result.transfer, result.replayed, result.sourceBalanceMinor);
    },
  });
}
