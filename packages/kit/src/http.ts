/**
 * Streamable HTTP for a kit server, both protocol eras on one path (`/mcp`):
 *
 * - 2026-07-28 requests (per-request `_meta` envelope) go to the SDK's `createMcpHandler`, which
 *   builds a fresh server per request;
 * - 2025-era requests open a session on `initialize` (an SDK transport per session, keyed by
 *   `Mcp-Session-Id`); DELETE ends it, an unknown session gets 404.
 *
 * `isLegacyRequest` (the SDK's own classification) splits the two. Before either sees a request:
 * Host/Origin validation against loopback names plus the configured ones (DNS rebinding), and,
 * when a service token is configured, `Authorization: Bearer <token>` — so only the gateway,
 * which holds the token, can reach the server. `/healthz` runs the health checks.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler } from '@modelcontextprotocol/node';
import {
  createMcpHandler,
  hostHeaderValidationResponse,
  isInitializeRequest,
  isLegacyRequest,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  type McpServer,
  originValidationResponse,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server';
import { healthReport } from './health.ts';
import type { DomainServer } from './server.ts';

export interface HttpOptions {
  port?: number;
  host?: string;
  path?: string;
  /** Extra Host/Origin names to accept besides loopback (e.g. the service's cluster DNS name). */
  allowedHosts?: string[];
  /** When set, every MCP request must carry `Authorization: Bearer <token>`. */
  token?: string;
}

export interface RunningHttpServer {
  readonly url: string;
  close(): Promise<void>;
}

function rpcError(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: '2.0', error: { code, message }, id: null }, { status });
}

function bearerMatches(header: string | null, token: string): boolean {
  const given = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

class Sessions {
  private readonly open = new Map<
    string,
    { transport: WebStandardStreamableHTTPServerTransport; server: McpServer }
  >();
  private readonly domain: DomainServer;

  constructor(domain: DomainServer) {
    this.domain = domain;
  }

  async handle(request: Request): Promise<Response> {
    const id = request.headers.get('mcp-session-id');
    if (id !== null) {
      const session = this.open.get(id);
      if (session === undefined) return rpcError(404, -32001, 'Session not found');
      return session.transport.handleRequest(request);
    }
    if (request.method !== 'POST')
      return rpcError(400, -32000, 'Bad Request: Mcp-Session-Id header is required');
    const body: unknown = await request.json().catch(() => undefined);
    if (body === undefined) return rpcError(400, -32700, 'Parse error: the body is not valid JSON');
    if (!isInitializeRequest(body)) return rpcError(400, -32000, 'Bad Request: send initialize first');
    const server = this.domain.create({ era: 'legacy', requestInfo: request });
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sessionId) => {
        this.open.set(sessionId, { transport, server });
      },
      onsessionclosed: (sessionId) => this.forget(sessionId),
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) this.forget(transport.sessionId);
    };
    await server.connect(transport);
    return transport.handleRequest(request, { parsedBody: body });
  }

  private forget(id: string): void {
    const session = this.open.get(id);
    if (session === undefined) return;
    this.open.delete(id);
    session.server.close().catch(() => {});
  }

  async closeAll(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.allSettled(all.map((s) => s.server.close()));
  }
}

/** The fetch-shaped handler (no socket): what `serveHttp` listens with, and what tests can call. */
export function createFetchHandler(
  domain: DomainServer,
  options: Pick<HttpOptions, 'path' | 'allowedHosts' | 'token'> = {},
): { fetch: (request: Request) => Promise<Response>; close: () => Promise<void> } {
  const path = options.path ?? '/mcp';
  const hosts = [...new Set([...localhostAllowedHostnames(), ...(options.allowedHosts ?? [])])];
  const origins = [...new Set([...localhostAllowedOrigins(), ...hosts])];
  const modern = createMcpHandler((ctx) => domain.create(ctx), {
    legacy: 'reject',
    onerror: (error) => domain.log.warn({ err: error }, 'request failed'),
  });
  const sessions = new Sessions(domain);
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
    if (options.token !== undefined && !bearerMatches(request.headers.get('authorization'), options.token)) {
      return rpcError(401, -32001, 'Unauthorized: this server only answers the gateway');
    }
    if (await isLegacyRequest(request)) return sessions.handle(request);
    return modern.fetch(request);
  };
  const close = async (): Promise<void> => {
    await Promise.allSettled([modern.close(), sessions.closeAll()]);
  };
  return { fetch, close };
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
  const httpServer = createServer((req, res) => {
    node(req, res).catch((error: unknown) => {
      onerror(error instanceof Error ? error : new Error(String(error)));
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${bracketed}:${port}${options.path ?? '/mcp'}`,
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
