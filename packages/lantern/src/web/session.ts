/**
 * Web sign-in state: the session cookie (`lantern_session`: HttpOnly, SameSite=Lax, Secure when
 * served over HTTPS) and the per-session CSRF token every form posts back. A page that needs a
 * user sends a browser without a session to the login page; a form post whose token does not
 * match is refused (403) before anything changes.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { LanternCore } from '../core.ts';
import type { WebSession } from '../domain/accounts.ts';
import type { Actor } from '../domain/permissions.ts';

export const SESSION_COOKIE = 'lantern_session';

export type WebEnv = { Variables: { session: WebSession; actor: Actor } };

export function startSession(c: Context, session: WebSession): void {
  setCookie(c, SESSION_COOKIE, session.cookie, {
    httpOnly: true,
    sameSite: 'Lax',
    path: '/',
    secure: new URL(c.req.url).protocol === 'https:',
    maxAge: 12 * 3600,
  });
}

export function endSession(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
}

export function sessionCookie(c: Context): string | undefined {
  return getCookie(c, SESSION_COOKIE);
}

/** Pages behind sign-in: the session's user becomes the actor (`via: web`). */
export function requireSession(core: LanternCore): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    const cookie = sessionCookie(c);
    const session = cookie === undefined ? undefined : await core.accounts.session(cookie);
    if (session === undefined) {
      const back = c.req.method === 'GET' ? `?next=${encodeURIComponent(c.req.path)}` : '';
      return c.redirect(`/login${back}`, 303);
    }
    c.set('session', session);
    c.set('actor', { kind: 'user', user: session.user, via: 'web' });
    await next();
  };
}

/** A form's `csrf` field must be the session's token; JSON posts send it as `x-csrf-token`. */
export async function checkCsrf(c: Context<WebEnv>, form: Record<string, unknown>): Promise<boolean> {
  const sent = typeof form.csrf === 'string' ? form.csrf : c.req.header('x-csrf-token');
  return sent !== undefined && sent === c.get('session').csrf;
}
