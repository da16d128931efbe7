/**
 * `gatehouse` — serve | stdio | check. Exit codes: 0 ok, 1 runtime failure, 2 invalid config or
 * usage.
 */
import { parseArgs } from 'node:util';
import { formatIssue, loadConfigFile } from '../config/load.ts';
import type { GatewayModel } from '../config/model.ts';
import { Gateway } from '../gateway.ts';
import { createLogger } from '../observability/logger.ts';
import { listenHttp } from '../transport/http-server.ts';
import { serveGatewayStdio } from '../transport/stdio.ts';

const USAGE = `Usage: gatehouse <command> --config <file>

Commands:
  serve    Start the gateway on Streamable HTTP (both protocol eras)
  stdio    Serve one client over stdin/stdout (for hosts that launch a local process)
  check    Validate the config; print the normalized config or every error

Options:
  -c, --config <file>   Path to gatehouse.yaml (default: gatehouse.yaml)
  -p, --port <port>     Override server.port (serve)
  -h, --help            Show this help
`;

function fail(message: string): never {
  process.stderr.write(`gatehouse: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function loadOrExit(file: string): GatewayModel {
  const loaded = loadConfigFile(file);
  if (loaded.ok) return loaded.model;
  for (const issue of loaded.issues) process.stderr.write(`${formatIssue(issue)}\n`);
  process.stderr.write(`gatehouse: ${loaded.issues.length} problem(s) in ${file}\n`);
  process.exit(2);
}

function onShutdown(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`gatehouse: ${signal} received, draining\n`);
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

async function serve(model: GatewayModel): Promise<void> {
  const log = createLogger(model.logging.level);
  const gateway = new Gateway(model, log);
  gateway.start();
  const http = await listenHttp(gateway, model.server, log);
  onShutdown(async () => {
    await http.close();
    await gateway.stop();
  });
  log.info({ url: http.url }, 'gatehouse listening');
  process.stdout.write(`Gatehouse MCP endpoint: ${http.url}\n`);
}

async function stdio(model: GatewayModel): Promise<void> {
  const log = createLogger(model.logging.level);
  const gateway = new Gateway(model, log);
  gateway.start();
  await gateway.settled();
  const handle = serveGatewayStdio(gateway, log);
  const stop = async () => {
    await handle.close();
    await gateway.stop();
  };
  onShutdown(stop);
  process.stdin.once('end', () => void stop().then(() => process.exit(0)));
}

export async function main(argv: string[]): Promise<void> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  const OPTIONS = {
    config: { type: 'string', short: 'c', default: 'gatehouse.yaml' },
    port: { type: 'string', short: 'p' },
    help: { type: 'boolean', short: 'h' },
  } as const;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const [command, ...rest] = parsed.positionals;
  if (parsed.values.help || command === undefined) {
    process.stdout.write(USAGE);
    return;
  }
  if (rest.length > 0) fail(`unexpected argument: ${rest[0]}`);
  const model = loadOrExit(parsed.values.config);
  if (parsed.values.port !== undefined) {
    const port = Number(parsed.values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      fail(`--port must be 0-65535, found ${parsed.values.port}`);
    model.server.port = port;
  }
  switch (command) {
    case 'check':
      process.stdout.write(`${JSON.stringify(model, null, 2)}\n`);
      return;
    case 'serve':
      return serve(model);
    case 'stdio':
      return stdio(model);
    default:
      fail(`unknown command: ${command}`);
  }
}
