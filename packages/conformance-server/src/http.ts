/**
 * Streamable HTTP serving for both protocol eras at `/mcp`:
 *
 * - 2026-07-28 (per-request `_meta` envelope, stateless): `createMcpHandler` with
 *   `legacy: 'reject'`, sharing the listen bus with the trigger tools.
 * - 2025-era handshake revisions (2025-11-25, 2025-06-18, 2025-03-26): the shared session
 *   manager (@gatehouse/sessions), one sessionful SDK transport per session with an event
 *   store (SSE resumption via `Last-Event-ID`) and a `retry:` interval. DELETE ends a
 *   session; an unknown session ID answers 404.
 *
 * `isLegacyRequest` routes between the two legs. Host and Origin headers are validated
 * against localhost names (DNS rebinding protection) before either leg sees a request.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BoundedEventStore, SessionManager } from '@gatehouse/sessions';
import { toNodeHandler } from '@modelcontextprotocol/node';
import {
  createMcpHandler,
  hostHeaderValidationResponse,
  isJsonContentType,
  isLegacyRequest,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  originValidationResponse,
} from '@modelcontextprotocol/server';
import { type ConformanceDeps, createConformanceDeps } from './context.ts';
import { createConformanceServer } from './server.ts';
import { taskSupportRejection } from './tools-tasks.ts';

/** Options for {@link startConformanceHttpServer}. */
export interface ConformanceHttpOptions {
  /** TCP port; `0` (the default) picks a free one. */
  port?: number;
  /** Interface to bind; defaults to `127.0.0.1`. */
  host?: string;
  /** `retry:` interval (ms) sent in SSE priming events of 2025-era streams. */
  retryIntervalMs?: number;
  /** Receives out-of-band errors; defaults to writing them to stderr. */
  onError?: (error: Error) => void;
}

/** A running conformance HTTP server. */
export interface ConformanceHttpServer {
  /** The MCP endpoint, e.g. `http://127.0.0.1:41234/mcp`. */
  readonly url: string;
  /** Stops accepting connections, ends every session and open stream. */
  close(): Promise<void>;
}

export const MCP_PATH = '/mcp';

/** Default error sink: one line per error on stderr (rejected requests are reported here too). */
function logError(error: Error): void {
  process.stderr.write(`[conformance-server] ${error.message}\n`);
}

function jsonRpcError(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: '2.0', error: { code, message }, id: null }, { status });
}

/** Builds the fetch-shaped handler serving both eras (no listening socket). */
export function createConformanceFetchHandler(options: {
  deps?: ConformanceDeps;
  retryIntervalMs?: number;
  allowedHostnames?: string[];
  onError?: (error: Error) => void;
}): { fetch: (request: Request) => Promise<Response>; close: () => Promise<void> } {
  const deps = options.deps ?? createConformanceDeps();
  const onError = options.onError ?? logError;
  const allowedHostnames = options.allowedHostnames ?? localhostAllowedHostnames();
  const allowedOrigins = [...new Set([...localhostAllowedOrigins(), ...allowedHostnames])];
  const modern = createMcpHandler((ctx) => createConformanceServer(ctx, deps), {
    legacy: 'reject',
    bus: deps.bus,
    onerror: onError,
  });
  const legacy = new SessionManager({
    open: (request) => ({
      server: createConformanceServer({ era: 'legacy', requestInfo: request }, deps),
      state: undefined,
    }),
    retryIntervalMs: options.retryIntervalMs ?? 500,
    eventStore: () => new BoundedEventStore({ maxEvents: 1000 }),
    onError,
  });

  const fetch = async (request: Request): Promise<Response> => {
    const rejected =
      hostHeaderValidationResponse(request, allowedHostnames) ??
      originValidationResponse(request, allowedOrigins);
    if (rejected !== undefined) return rejected;
    if (new URL(request.url).pathname !== MCP_PATH) return new Response('Not Found', { status: 404 });
    if (request.method === 'POST' && !isJsonContentType(request.headers.get('content-type'))) {
      return jsonRpcError(415, -32000, 'Unsupported Media Type: Content-Type must be application/json');
    }
    if (await isLegacyRequest(request)) return legacy.handle(request);
    if (request.method === 'POST') {
      const body: unknown = await request
        .clone()
        .json()
        .catch(() => undefined);
      const taskRejection = taskSupportRejection(body);
      if (taskRejection !== undefined) return taskRejection;
    }
    return modern.fetch(request);
  };
  const close = async (): Promise<void> => {
    deps.tasks.cancelAll();
    await Promise.allSettled([modern.close(), legacy.closeAll()]);
  };
  return { fetch, close };
}

/** Starts the conformance server on `host:port` and resolves once it is listening. */
export async function startConformanceHttpServer(
  options: ConformanceHttpOptions = {},
): Promise<ConformanceHttpServer> {
  const host = options.host ?? '127.0.0.1';
  const onError = options.onError ?? logError;
  const allowedHostnames = [...new Set([...localhostAllowedHostnames(), hostnameForUrl(host)])];
  const handler = createConformanceFetchHandler({
    retryIntervalMs: options.retryIntervalMs,
    allowedHostnames,
    onError,
  });
  const nodeHandler = toNodeHandler(handler, { onerror: onError });
  const httpServer = createServer((req, res) => {
    nodeHandler(req, res).catch((error: unknown) => {
      onError(error instanceof Error ? error : new Error(String(error)));
      if (!res.headersSent) res.writeHead(500).end();
      else res.end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 0, host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://${hostnameForUrl(host)}:${port}${MCP_PATH}`;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await handler.close();
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    })();
    return closing;
  };
  return { url, close };
}

/** IPv6 literals need brackets in URLs and Host headers. */
function hostnameForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
