/**
 * Opens the ledger the configuration names (PostgreSQL or SQLite), applies migrations and, when
 * asked, the demo seed. The one place that chooses a backend.
 */
import { openSqlite } from '@gatehouse/kit/infra';
import type { WalletConfig } from '../config.ts';
import { PgLedger } from './pg-ledger.ts';
import { seedDemo } from './seed.ts';
import { SqliteLedger } from './sqlite-ledger.ts';
import type { Ledger } from './types.ts';

export async function openLedger(config: WalletConfig): Promise<Ledger> {
  const ledger =
    config.storage.kind === 'postgres'
      ? PgLedger.connect(config.storage.url, { schema: config.storage.schema })
      : new SqliteLedger(openSqlite(config.storage.path));
  try {
    await ledger.migrate();
    if (config.seed === 'demo') await seedDemo(ledger);
  } catch (error) {
    await ledger.close();
    throw error;
  }
  return ledger;
}
