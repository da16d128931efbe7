/**
 * The wallet server's configuration, read from the environment and checked with zod:
 *
 *   WALLET_DATABASE_URL     postgres://… → PostgreSQL; unset → embedded SQLite
 *   WALLET_DATABASE_SCHEMA  PostgreSQL schema for the wallet tables (default: public)
 *   WALLET_DB_PATH          SQLite file (default: .gatehouse/wallet.db)
 *   WALLET_SEED             demo (default) seeds demo accounts; none skips seeding
 */
import * as z from 'zod';

const EnvSchema = z.object({
  WALLET_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  WALLET_DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'lower-case letters, digits and "_", starting with a letter or "_"')
    .default('public'),
  WALLET_DB_PATH: z.string().min(1).default('.gatehouse/wallet.db'),
  WALLET_SEED: z.enum(['demo', 'none']).default('demo'),
});

export type WalletStorage =
  | { kind: 'postgres'; url: string; schema: string }
  | { kind: 'sqlite'; path: string };

export interface WalletConfig {
  storage: WalletStorage;
  seed: 'demo' | 'none';
}

/** Reads the configuration; throws one error naming every bad variable. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): WalletConfig {
  const blank = (value: string | undefined) => (value === '' ? undefined : value);
  const parsed = EnvSchema.safeParse({
    WALLET_DATABASE_URL: blank(env.WALLET_DATABASE_URL),
    WALLET_DATABASE_SCHEMA: blank(env.WALLET_DATABASE_SCHEMA),
    WALLET_DB_PATH: blank(env.WALLET_DB_PATH),
    WALLET_SEED: blank(env.WALLET_SEED),
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`wallet-server configuration: ${problems}`);
  }
  const values = parsed.data;
  return {
    storage:
      values.WALLET_DATABASE_URL === undefined
        ? { kind: 'sqlite', path: values.WALLET_DB_PATH }
        : { kind: 'postgres', url: values.WALLET_DATABASE_URL, schema: values.WALLET_DATABASE_SCHEMA },
    seed: values.WALLET_SEED,
  };
}
