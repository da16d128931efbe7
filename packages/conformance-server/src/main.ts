/**
 * CLI for the conformance server.
 *
 *   node packages/conformance-server/src/main.ts [--port N] [--host H] [--verbose]
 *     Serves Streamable HTTP at /mcp; prints exactly one line on stderr once listening:
 *     `conformance-server listening on http://127.0.0.1:PORT/mcp`. With --verbose, rejected
 *     requests and out-of-band errors are also reported on stderr, one line each.
 *   node packages/conformance-server/src/main.ts --stdio
 *     Serves stdio (both eras; the opening message picks the era).
 */
import { parseArgs } from 'node:util';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { createConformanceDeps } from './context.ts';
import { startConformanceHttpServer } from './http.ts';
import { createConformanceServer } from './server.ts';

const USAGE = 'usage: main.ts [--port N] [--host H] [--verbose] | --stdio [--verbose]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      stdio: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }

  const onError = (error: Error): void => {
    if (values.verbose) process.stderr.write(`[conformance-server] ${error.message}\n`);
  };

  if (values.stdio) {
    const deps = createConformanceDeps();
    const handle = serveStdio((ctx) => createConformanceServer(ctx, deps), { onerror: onError });
    const stop = (): void => {
      handle.close().finally(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return;
  }

  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`invalid --port: ${values.port}`);
  const server = await startConformanceHttpServer({ port, host: values.host, onError });
  process.stderr.write(`conformance-server listening on ${server.url}\n`);
  const stop = (): void => {
    server.close().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `conformance-server: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`,
  );
  process.exit(1);
});
