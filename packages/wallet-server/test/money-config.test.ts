/**
 * Units with no database: decimal amounts ↔ integer minor units per currency exponent, the
 * environment → configuration mapping, and a wallet process refusing a bad environment clearly.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { configFromEnv } from '../src/config.ts';
import { decodeCursor, encodeCursor, requestHash } from '../src/ledger/rules.ts';
import { formatMinor, parseAmount } from '../src/money.ts';

describe('money', () => {
  it('parses decimal strings into minor units by currency exponent', () => {
    assert.deepEqual(parseAmount('12.50', 'EUR'), { ok: true, minor: 1250n });
    assert.deepEqual(parseAmount('12.5', 'USD'), { ok: true, minor: 1250n });
    assert.deepEqual(parseAmount('12', 'EUR'), { ok: true, minor: 1200n });
    assert.deepEqual(parseAmount(' 0.01 ', 'EUR'), { ok: true, minor: 1n });
    assert.deepEqual(parseAmount('700', 'JPY'), { ok: true, minor: 700n });
    assert.deepEqual(parseAmount('1.005', 'KWD'), { ok: true, minor: 1005n });
    assert.deepEqual(parseAmount('007.10', 'EUR'), { ok: true, minor: 710n });
    assert.deepEqual(parseAmount('10000000000000', 'EUR'), { ok: true, minor: 10n ** 15n });
  });

  it('refuses what is not a positive amount of the currency', () => {
    for (const [text, currency] of [
      ['0', 'EUR'],
      ['-1', 'EUR'],
      ['1.001', 'EUR'],
      ['1.0', 'JPY'],
      ['1.0001', 'KWD'],
      ['.5', 'EUR'],
      ['5.', 'EUR'],
      ['1 000', 'EUR'],
      ['0x10', 'EUR'],
      ['Infinity', 'EUR'],
      ['10000000000000.01', 'EUR'],
    ] as const) {
      assert.equal(parseAmount(text, currency).ok, false, `${text} ${currency}`);
    }
  });

  it('formats minor units back, signs and padding included', () => {
    assert.equal(formatMinor(1250n, 'EUR'), '12.50');
    assert.equal(formatMinor(5n, 'EUR'), '0.05');
    assert.equal(formatMinor(-5n, 'EUR'), '-0.05');
    assert.equal(formatMinor(0n, 'USD'), '0.00');
    assert.equal(formatMinor(700n, 'JPY'), '700');
    assert.equal(formatMinor(-1005n, 'KWD'), '-1.005');
  });
});

describe('ledger rules', () => {
  const request = {
    fromAccountId: 'a',
    toAccountId: 'b',
    amountMinor: 100n,
    currency: 'EUR' as const,
    memo: null,
    idempotencyKey: 'k'.repeat(8),
    initiatedBy: 'u',
  };

  it('fingerprints what a transfer asks for, not who asks or with which key', () => {
    assert.equal(
      requestHash(request),
      requestHash({ ...request, idempotencyKey: 'other-key', initiatedBy: 'x' }),
    );
    assert.notEqual(requestHash(request), requestHash({ ...request, amountMinor: 101n }));
    assert.notEqual(requestHash(request), requestHash({ ...request, memo: 'm' }));
  });

  it('round-trips cursors and binds them to their account', () => {
    const cursor = encodeCursor({ accountId: 'a', createdAt: '2026-01-01T00:00:00.000Z', entryId: '42' });
    assert.deepEqual(decodeCursor(cursor, 'a'), {
      accountId: 'a',
      createdAt: '2026-01-01T00:00:00.000Z',
      entryId: '42',
    });
    assert.throws(() => decodeCursor(cursor, 'b'), /belongs to account a/);
    assert.throws(() => decodeCursor('%%%', 'a'), /not one list_transactions returned/);
  });
});

describe('configuration', () => {
  it('defaults to a seeded SQLite file', () => {
    assert.deepEqual(configFromEnv({}), {
      storage: { kind: 'sqlite', path: '.gatehouse/wallet.db' },
      seed: 'demo',
    });
    assert.deepEqual(
      configFromEnv({ WALLET_DB_PATH: '/tmp/w.db', WALLET_SEED: 'none', WALLET_DATABASE_URL: '' }),
      {
        storage: { kind: 'sqlite', path: '/tmp/w.db' },
        seed: 'none',
      },
    );
  });

  it('picks PostgreSQL for a postgres:// URL, with a schema', () => {
    assert.deepEqual(
      configFromEnv({ WALLET_DATABASE_URL: 'postgres://u@h/db', WALLET_DATABASE_SCHEMA: 'wallet' }),
      {
        storage: { kind: 'postgres', url: 'postgres://u@h/db', schema: 'wallet' },
        seed: 'demo',
      },
    );
  });

  it('names every bad variable', () => {
    assert.throws(
      () =>
        configFromEnv({
          WALLET_DATABASE_URL: 'mysql://x',
          WALLET_SEED: 'lots',
          WALLET_DATABASE_SCHEMA: 'Bad-Name',
        }),
      (error: Error) =>
        /WALLET_DATABASE_URL: must be a postgres/.test(error.message) &&
        /WALLET_SEED/.test(error.message) &&
        /WALLET_DATABASE_SCHEMA/.test(error.message),
    );
  });

  it('a wallet process with a bad environment exits with the reason', () => {
    const run = spawnSync(process.execPath, ['packages/wallet-server/src/main.ts'], {
      env: { ...process.env, WALLET_SEED: 'everything' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /wallet-server configuration: WALLET_SEED/);
  });
});
