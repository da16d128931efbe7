/**
 * The product's public HTTP surface: the REST API under `/api/v1`, the web UI, and `/healthz`.
 * (The internal MCP server is never mounted here: it listens on its own loopback address.)
 *
 * Web responses carry a strict Content-Security-Policy (the product's own origin only) and the
 * usual hardening headers; a page error is a plain page with its status, never a stack.
 */
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { problem, problemResponse } from './api/problem.ts';
import { restApi } from './api/rest.ts';
import type { LanternCore } from './core.ts';
import { isProductError } from './domain/errors.ts';
import { type WebOptions, webRoutes } from './web/routes.ts';

function errorPage(status: number, message: string): Response {
  const text = message.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return new Response(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${status} · Lantern</title>` +
      `<link rel="stylesheet" href="/assets/lantern.css"></head><body><main id="main"><h1>${text}</h1>` +
      '<p><a href="/">Back to incidents</a></p></main></body></html>',
    { status, headers: { 'content-type': 'text/html; charset=utf-8' } },
  );
}

/**
 * `/api/…` goes to the REST API, everything else to the web UI: two apps with their own
 * middleware, error handling and not-found answers (problem+json for programs, pages for people),
 * so neither's sign-in rule can ever apply to the other.
 */
export function publicApp(
  core: LanternCore,
  options: WebOptions = {},
): { fetch: (request: Request) => Response | Promise<Response> } {
  const api = new Hono();
  api.route('/api/v1', restApi(core));
  api.notFound((c) => problemResponse(problem(404, 'Not found', `no route ${c.req.method} ${c.req.path}`)));
  const web = new Hono();
  web.get('/healthz', async (c) => {
    await core.sql.one('SELECT 1 AS ok');
    return c.json({ status: 'ok' });
  });
  web.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
      referrerPolicy: 'same-origin',
    }),
  );
  web.route('/', webRoutes(core, options));
  web.onError((error) => {
    if (isProductError(error)) return errorPage(error.status, error.message);
    core.logError(error);
    return errorPage(500, 'Lantern could not show this page; the error is logged');
  });
  web.notFound(() => errorPage(404, 'There is no such page'));
  return {
    fetch: (request) =>
      new URL(request.url).pathname.startsWith('/api/') ? api.fetch(request) : web.fetch(request),
  };
}
