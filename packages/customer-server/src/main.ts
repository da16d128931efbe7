/**
 * The customer server as a process: stdio by default (how Gatehouse launches it), Streamable HTTP
 * with `--port N [--host H] [--token-env VAR]`. Configuration comes from the environment (see
 * config.ts); a bad or missing variable stops it at start with a message naming it.
 */
import { runServer } from '@gatehouse/kit';
import { configFromEnv } from './config.ts';
import { createCustomerServer } from './server.ts';

try {
  await runServer(createCustomerServer(configFromEnv()));
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
