/**
 * Runs the platform-ops server as its own process: stdio by default (how Gatehouse launches it),
 * Streamable HTTP with `--port N [--host H] [--token-env VAR]`.
 */
import { runServer } from '@gatehouse/kit';
import { configFromEnv } from './config.ts';
import { createPlatformOpsServer } from './server.ts';

let config: ReturnType<typeof configFromEnv>;
try {
  config = configFromEnv();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
await runServer(createPlatformOpsServer(config));
