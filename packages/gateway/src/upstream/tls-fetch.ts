/**
 * The fetch an HTTPS upstream with `tls` is reached through: an undici Agent whose connections
 * present the gateway's client certificate (mutual TLS) and trust only the configured CA — the
 * system's CAs are not consulted, so a server certificate from any other CA is refused. The
 * files are read at each connection (a rotated certificate is used from the next one); the
 * configuration loader has already checked them (config/tls-files.ts).
 */
import { readFile } from 'node:fs/promises';
import type { FetchLike } from '@modelcontextprotocol/client';
import type { UpstreamTlsModel } from '../config/model-upstreams.ts';
import { GatehouseError } from '../errors/registry.ts';

export interface TlsFetch {
  fetch: FetchLike;
  /** Closes the agent's connections (when the transport is replaced or stopped). */
  close(): Promise<void>;
}

async function readTlsFile(path: string, upstream: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new GatehouseError(
      'UPSTREAM_CONNECT_FAILED',
      `upstream "${upstream}": cannot read TLS file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      { cause: error },
    );
  }
}

/**
 * A server that refuses the client certificate it was shown (signed by a CA it does not trust)
 * often just closes the connection after the handshake, without a TLS alert — Node's own HTTPS
 * server does — so the gateway sees only "other side closed". Said so, that is actionable.
 */
function explainClosed(error: unknown): unknown {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  if (cause?.code !== 'UND_ERR_SOCKET') return error;
  return new TypeError('fetch failed', {
    cause: new Error(
      'the server closed the connection before answering; with mutual TLS that is how a server refuses a client certificate it does not trust (is upstreams[].tls.cert signed by the CA the server trusts?)',
    ),
  });
}

export async function tlsFetch(tls: UpstreamTlsModel, upstream: string): Promise<TlsFetch> {
  const [ca, cert, key] = await Promise.all([
    readTlsFile(tls.caFile, upstream),
    tls.certFile === null ? undefined : readTlsFile(tls.certFile, upstream),
    tls.keyFile === null ? undefined : readTlsFile(tls.keyFile, upstream),
  ]);
  // undici is loaded only by a gateway that has such an upstream.
  const undici = await import('undici');
  const connector = undici.buildConnector({
    ca,
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    rejectUnauthorized: true,
  });
  const serverName = tls.serverName;
  // undici names the server by the request's Host; `serverName` replaces that name, both for the
  // certificate check and for SNI.
  const agent = new undici.Agent({
    connect:
      serverName === null
        ? connector
        : (options, callback) => connector({ ...options, servername: serverName }, callback),
  });
  const fetch: FetchLike = async (input, init) => {
    try {
      const response = await undici.fetch(
        input as never,
        { ...(init as object), dispatcher: agent } as never,
      );
      return response as unknown as Response;
    } catch (error) {
      throw tls.certFile === null ? error : explainClosed(error);
    }
  };
  return { fetch, close: () => agent.close() };
}
