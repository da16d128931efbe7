/**
 * The ledger's rules, shared by both storage backends and evaluated inside their transactions:
 * accounts exist and share the transfer's currency, user accounts never go negative, and an
 * idempotency key names exactly one request (same parameters → the original transfer; different
 * ones → refused). Also the request fingerprint, transfer ids and the opaque statement cursor.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ToolError } from '@gatehouse/kit';
import { describeMoney, formatMinor } from '../money.ts';
import type { Account, TransferRecord, TransferRequest } from './types.ts';

/** A fingerprint of what a transfer asks for, stored with its key to spot a key's reuse. */
export function requestHash(request: TransferRequest): string {
  const canonical = JSON.stringify([
    request.fromAccountId,
    request.toAccountId,
    request.amountMinor.toString(),
    request.currency,
    request.memo ?? '',
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** Transfer ids sort roughly by creation time: `tr_` + base36 milliseconds + 64 random bits. */
export function newTransferId(now = Date.now()): string {
  return `tr_${now.toString(36).padStart(9, '0')}${randomBytes(8).toString('hex')}`;
}

/** The key was used before: the same request gets its original transfer back, another is refused. */
export function replayOrConflict(
  existing: TransferRecord,
  existingHash: string,
  request: TransferRequest,
): TransferRecord {
  if (existingHash === requestHash(request)) return existing;
  throw new ToolError(
    'idempotency_conflict',
    `Idempotency key "${request.idempotencyKey}" was already used for a different transfer (${existing.id}: ` +
      `${describeMoney(existing.amountMinor, existing.currency)} from ${existing.fromAccountId} to ` +
      `${existing.toAccountId}). Nothing was moved. Use a new key for a new transfer, or resend the original ` +
      'parameters to get its result.',
    {
      idempotencyKey: request.idempotencyKey,
      transferId: existing.id,
      original: {
        fromAccountId: existing.fromAccountId,
        toAccountId: existing.toAccountId,
        amount: formatMinor(existing.amountMinor, existing.currency),
        currency: existing.currency,
        memo: existing.memo,
      },
    },
  );
}

export function unknownAccount(accountId: string): ToolError {
  return new ToolError(
    'unknown_account',
    `No account "${accountId}". Call get_balance to see the accounts you can use.`,
    { accountId },
  );
}

/** Both accounts exist and hold the transfer's currency. */
export function checkAccounts(
  request: TransferRequest,
  from: Account | undefined,
  to: Account | undefined,
): asserts from is Account {
  if (from === undefined) throw unknownAccount(request.fromAccountId);
  if (to === undefined) throw unknownAccount(request.toAccountId);
  for (const account of [from, to]) {
    if (account.currency !== request.currency) {
      throw new ToolError(
        'currency_mismatch',
        `Account ${account.id} holds ${account.currency}, but the transfer is in ${request.currency}. ` +
          'Both accounts must hold the transfer currency; there is no conversion.',
        { accountId: account.id, accountCurrency: account.currency, requestedCurrency: request.currency },
      );
    }
  }
}

/** A user account may not go below zero; system accounts (the treasury) may: they issue money. */
export function checkFunds(from: Account, amountMinor: bigint): void {
  if (from.kind === 'system' || from.balanceMinor >= amountMinor) return;
  throw new ToolError(
    'insufficient_funds',
    `Insufficient funds in ${from.id}: balance ${describeMoney(from.balanceMinor, from.currency)}, ` +
      `requested ${describeMoney(amountMinor, from.currency)}. Nothing was moved.`,
    {
      accountId: from.id,
      balance: formatMinor(from.balanceMinor, from.currency),
      requested: formatMinor(amountMinor, from.currency),
      currency: from.currency,
    },
  );
}

// --- statement cursor -------------------------------------------------------------------------

export interface CursorPosition {
  accountId: string;
  createdAt: string;
  entryId: string;
}

export function encodeCursor(position: CursorPosition): string {
  const json = JSON.stringify(['v1', position.accountId, position.createdAt, position.entryId]);
  return Buffer.from(json).toString('base64url');
}

/** Reads a cursor handed out for this account; anything else is an `invalid_cursor` error. */
export function decodeCursor(cursor: string, accountId: string): CursorPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    Array.isArray(parsed) &&
    parsed.length === 4 &&
    parsed[0] === 'v1' &&
    typeof parsed[1] === 'string' &&
    typeof parsed[2] === 'string' &&
    !Number.isNaN(Date.parse(parsed[2])) &&
    typeof parsed[3] === 'string' &&
    /^\d{1,18}$/.test(parsed[3])
  ) {
    if (parsed[1] !== accountId) {
      throw new ToolError(
        'invalid_cursor',
        `This cursor belongs to account ${parsed[1]}, not ${accountId}. Start again without a cursor.`,
      );
    }
    return { accountId, createdAt: parsed[2], entryId: parsed[3] };
  }
  throw new ToolError(
    'invalid_cursor',
    'The cursor is not one list_transactions returned. Pass back nextCursor unchanged, or omit it for the first page.',
  );
}
