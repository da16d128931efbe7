/**
 * The product's public HTTP surface: the REST API under `/api/v1` and `/healthz`. (The internal
 * MCP server is never mounted here: it listens on its own loopback address, see internal/.)
 */
import { Hono } from 'hono';
import { problem, problemResponse } from './api/problem.ts';
import { restApi } from './api/rest.ts';
import type { LanternCore } from './core.ts';

export function publicApp(core: LanternCore): Hono {
  const app = new Hono();
  app.route('/api/v1', restApi(core));
  app.get('/healthz', async (c) => {
    await core.sql.one('SELECT 1 AS ok');
    return c.json({ status: 'ok' });
  });
  app.notFound((c) => problemResponse(problem(404, 'Not found', `no route ${c.req.method} ${c.req.path}`)));
  return app;
}
