/**
 * Runs the wallet server as its own process: stdio by default, Streamable HTTP with --port.
 * Configuration comes from the environment (config.ts).
 */
import { runServer } from '@gatehouse/kit';
import { configFromEnv } from './config.ts';
import { startWalletServer } from './server.ts';

await runServer(await startWalletServer(configFromEnv()));
