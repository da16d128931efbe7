/**
 * Streamable HTTP for a kit server, both protocol eras on one path (`/mcp`):
 *
 * - 2026-07-28 requests (per-request `_meta` envelope) go to the SDK's `createMcpHandler`, which
 *   builds a fresh server per request;
 * - 2025-era requests go to the shared session manager (@gatehouse/sessions): `initialize` opens a
 *   session, `Mcp-Session-Id` finds it (404 when unknown), DELETE ends it, idle ones expire, at
 *   most `maxSessions` are open (503 beyond), and SSE streams resume with `Last-Event-ID`.
 *
 * `isLegacyRequest` (the SDK's own classification) splits the two. Before either sees a request:
 * Host/Origin validation against loopback names plus the configured ones (DNS rebinding), and,
 * when a service token is configured, `Authorization: Bearer <token>` — so only the gateway,
 * which holds the token, can reach the server. `/healthz` runs the health checks.
 *
 * With `tls` the listener speaks HTTPS; with `tls.clientCa` it is mutual TLS: a client must
 * present a certificate signed by that CA (and no other), or the handshake is refused — the
 * alternative to the service token where TLS reaches the server itself.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { SessionManager } from '@gatehouse/sessions';
import { toNodeHandler } from '@modelcontextprotocol/node';
import {
  createMcpHandler,
  hostHeaderValidationResponse,
  isLegacyRequest,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  originValidationResponse,
} from '@modelcontextprotocol/server';
import { healthReport } from './health.ts';
import type { DomainServer } from './server.ts';
import type { ServerTls } from './tls.ts';

export interface HttpOptions {
  port?: number;
  host?: string;
  path?: string;
  /** Extra Host/Origin names to accept besides loopback (e.g. the service's cluster DNS name). */
  allowedHosts?: string[];
  /** When set, every MCP request must carry `Authorization: Bearer <token>`. */
  token?: string;
  /** 2025-era sessions unused for this long end (default 30 minutes). */
  sessionIdleMs?: number;
  /** At most this many open 2025-era sessions (default 10 000). */
  maxSessions?: number;
  /** HTTPS (and, with `clientCa`, mutual TLS) instead of plain HTTP. */
  tls?: ServerTls;
}

export interface RunningHttpServer {
  readonly url: string;
  /** How many 2025-era sessions are open. */
  readonly openSessions: number;
  close(): Promise<void>;
}

function rpcError(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: '2.0', error: { code, message }, id: null }, { status });
}

function bearerMatches(header: string, token: string): boolean {
  const given = Buffer.from(header.replace(/^Bearer\s+/i, ''));
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Why a request is refused under a service token (undefined: it carries the right one). */
function tokenRefusal(header: string | null, token: string): string | undefined {
  if (header === null || header.trim() === '')
    return 'Unauthorized: this server only answers the gateway, and the request carries no service token (Authorization: Bearer …)';
  if (!bearerMatches(header, token))
    return 'Unauthorized: this server only answers the gateway, and the service token does not match';
  return undefined;
}

export interface FetchHandler {
  fetch(request: Request): Promise<Response>;
  close(): Promise<void>;
  /** How many 2025-era sessions are open. */
  readonly openSessions: number;
}

/** The fetch-shaped handler (no socket): what `serveHttp` listens with, and what tests can call. */
export function createFetchHandler(
  domain: DomainServer,
  options: Pick<HttpOptions, 'path' | 'allowedHosts' | 'token' | 'sessionIdleMs' | 'maxSessions'> = {},
): FetchHandler {
  const path = options.path ?? '/mcp';
  const hosts = [...new Set([...localhostAllowedHostnames(), ...(options.allowedHosts ?? [])])];
  const origins = [...new Set([...localhostAllowedOrigins(), ...hosts])];
  const modern = createMcpHandler((ctx) => domain.create(ctx), {
    legacy: 'reject',
    onerror: (error) => domain.log.warn({ err: error }, 'request failed'),
  });
  const sessions = new SessionManager({
    open: (request) => ({ server: domain.create({ era: 'legacy', requestInfo: request }), state: undefined }),
    idleMs: options.sessionIdleMs,
    maxSessions: options.maxSessions,
    onError: (error) => domain.log.debug({ err: error }, 'session error'),
  });
  const fetch = async (request: Request): Promise<Response> => {
    const rejected =
      hostHeaderValidationResponse(request, hosts) ?? originValidationResponse(request, origins);
    if (rejected !== undefined) return rejected;
    const url = new URL(request.url);
    if (url.pathname === '/healthz' && request.method === 'GET') {
      const report = await healthReport(domain.definition, domain.checks, request.signal);
      return Response.json(report, { status: report.status === 'down' ? 503 : 200 });
    }
    if (url.pathname !== path) return new Response('Not Found', { status: 404 });
    const refusal =
      options.token === undefined
        ? undefined
        : tokenRefusal(request.headers.get('authorization'), options.token);
    if (refusal !== undefined) return rpcError(401, -32001, refusal);
    if (await isLegacyRequest(request)) return sessions.handle(request);
    return modern.fetch(request);
  };
  const close = async (): Promise<void> => {
    await Promise.allSettled([modern.close(), sessions.closeAll()]);
  };
  return {
    fetch,
    close,
    get openSessions() {
      return sessions.size;
    },
  };
}

/** Listens on `host:port` (port 0 picks a free one) and resolves once it is listening. */
export async function serveHttp(domain: DomainServer, options: HttpOptions = {}): Promise<RunningHttpServer> {
  const host = options.host ?? '127.0.0.1';
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const handler = createFetchHandler(domain, {
    ...options,
    allowedHosts: [...(options.allowedHosts ?? []), bracketed],
  });
  const onerror = (error: Error): void => domain.log.warn({ err: error }, 'http error');
  const node = toNodeHandler(handler, { onerror });
  const listener: Parameters<typeof createHttpServer>[1] = (req, res) => {
    node(req, res).catch((error: unknown) => {
      onerror(error instanceof Error ? error : new Error(String(error)));
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
  const tls = options.tls;
  const httpServer: Server =
    tls === undefined
      ? createHttpServer(listener)
      : createHttpsServer(
          {
            cert: tls.cert,
            key: tls.key,
            ...(tls.clientCa === undefined
              ? {}
              : { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true }),
          },
          listener,
        );
  // A refused handshake (no client certificate, one from another CA) is the client's problem.
  httpServer.on('tlsClientError', (error: Error) =>
    domain.log.debug({ err: error }, 'tls handshake refused'),
  );
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `${tls === undefined ? 'http' : 'https'}://${bracketed}:${port}${options.path ?? '/mcp'}`,
    get openSessions() {
      return handler.openSessions;
    },
    close: () => {
      closing ??= (async () => {
        await handler.close();
        httpServer.closeAllConnections();
        await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      })();
      return closing;
    },
  };
}
