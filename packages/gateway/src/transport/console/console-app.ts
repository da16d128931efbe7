/**
 * The console, served by the gateway at /console: sign-in with an API key of an approver role
 * (approvals.approvers), then the approvals queue, the audit log and the API keys — each page on
 * the code the HTTP API and the CLI already use (decideApproval, the audit store's query and
 * verifyChain, the key store). Same-origin only (Host/Origin checked as on the MCP endpoint), a
 * session cookie scoped to /console (HttpOnly, SameSite=Strict), a CSRF token on every form, and
 * a strict Content-Security-Policy (nothing inline).
 */
import { type Context, Hono } from 'hono';
import { deleteCookie, getCookie } from 'hono/cookie';
import { secureHeaders } from 'hono/secure-headers';
import { decideApproval, mayDecide, refusedDecisionEvent } from '../../approvals/approval-decisions.ts';
import type { ApprovalStore } from '../../approvals/approval-store.ts';
import type { AuditLog } from '../../audit/audit-log.ts';
import type { ApiKeyStore } from '../../auth/api-keys.ts';
import type { ServerModel } from '../../config/model.ts';
import type { ApprovalsModel } from '../../config/model-access.ts';
import type { Gateway } from '../../gateway.ts';
import { expiringRecords } from '../../storage/expiring-records.ts';
import { StoreUnavailable } from '../../storage/unavailable.ts';
import type { HttpAuth } from '../http-auth.ts';
import { checkHostAndOrigin } from '../hygiene.ts';
import { APPROVALS_SCRIPT, approvalsPage, pendingRows } from './approvals-page.ts';
import { AUDIT_PAGE_SIZE, auditFilter, auditPage, auditRecordPage } from './audit-page.ts';
import { catalogRoutes } from './catalog-routes.ts';
import { consoleEvent } from './console-events.ts';
import { CONSOLE_PATH } from './console-layout.ts';
import {
  CONSOLE_COOKIE,
  type ConsoleSession,
  ConsoleSessions,
  MAX_CONSOLE_SESSIONS,
} from './console-sessions.ts';
import { CONSOLE_STYLES } from './console-styles.ts';
import { keysPage } from './keys-page.ts';
import { pinsRoutes } from './pins-routes.ts';
import { formOf, signInRoutes } from './sign-in-routes.ts';
import { trafficRoutes } from './traffic-routes.ts';
import { upstreamsRoutes } from './upstreams-routes.ts';

export { CONSOLE_PATH };

export interface ConsoleDeps {
  /** The running gateway (its catalog, upstreams, metrics and model), for the pages that show it. */
  gateway: Gateway;
  auth: HttpAuth;
  approvals: ApprovalStore;
  keys: ApiKeyStore | null;
  audit: AuditLog | null;
  /** The approval settings in force (who the approvers are). */
  config: () => ApprovalsModel;
  server: ServerModel;
}

/** What a signed-in route has: the session, and a POST's form (its CSRF token already checked). */
export type ConsoleEnv = { Variables: { session: ConsoleSession; form: Record<string, string> } };
type Env = ConsoleEnv;

const EXPORT_LIMIT = 10_000;

function approvalRoutes(app: Hono<Env>, deps: ConsoleDeps): void {
  const show = async (c: Context<Env>, extra: { error?: string; done?: string } = {}, status = 200) =>
    c.html(
      approvalsPage({
        session: c.get('session'),
        pending: await deps.approvals.list({ status: 'pending' }),
        history: (await deps.approvals.list({ limit: 50 })).filter((a) => a.status !== 'pending'),
        ...extra,
      }),
      status as 200,
    );
  app.get('/approvals', (c) => show(c));
  app.get('/approvals/pending', async (c) =>
    c.html(pendingRows(await deps.approvals.list({ status: 'pending' }), c.get('session'))),
  );
  app.post('/approvals/:id', async (c) => {
    const form = c.get('form');
    const principal = c.get('session').principal;
    const verdict = form.verdict === 'approve' || form.verdict === 'deny' ? form.verdict : undefined;
    const current = await deps.approvals.get(c.req.param('id'));
    if (verdict === undefined || current === undefined)
      return show(c, { error: 'No such request, or no decision given.' }, 404);
    const allowed = mayDecide(principal, current, deps.config());
    if (!allowed.ok) {
      await deps.audit?.record(
        refusedDecisionEvent(principal, `approvals/${verdict}`, current, allowed.message, 'http'),
      );
      return show(c, { error: allowed.message }, 403);
    }
    const note = (form.note ?? '').trim().slice(0, 2000) || null;
    const result = await decideApproval(deps.approvals, deps.audit, {
      id: current.id,
      verdict,
      by: principal,
      note,
      transport: 'http',
    });
    if (!result.ok)
      return show(
        c,
        { error: `${current.id} is ${result.request?.status ?? 'gone'}; nothing was decided.` },
        409,
      );
    return show(c, {
      done: `${verdict === 'approve' ? 'Approved' : 'Denied'} ${current.id} (${current.target} for ${current.principal.user}).`,
    });
  });
}

function keyRoutes(app: Hono<Env>, deps: ConsoleDeps): void {
  const list = async () => (deps.keys === null ? null : await deps.keys.list());
  app.get('/keys', async (c) => c.html(keysPage({ session: c.get('session'), keys: await list() })));
  app.post('/keys', async (c) => {
    const session = c.get('session');
    const form = c.get('form');
    const user = (form.user ?? '').trim();
    const roles = (form.roles ?? '')
      .split(',')
      .map((r) => r.trim())
      .filter((r) => r !== '');
    if (deps.keys === null) return c.html(keysPage({ session, keys: null }), 404);
    if (user === '' || roles.length === 0) {
      return c.html(
        keysPage({ session, keys: await list(), error: 'A key needs a user and at least one role.' }),
        422,
      );
    }
    const org = (form.org ?? '').trim();
    const description = (form.description ?? '').trim();
    const created = await deps.keys.create({
      user,
      roles,
      org: org || null,
      description: description || null,
    });
    await deps.audit?.record(
      consoleEvent(
        session.principal,
        'keys/create',
        created.info.id,
        { user, roles, org: org || null },
        { ok: true },
      ),
    );
    return c.html(keysPage({ session, keys: await list(), created }), 201);
  });
  app.post('/keys/:id/revoke', async (c) => {
    const session = c.get('session');
    const id = c.req.param('id');
    const revoked = deps.keys === null ? false : await deps.keys.revoke(id);
    if (revoked)
      await deps.audit?.record(consoleEvent(session.principal, 'keys/revoke', id, null, { ok: true }));
    return c.html(
      keysPage({
        session,
        keys: await list(),
        ...(revoked ? { done: `Revoked ${id}.` } : { error: `No active key ${id}.` }),
      }),
      revoked ? 200 : 404,
    );
  });
}

function auditRoutes(app: Hono<Env>, deps: ConsoleDeps): void {
  const off = (c: Context<Env>) => c.text('The audit log is off in this configuration (audit.enabled).', 404);
  const params = (c: Context<Env>) => new URL(c.req.url).searchParams;
  app.get('/audit', async (c) => {
    if (deps.audit === null) return off(c);
    const records = await deps.audit.query(auditFilter(params(c), AUDIT_PAGE_SIZE));
    return c.html(auditPage({ session: c.get('session'), params: params(c), records }));
  });
  app.get('/audit/export', async (c) => {
    if (deps.audit === null) return off(c);
    const records = (await deps.audit.query(auditFilter(params(c), EXPORT_LIMIT))).reverse();
    return c.body(records.map((r) => JSON.stringify(r)).join('\n') + (records.length > 0 ? '\n' : ''), 200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'content-disposition': 'attachment; filename="gatehouse-audit.jsonl"',
    });
  });
  app.post('/audit/verify', async (c) => {
    if (deps.audit === null) return off(c);
    const verified = await deps.audit.verify();
    const records = await deps.audit.query({ limit: AUDIT_PAGE_SIZE });
    return c.html(auditPage({ session: c.get('session'), params: new URLSearchParams(), records, verified }));
  });
  app.get('/audit/:seq', async (c) => {
    if (deps.audit === null) return off(c);
    const seq = Number(c.req.param('seq'));
    const record = Number.isSafeInteger(seq) && seq > 0 ? await deps.audit.recordAt(seq) : undefined;
    if (record === undefined) return c.text(`There is no audit record ${c.req.param('seq')}.`, 404);
    return c.html(auditRecordPage({ session: c.get('session'), record }));
  });
}

export function createConsole(deps: ConsoleDeps): (request: Request) => Promise<Response> {
  const sessions = new ConsoleSessions(
    expiringRecords<ConsoleSession>(
      deps.gateway.access.shared,
      'console-session',
      'The console sign-ins (shared PostgreSQL)',
      MAX_CONSOLE_SESSIONS,
    ),
  );
  const app = new Hono<Env>().basePath(CONSOLE_PATH);
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
      referrerPolicy: 'same-origin',
    }),
  );
  app.use(async (c, next) => {
    c.header('cache-control', 'no-store');
    await next();
  });
  app.get('/assets/console.css', (c) =>
    c.body(CONSOLE_STYLES, 200, { 'content-type': 'text/css; charset=utf-8' }),
  );
  app.get('/assets/approvals.js', (c) =>
    c.body(APPROVALS_SCRIPT, 200, { 'content-type': 'text/javascript; charset=utf-8' }),
  );
  signInRoutes(app, deps, sessions);
  app.use(async (c, next) => {
    const session = await sessions.get(getCookie(c, CONSOLE_COOKIE));
    if (session === undefined) {
      const back = c.req.method === 'GET' ? `?next=${encodeURIComponent(c.req.path)}` : '';
      return c.redirect(`${CONSOLE_PATH}/login${back}`, 303);
    }
    c.set('session', session);
    if (c.req.method === 'POST') {
      const form = await formOf(c);
      if (form.csrf !== session.csrf)
        return c.text('This form is out of date; reload the page and try again.', 403);
      c.set('form', form);
    }
    await next();
  });
  app.get('/', (c) => c.redirect(`${CONSOLE_PATH}/approvals`, 303));
  app.post('/logout', async (c) => {
    await sessions.close(getCookie(c, CONSOLE_COOKIE));
    deleteCookie(c, CONSOLE_COOKIE, { path: CONSOLE_PATH });
    return c.redirect(`${CONSOLE_PATH}/login`, 303);
  });
  approvalRoutes(app, deps);
  catalogRoutes(app, deps);
  pinsRoutes(app, deps);
  upstreamsRoutes(app, deps);
  trafficRoutes(app, deps);
  keyRoutes(app, deps);
  auditRoutes(app, deps);
  app.notFound((c) => c.text('There is no such console page.', 404));
  app.onError((error, c) => {
    if (error instanceof StoreUnavailable) {
      c.header('retry-after', '5');
      return c.text(
        `${error.what} cannot be reached right now, so this page cannot be shown and nothing was changed. Try again shortly.`,
        503,
      );
    }
    return c.text('The console could not show this page; the gateway log has the error.', 500);
  });
  return async (request) => {
    const refused = checkHostAndOrigin(request.headers, deps.server);
    if (refused) return refused;
    return app.fetch(request);
  };
}
