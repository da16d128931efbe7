/**
 * The HTTP front as one fetch handler: health endpoints, hygiene, then the era split — requests
 * carrying the 2026-07-28 envelope go to the SDK's stateless handler, everything else to the
 * 2025-era session layer. It only translates; all decisions live in the pipeline.
 */
import { timingSafeEqual } from 'node:crypto';
import {
  type AuthInfo,
  createMcpHandler,
  isLegacyRequest,
  type McpHttpHandler,
} from '@modelcontextprotocol/server';
import { RefusalAudit } from '../audit/refusals.ts';
import { admittedCaller } from '../auth/admitted-caller.ts';
import type { ServerModel } from '../config/model.ts';
import type { Gateway } from '../gateway.ts';
import type { Logger } from '../observability/logger.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import { PgSessionBus } from '../storage/session-bus-pg.ts';
import { PgSessionRecords } from '../storage/session-records-pg.ts';
import { type Admission, type Admitter, createAdmission, eraOfHeaders } from './admission.ts';
import { APPROVALS_API_PATH, createApprovalsApi } from './approvals-api.ts';
import { CONSOLE_PATH, createConsole } from './console/console-app.ts';
import { createHttpAuth } from './http-auth.ts';
import { type BodyLimits, type BodyOutcome, bodyLimitsOf, readJsonRpcBody } from './hygiene.ts';
import { LegacySessions } from './legacy-sessions.ts';
import { jsonRpcError, plainJson } from './responses.ts';

/** Per-request options from the Node entry: a caller it already admitted, a body it parsed. */
export interface FrontFetchOptions {
  /**
   * The caller the call lane already admitted (an AdmittedCaller, which only in-process code
   * makes): the front does not admit the request again.
   */
  authInfo?: AuthInfo;
  /** The POST body, already read and checked as JSON-RPC by the Node entry. */
  parsedBody?: unknown;
}

export interface HttpFront {
  fetch(request: Request, options?: FrontFetchOptions): Promise<Response>;
  /** Admission for every HTTP driver (the Node entry admits with it before the lane or the front). */
  readonly admission: Admitter;
  /** Where requests refused before the pipeline are audited (null when the audit is off). */
  readonly refusals: RefusalAudit | null;
  readonly sessions: LegacySessions;
  /** True once the gateway stopped accepting MCP requests. */
  readonly draining: boolean;
  /** Stop accepting MCP requests (503) and report not ready; requests already running go on. */
  stopAccepting(): void;
  close(): Promise<void>;
}

export function createHttpFront(gateway: Gateway, server: ServerModel, log: Logger): HttpFront {
  const modern: McpHttpHandler = createMcpHandler(
    () => gateway.createServer({ era: 'modern', transport: 'http' }),
    {
      legacy: 'reject',
      maxRequestBodySize: server.maxBodyBytes,
      onerror: (error) => log.debug({ err: error.message }, 'modern request rejected'),
    },
  );
  gateway.fanout.addNotifier(modern.notify);
  gateway.metrics?.observe({ sessions: () => sessions.size });
  const shared = gateway.access.shared;
  const postgres = gateway.model.storage.postgres;
  const bus =
    shared === null || postgres === null
      ? null
      : new PgSessionBus(shared, postgres.url, (error) =>
          log.warn({ err: error.message }, 'session bus (PostgreSQL LISTEN/NOTIFY)'),
        );
  const sessions = new LegacySessions(
    gateway,
    {
      idleMs: server.sessionIdleMs,
      maxSessions: server.maxSessions,
      maxBodyBytes: server.maxBodyBytes,
      ...(shared === null || bus === null ? {} : { records: new PgSessionRecords(shared), bus }),
    },
    log,
  );
  let draining = false;
  const bodyLimits = bodyLimitsOf(server);
  const auth = createHttpAuth(gateway.access.authenticator, gateway.model.auth, server);
  const approvalsApi = createApprovalsApi({
    auth,
    store: gateway.access.approvals,
    audit: gateway.access.audit,
    config: () => gateway.model.approvals,
    server,
  });

  const consoleApp = createConsole({
    gateway,
    auth,
    approvals: gateway.access.approvals,
    keys: gateway.access.keys,
    audit: gateway.access.audit,
    config: () => gateway.model.approvals,
    server,
  });

  const refusals = gateway.access.audit === null ? null : new RefusalAudit(gateway.access.audit, log);
  const admission = createAdmission({ server, auth, draining: () => draining, refusals });

  async function mcp(request: Request, options: FrontFetchOptions | undefined): Promise<Response> {
    // Admitted once: by the call lane (which handed the request over; a call it accepted before
    // the drain began is answered, not refused), or here. Before reading the body, so a refused
    // caller costs no parsing.
    const admitted =
      alreadyAdmitted(options?.authInfo) ?? (await admission.admit(request.headers, 'unknown'));
    if (!admitted.ok) return admitted.response;
    const { caller } = admitted;
    const refused = async (response: Response): Promise<Response> => {
      const sessionId = request.headers.get('mcp-session-id') ?? undefined;
      const era = eraOfHeaders(request.headers);
      await refusals?.refused(response, {
        source: caller.source,
        era,
        principal: caller.principal,
        sessionId,
      });
      return response;
    };
    const body = await bodyOf(request, options?.parsedBody, bodyLimits);
    if (!body.ok) return refused(body.response);
    const parsedBody = body.body;
    if (await isLegacyRequest(request, parsedBody, { maxRequestBodySize: server.maxBodyBytes })) {
      const answered = await sessions.handle(request, parsedBody, caller.principal, caller);
      // An unknown or ended session (or another principal's) is refused before the pipeline.
      return answered.status === 404 ? refused(answered) : answered;
    }
    return modern.fetch(request, { parsedBody, authInfo: caller });
  }

  return {
    sessions,
    admission,
    refusals,
    get draining() {
      return draining;
    },
    async fetch(request, options) {
      const { pathname } = new URL(request.url);
      if (pathname === server.path) return mcp(request, options);
      if (pathname === APPROVALS_API_PATH || pathname.startsWith(`${APPROVALS_API_PATH}/`)) {
        return approvalsApi(request);
      }
      if (pathname === CONSOLE_PATH || pathname.startsWith(`${CONSOLE_PATH}/`)) return consoleApp(request);
      const metadata = request.method === 'GET' ? auth.metadata(pathname) : undefined;
      if (metadata) return metadata;
      if (pathname === '/healthz') return plainJson(200, { status: 'ok' });
      if (pathname === '/readyz') {
        const readiness = gateway.readiness();
        const ready = readiness.ready && !draining;
        return plainJson(ready ? 200 : 503, { ...readiness, ready, draining, sessions: sessions.size });
      }
      const metrics = gateway.model.observability.metrics;
      if (pathname === metrics.path && gateway.metrics !== null)
        return scrape(request, gateway.metrics, metrics.token);
      return plainJson(404, { error: 'not found', mcp: server.path });
    },
    stopAccepting() {
      draining = true;
    },
    async close() {
      draining = true;
      await refusals?.flush();
      await modern.close();
      await sessions.closeAll();
      await bus?.close();
    },
  };
}

/** A POST's JSON-RPC body (read here unless the Node entry parsed it); none for GET and DELETE. */
async function bodyOf(request: Request, parsed: unknown, limits: BodyLimits): Promise<BodyOutcome> {
  if (request.method === 'POST') {
    return parsed === undefined ? readJsonRpcBody(request, limits) : { ok: true, body: parsed };
  }
  if (request.method === 'GET' || request.method === 'DELETE') return { ok: true, body: undefined };
  return {
    ok: false,
    response: jsonRpcError(405, 'InvalidRequest', `Method Not Allowed: ${request.method}`),
  };
}

/** The caller the call lane already admitted, when it handed the request over. */
function alreadyAdmitted(authInfo: AuthInfo | undefined): Admission | undefined {
  const caller = admittedCaller(authInfo);
  return caller === undefined ? undefined : { ok: true, caller };
}

/** Prometheus exposition; with a configured token, only for scrapers that present it. */
async function scrape(request: Request, metrics: GatewayMetrics, token: string | null): Promise<Response> {
  if (request.method !== 'GET') return plainJson(405, { error: 'method not allowed' });
  if (token !== null && !sameSecret(request.headers.get('authorization') ?? '', `Bearer ${token}`)) {
    return plainJson(401, { error: 'a bearer token is required for metrics' });
  }
  const { contentType, body } = await metrics.scrape();
  return new Response(body, { status: 200, headers: { 'content-type': contentType } });
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
