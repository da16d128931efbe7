/**
 * The web UI: sign-in, the incident pages with their forms, and API tokens. It acts through the
 * same domain services as the REST API (actor `via: web`); a refused action re-renders the page
 * with the reason and the HTTP status the REST API would give. Every form post checks the
 * session's CSRF token first.
 */
import { type Context, Hono } from 'hono';
import type { ChatService } from '../chat/chat-service.ts';
import type { LanternCore } from '../core.ts';
import { isProductError } from '../domain/errors.ts';
import type { NewIncident, Status } from '../domain/incident-model.ts';
import { CHAT_STYLES, STYLESHEET } from './assets.ts';
import { chatRoutes } from './chat-routes.ts';
import { CHAT_SCRIPT } from './chat-script.ts';
import { confirmDeletePage, incidentListPage, incidentPage } from './incident-pages.ts';
import { loginPage } from './layout.ts';
import {
  checkCsrf,
  endSession,
  requireSession,
  sessionCookie,
  startSession,
  type WebEnv,
} from './session.ts';
import { tokensPage } from './token-pages.ts';

type Form = Record<string, string>;

async function formOf(c: { req: { parseBody(): Promise<Record<string, unknown>> } }): Promise<Form> {
  const body = await c.req.parseBody();
  return Object.fromEntries(
    Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

/** Only a path of this site may follow sign-in (never another origin). */
function safeNext(next: string | undefined): string {
  return next !== undefined && /^\/(?!\/)[\w\-./?=&%]*$/.test(next) ? next : '/';
}

export interface WebOptions {
  /** The built-in chat, when one is configured. */
  chat?: ChatService;
  /** What the chat page says when there is none. */
  chatUnavailable?: string;
}

/** The pages and form targets behind sign-in. */
const SIGNED_IN_PATHS = [
  '/',
  '/logout',
  '/incidents',
  '/incidents/*',
  '/tokens',
  '/tokens/*',
  '/chat',
  '/chat/*',
];

export const NO_CHAT =
  'The chat is not configured: start Lantern with --chat-provider openai|anthropic (and --chat-base-url, --chat-model).';

export function webRoutes(core: LanternCore, options: WebOptions = {}): Hono<WebEnv> {
  const web = new Hono<WebEnv>();
  web.get('/assets/lantern.css', (c) =>
    c.body(STYLESHEET + CHAT_STYLES, 200, {
      'content-type': 'text/css; charset=utf-8',
      'cache-control': 'max-age=300',
    }),
  );
  web.get('/assets/chat.js', (c) =>
    c.body(CHAT_SCRIPT, 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'max-age=300',
    }),
  );
  web.get('/login', (c) => c.html(loginPage({ next: safeNext(c.req.query('next')) })));
  web.post('/login', async (c) => {
    const form = await formOf(c);
    try {
      const user = await core.accounts.verifyLogin(form.email ?? '', form.password ?? '');
      startSession(c, await core.accounts.openSession(user));
      return c.redirect(safeNext(form.next), 303);
    } catch (error) {
      if (!isProductError(error)) throw error;
      return c.html(
        loginPage({ error: error.message, email: form.email ?? '', next: safeNext(form.next) }),
        401,
      );
    }
  });

  const signedIn = new Hono<WebEnv>();
  // Only the UI's own paths need a session: any other path is a plain 404, signed in or not.
  for (const path of SIGNED_IN_PATHS) {
    signedIn.use(path, requireSession(core), async (c, next) => {
      if (c.req.method === 'POST') {
        const form = await formOf(c);
        if (!(await checkCsrf(c, form)))
          return c.text('This form is out of date; reload the page and try again.', 403);
      }
      await next();
    });
  }
  signedIn.post('/logout', async (c) => {
    const cookie = sessionCookie(c);
    if (cookie !== undefined) {
      await core.accounts.closeSession(cookie);
      await options.chat?.end(cookie);
    }
    endSession(c);
    return c.redirect('/login', 303);
  });

  const listPage = async (c: Context<WebEnv>, error?: string, status = 200) => {
    const actor = c.get('actor');
    const [incidents, services] = await Promise.all([
      core.incidents.list(actor, { limit: 50 }),
      core.incidents.services(actor),
    ]);
    return c.html(
      incidentListPage({
        session: c.get('session'),
        actor,
        incidents,
        services,
        ...(error ? { error } : {}),
      }),
      status as 200,
    );
  };
  signedIn.get('/', (c) => listPage(c));
  signedIn.post('/incidents', async (c) => {
    try {
      const opened = await core.incidents.open(c.get('actor'), (await formOf(c)) as unknown as NewIncident);
      return c.redirect(`/incidents/${opened.ref}`, 303);
    } catch (error) {
      if (!isProductError(error)) throw error;
      return listPage(c, error.message, error.status);
    }
  });

  const detail = async (c: Context<WebEnv>, extra: { error?: string; done?: string } = {}, status = 200) => {
    const actor = c.get('actor');
    const incident = await core.incidents.get(actor, c.req.param('ref') ?? '');
    return c.html(incidentPage({ session: c.get('session'), actor, incident, ...extra }), status as 200);
  };
  /** Runs a form's action, then shows the incident (with the refusal, if any). */
  const act =
    (run: (ref: string, form: Form, c: Context<WebEnv>) => Promise<unknown>) =>
    async (c: Context<WebEnv>) => {
      const ref = c.req.param('ref') ?? '';
      try {
        await run(ref, await formOf(c), c);
        return c.redirect(`/incidents/${ref}`, 303);
      } catch (error) {
        if (!isProductError(error) || error.kind === 'not_found') throw error;
        return detail(c, { error: error.message }, error.status);
      }
    };
  signedIn.get('/incidents/:ref', (c) => detail(c));
  signedIn.post(
    '/incidents/:ref/notes',
    act((ref, form, c) => core.incidents.addNote(c.get('actor'), ref, form.body ?? '')),
  );
  signedIn.post(
    '/incidents/:ref/status',
    act((ref, form, c) => core.incidents.setStatus(c.get('actor'), ref, (form.status ?? '') as Status)),
  );
  signedIn.post('/incidents/:ref/delete', async (c) => {
    const actor = c.get('actor');
    const ref = c.req.param('ref');
    const form = await formOf(c);
    if (form.confirm !== 'yes') {
      const incident = await core.incidents.get(actor, ref);
      return c.html(confirmDeletePage({ session: c.get('session'), incident }));
    }
    try {
      await core.incidents.remove(actor, ref);
      return c.redirect('/', 303);
    } catch (error) {
      if (!isProductError(error) || error.kind === 'not_found') throw error;
      return detail(c, { error: error.message }, error.status);
    }
  });

  signedIn.get('/tokens', async (c) =>
    c.html(tokensPage({ session: c.get('session'), tokens: await core.accounts.listTokens(c.get('actor')) })),
  );
  signedIn.post('/tokens', async (c) => {
    const actor = c.get('actor');
    const session = c.get('session');
    try {
      const issued = await core.accounts.issueToken(actor, (await formOf(c)).label ?? '');
      return c.html(tokensPage({ session, tokens: await core.accounts.listTokens(actor), issued }), 201);
    } catch (error) {
      if (!isProductError(error)) throw error;
      return c.html(
        tokensPage({ session, tokens: await core.accounts.listTokens(actor), error: error.message }),
        error.status as 422,
      );
    }
  });
  signedIn.post('/tokens/:id/revoke', async (c) => {
    await core.accounts.revokeToken(c.get('actor'), c.req.param('id'));
    return c.redirect('/tokens', 303);
  });

  signedIn.route('/', chatRoutes(options.chat, options.chatUnavailable ?? NO_CHAT));
  web.route('/', signedIn);
  return web;
}
