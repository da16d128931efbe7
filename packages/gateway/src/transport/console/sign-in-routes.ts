/**
 * Signing in to the console: with an approver's API key (POST /console/login), or through the
 * configured OIDC issuer (GET /console/oidc/start → the issuer → GET /console/oidc/callback, see
 * auth/oidc-sign-in.ts). Both end the same way: the principal must hold an approver role
 * (`mayReview`), then `ConsoleSessions.open`, the session cookie, and a `console/login` audit
 * record; a refusal is the sign-in page with one line, and no session.
 */
import type { Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { mayReview } from '../../approvals/approval-decisions.ts';
import type { Principal } from '../../auth/principal.ts';
import { CONSOLE_CALLBACK_PATH } from '../../config/model-access.ts';
import type { ConsoleDeps, ConsoleEnv } from './console-app.ts';
import { consoleEvent } from './console-events.ts';
import { CONSOLE_PATH, loginPage, signedInPage } from './console-layout.ts';
import { CONSOLE_COOKIE, type ConsoleSessions } from './console-sessions.ts';

/** Binds a started OIDC sign-in to the browser; Lax, so the issuer's redirect back carries it. */
const OIDC_COOKIE = 'gatehouse_console_oidc';
const OIDC_COOKIE_PATH = `${CONSOLE_PATH}/oidc`;

export function safeNext(next: string | undefined): string {
  return next?.startsWith(`${CONSOLE_PATH}/`) && !next.startsWith('//') && !next.includes('\\')
    ? next
    : `${CONSOLE_PATH}/approvals`;
}

export async function formOf(c: Context): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  return Object.fromEntries(
    Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

type Admission = { ok: true } | { ok: false; message: string };

export function signInRoutes(app: Hono<ConsoleEnv>, deps: ConsoleDeps, sessions: ConsoleSessions): void {
  const oidc = deps.gateway.access.oidcSignIn;
  const page = (
    c: Context<ConsoleEnv>,
    status: 200 | 400 | 401 | 403 | 502 | 503,
    error?: string,
    next?: string,
  ) =>
    c.html(
      loginPage({
        ...(error === undefined ? {} : { error }),
        next: safeNext(next),
        ...(oidc === null ? {} : { oidcIssuer: oidc.issuer }),
      }),
      status,
    );

  /** The approver check, the session and its cookie, and the audit record — for both ways in. */
  async function admit(c: Context<ConsoleEnv>, principal: Principal, holder: string): Promise<Admission> {
    const config = deps.config();
    if (!mayReview(principal, config)) {
      const message = `The console is for the roles [${config.approvers.join(', ')}]; ${holder} [${principal.roles.join(', ')}].`;
      await deps.audit?.record(
        consoleEvent(principal, 'console/login', 'console', null, { ok: false, message }),
      );
      return { ok: false, message };
    }
    const { cookie } = await sessions.open(principal);
    setCookie(c, CONSOLE_COOKIE, cookie, {
      httpOnly: true,
      sameSite: 'Strict',
      path: CONSOLE_PATH,
      secure: new URL(c.req.url).protocol === 'https:',
    });
    await deps.audit?.record(consoleEvent(principal, 'console/login', 'console', null, { ok: true }));
    return { ok: true };
  }

  app.get('/login', (c) => page(c, 200, undefined, c.req.query('next')));
  app.post('/login', async (c) => {
    const form = await formOf(c);
    const identity = await deps.auth.authenticate(`Bearer ${form.key ?? ''}`);
    if (!identity.ok && identity.response.status === 503)
      return page(
        c,
        503,
        'Your key cannot be checked right now: the key store is unreachable. Nothing is wrong with the key; try again shortly.',
        form.next,
      );
    if (!identity.ok) return page(c, 401, 'That key is unknown or revoked.', form.next);
    const admitted = await admit(c, identity.principal, 'this key has');
    if (!admitted.ok) return page(c, 403, admitted.message, form.next);
    return c.redirect(safeNext(form.next), 303);
  });

  app.get('/oidc/start', async (c) => {
    if (oidc === null) return c.text('Signing in through OIDC is not configured (auth.oidc.console).', 404);
    const started = await oidc.begin(safeNext(c.req.query('next')));
    if (!started.ok) return page(c, started.status, started.message, c.req.query('next'));
    setCookie(c, OIDC_COOKIE, started.cookie, {
      httpOnly: true,
      sameSite: 'Lax',
      path: OIDC_COOKIE_PATH,
      maxAge: 600,
      secure: new URL(c.req.url).protocol === 'https:',
    });
    return c.redirect(started.location, 303);
  });

  app.get(CONSOLE_CALLBACK_PATH.slice(CONSOLE_PATH.length), async (c) => {
    if (oidc === null) return c.text('Signing in through OIDC is not configured (auth.oidc.console).', 404);
    const cookie = getCookie(c, OIDC_COOKIE);
    deleteCookie(c, OIDC_COOKIE, { path: OIDC_COOKIE_PATH });
    const finished = await oidc.finish(cookie, new URL(c.req.url).searchParams);
    if (!finished.ok) return page(c, finished.status, finished.message, finished.next);
    const admitted = await admit(c, finished.principal, `${oidc.issuer} gives you`);
    if (!admitted.ok) return page(c, 403, admitted.message, finished.next);
    return c.html(signedInPage({ user: finished.principal.user, next: safeNext(finished.next) }));
  });
}
