/** The wallet server's public surface: the server factory, its configuration and the ledger. */
export { configFromEnv, type WalletConfig, type WalletStorage } from './config.ts';
export { openLedger } from './ledger/open.ts';
export { PgLedger, type PgLedgerOptions } from './ledger/pg-ledger.ts';
export { DEMO_OWNERS, seedDemo, treasuryAccountId, userAccountId } from './ledger/seed.ts';
export { SqliteLedger } from './ledger/sqlite-ledger.ts';
export type * from './ledger/types.ts';
export { CURRENCIES, type Currency, formatMinor, parseAmount } from './money.ts';
export { createWalletServer, startWalletServer, WALLET_VERSION } from './server.ts';
