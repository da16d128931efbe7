/**
 * The weather server as a process: stdio by default (how Gatehouse launches it), Streamable HTTP
 * with `--port N [--host H] [--token-env VAR]`. Configuration comes from the environment
 * (see config.ts); a bad variable stops it at start with a message naming it.
 */
import { runServer } from '@gatehouse/kit';
import { configFromEnv } from './config.ts';
import { createWeatherServer } from './server.ts';

try {
  await runServer(createWeatherServer(configFromEnv()));
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
