/**
 * Runs the knowledge server as its own process: stdio by default, Streamable HTTP with --port.
 *
 *   node packages/knowledge-server/src/main.ts [--port 7104] [--host 127.0.0.1] [--token-env VAR]
 */
import { runServer } from '@gatehouse/kit';
import { configFromEnv } from './config.ts';
import { createKnowledgeServer } from './server.ts';

try {
  await runServer(createKnowledgeServer(configFromEnv()));
} catch (error) {
  process.stderr.write(
    `knowledge server failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
}
