/**
 * `serve`: runs a kit server as its own process, over stdio (the default: how Gatehouse
 * launches its domain servers) or Streamable HTTP (`--port N`). One call does both eras, prints
 * where it listens on stderr, and on SIGTERM/SIGINT closes connections and the server's
 * resources before exiting.
 *
 *   node server.ts                      stdio
 *   node server.ts --port 7101 [--host 127.0.0.1] [--token-env NAME]   HTTP at /mcp
 *   node server.ts --port 7101 --tls-cert server.pem --tls-key server-key.pem [--tls-client-ca ca.pem]
 *                                       HTTPS; with --tls-client-ca, mutual TLS (only clients
 *                                       holding a certificate signed by that CA get through)
 *   … [--health-port 7201]              plain HTTP answering only GET /healthz, for probes
 *                                       that hold no client certificate
 */
import { parseArgs } from 'node:util';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { serveHealth } from './health-http.ts';
import { type RunningHttpServer, serveHttp } from './http.ts';
import type { DomainServer } from './server.ts';
import { readServerTls, type ServerTls } from './tls.ts';

export type ServeOptions =
  | { transport: 'stdio' }
  | {
      transport: 'http';
      port?: number;
      host?: string;
      token?: string;
      allowedHosts?: string[];
      tls?: ServerTls;
      /** A plain-HTTP port answering only GET /healthz (for probes without a client certificate). */
      healthPort?: number;
    };

export interface ServingHandle {
  /** The MCP URL when serving HTTP. */
  readonly url?: string;
  /** The plain-HTTP health URL, with `healthPort`. */
  readonly healthUrl?: string;
  close(): Promise<void>;
}

export async function serve(domain: DomainServer, options: ServeOptions): Promise<ServingHandle> {
  if (options.transport === 'stdio') {
    const handle = serveStdio((ctx) => domain.create(ctx), {
      onerror: (error) => domain.log.warn({ err: error }, 'stdio error'),
    });
    return {
      close: async () => {
        await handle.close();
        await domain.close();
      },
    };
  }
  const http: RunningHttpServer = await serveHttp(domain, options);
  const health =
    options.healthPort === undefined
      ? undefined
      : await serveHealth(domain, options.healthPort, options.host ?? '127.0.0.1');
  return {
    url: http.url,
    ...(health === undefined ? {} : { healthUrl: health.url }),
    close: async () => {
      await Promise.all([http.close(), health?.close()]);
      await domain.close();
    },
  };
}

/**
 * Reads `--port`, `--host`, `--token-env`, `--allowed-host`, `--tls-cert`/`--tls-key`/
 * `--tls-client-ca` and `--health-port` from argv (stdio when no port is given). The TLS files
 * are read here, so a missing or wrong one stops the server at start with the flag and the path
 * named.
 */
export function serveOptionsFromArgv(argv = process.argv.slice(2), env = process.env): ServeOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      'token-env': { type: 'string' },
      'allowed-host': { type: 'string', multiple: true },
      stdio: { type: 'boolean', default: false },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-client-ca': { type: 'string' },
      'health-port': { type: 'string' },
    },
    strict: false,
  });
  const tlsFlag = (name: 'tls-cert' | 'tls-key' | 'tls-client-ca') =>
    typeof values[name] === 'string' ? values[name] : undefined;
  const tlsFiles = { cert: tlsFlag('tls-cert'), key: tlsFlag('tls-key'), clientCa: tlsFlag('tls-client-ca') };
  if (values.stdio === true || values.port === undefined) {
    if (Object.values(tlsFiles).some((file) => file !== undefined))
      throw new Error('--tls-cert, --tls-key and --tls-client-ca need --port (TLS is for HTTP, not stdio)');
    return { transport: 'stdio' };
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`invalid --port: ${String(values.port)}`);
  const tokenEnv = typeof values['token-env'] === 'string' ? values['token-env'] : undefined;
  const token = tokenEnv === undefined ? undefined : env[tokenEnv];
  if (tokenEnv !== undefined && !token) throw new Error(`--token-env ${tokenEnv}: the variable is empty`);
  const tls = readServerTls(tlsFiles);
  const healthPort = values['health-port'] === undefined ? undefined : Number(values['health-port']);
  if (healthPort !== undefined && (!Number.isInteger(healthPort) || healthPort < 0 || healthPort > 65_535))
    throw new Error(`invalid --health-port: ${String(values['health-port'])}`);
  return {
    transport: 'http',
    port,
    host: String(values.host),
    ...(token ? { token } : {}),
    allowedHosts: (values['allowed-host'] as string[] | undefined) ?? [],
    ...(tls === undefined ? {} : { tls }),
    ...(healthPort === undefined ? {} : { healthPort }),
  };
}

/** The whole `main()` of a domain server: serve per argv, log where, stop cleanly on signals. */
export async function runServer(domain: DomainServer, argv = process.argv.slice(2)): Promise<ServingHandle> {
  const options = serveOptionsFromArgv(argv);
  const handle = await serve(domain, options);
  const where = handle.url ?? 'stdio';
  domain.log.info({ url: where }, `${domain.definition.name} serving on ${where}`);
  if (handle.url !== undefined)
    process.stderr.write(`${domain.definition.name} listening on ${handle.url}\n`);
  if (handle.healthUrl !== undefined)
    process.stderr.write(`${domain.definition.name} health (plain HTTP) on ${handle.healthUrl}\n`);
  const stop = (): void => {
    handle.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // Over stdio the client owns the lifetime: when it closes our stdin, we are done.
  if (options.transport === 'stdio') process.stdin.once('end', stop);
  return handle;
}
