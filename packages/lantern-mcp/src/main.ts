/**
 * Lantern's external MCP server as a process: stdio by default (how Claude Desktop and other
 * hosts launch it), Streamable HTTP with `--port N [--host H] [--token-env VAR]`. LANTERN_URL
 * and LANTERN_TOKEN come from the environment (config.ts); a bad one stops it with one line.
 */
import { runServer } from '@gatehouse/kit';
import { configFromEnv } from './config.ts';
import { createLanternMcpServer } from './server.ts';

try {
  await runServer(createLanternMcpServer(configFromEnv()));
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
