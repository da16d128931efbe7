/**
 * The sandbox platform API: Northwind's internal platform service (service catalog, health,
 * deploys, runbook search, restart and rollback, the action log), JSON over bearer-token auth,
 * served under `/platform` in place of `https://platform.northwind.internal`.
 *
 *   GET  /v1/services[?team=]                 GET /v1/services/{name}
 *   GET  /v1/services/{name}/health           GET /v1/deploys?service=&since=&status=&limit=&cursor=
 *   GET  /v1/deploys/{id}                     GET /v1/runbooks?q=&service=&limit=
 *   POST /v1/services/{name}/restart          POST /v1/deploys/{id}/rollback
 *   GET  /v1/events?service=&limit=
 *
 * Actions take `{reason, requested_by}` and need an `Idempotency-Key` header; a repeated key
 * answers the first answer again (with `Idempotent-Replayed: true`). Errors are
 * `{error: {code, message}}` with 400/404/409/422.
 */
import { type Context, Hono } from 'hono';
import { CATALOG, type CatalogEntry } from '../seed/platform.ts';
import { RUNBOOKS } from '../seed/platform-runbooks.ts';
import type { SandboxOptions, SandboxService, ServiceFactory } from '../service.ts';
import { decodeCursor, encodeCursor, isAfter } from './platform-deploys.ts';
import { searchRunbooks } from './platform-runbooks.ts';
import { type ActionRequest, type Answer, apiError, PlatformWorld } from './platform-world.ts';

function send(c: Context, answer: Answer): Response {
  return c.json(answer.body as object, answer.status);
}

/** `?limit=`: an integer in 1..max, or the default when absent. */
function parseLimit(raw: string | undefined, fallback: number, max: number): number | Answer {
  if (raw === undefined || raw === '') return fallback;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > max)
    return apiError(400, 'invalid_parameter', `limit must be an integer from 1 to ${max}`);
  return limit;
}

function unknownService(name: string): Answer {
  return apiError(
    404,
    'service_not_found',
    `No service named "${name}". Known services: ${CATALOG.map((s) => s.name).join(', ')}.`,
  );
}

async function actionRequest(c: Context): Promise<{ key: string; request: ActionRequest } | Answer> {
  const key = c.req.header('idempotency-key');
  if (key === undefined || key.trim() === '')
    return apiError(400, 'missing_idempotency_key', 'Actions need an Idempotency-Key header.');
  if (key.length > 255)
    return apiError(400, 'invalid_idempotency_key', 'Idempotency-Key is at most 255 characters.');
  const body = (await c.req.json().catch(() => null)) as Record<string, unknown> | null;
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return apiError(400, 'invalid_body', 'The body must be a JSON object with reason and requested_by.');
  const { reason, requested_by } = body;
  if (typeof reason !== 'string' || reason.trim() === '' || reason.length > 500)
    return apiError(400, 'invalid_body', 'reason is required: a non-empty string of at most 500 characters.');
  if (typeof requested_by !== 'string' || requested_by.trim() === '' || requested_by.length > 200)
    return apiError(400, 'invalid_body', 'requested_by is required: who asked for this action.');
  return { key, request: { reason: reason.trim(), requested_by: requested_by.trim() } };
}

function isAnswer(value: unknown): value is Answer {
  return typeof value === 'object' && value !== null && 'status' in value && 'body' in value;
}

interface DeployQuery {
  service: string | undefined;
  sinceMs: number | undefined;
  status: string | undefined;
  position: ReturnType<typeof decodeCursor>;
  limit: number;
}

/** The filters of `GET /v1/deploys`, or the 400/404 that explains the bad one. */
function deployQuery(c: Context, world: PlatformWorld): DeployQuery | Answer {
  const { service, since, status, cursor } = c.req.query();
  const limit = parseLimit(c.req.query('limit'), 20, 100);
  if (isAnswer(limit)) return limit;
  if (service !== undefined && world.service(service) === undefined) return unknownService(service);
  const sinceMs = since === undefined ? undefined : Date.parse(since);
  if (sinceMs !== undefined && Number.isNaN(sinceMs))
    return apiError(400, 'invalid_parameter', 'since must be an ISO 8601 timestamp');
  if (status !== undefined && !['succeeded', 'failed', 'rolled_back'].includes(status))
    return apiError(400, 'invalid_parameter', 'status must be succeeded, failed or rolled_back');
  const position = cursor === undefined ? undefined : decodeCursor(cursor);
  if (cursor !== undefined && position === undefined)
    return apiError(400, 'invalid_cursor', 'cursor is not one this API returned');
  return { service, sinceMs, status, position, limit };
}

function routes(world: PlatformWorld): Hono {
  const app = new Hono();
  const lookup = (name: string): CatalogEntry | Answer => world.service(name) ?? unknownService(name);

  app.get('/v1/services', (c) => {
    const team = c.req.query('team');
    return c.json({ data: CATALOG.filter((s) => team === undefined || s.team === team) });
  });
  app.get('/v1/services/:name', (c) => {
    const entry = lookup(c.req.param('name'));
    return isAnswer(entry) ? send(c, entry) : c.json(entry);
  });
  app.get('/v1/services/:name/health', (c) => {
    const entry = lookup(c.req.param('name'));
    return isAnswer(entry) ? send(c, entry) : c.json(world.health(entry));
  });

  app.get('/v1/deploys', (c) => {
    const query = deployQuery(c, world);
    if (isAnswer(query)) return send(c, query);
    const { service, sinceMs, status, position, limit } = query;
    const matching = world.deploys.filter(
      (d) =>
        (service === undefined || d.service === service) &&
        (sinceMs === undefined || Date.parse(d.started_at) >= sinceMs) &&
        (status === undefined || d.status === status) &&
        (position === undefined || isAfter(d, position)),
    );
    const page = matching.slice(0, limit);
    const last = page.at(-1);
    const hasMore = matching.length > limit;
    return c.json({
      data: page,
      has_more: hasMore,
      next_cursor: hasMore && last ? encodeCursor(last) : null,
    });
  });
  app.get('/v1/deploys/:id', (c) => {
    const deploy = world.deploys.find((d) => d.id === c.req.param('id'));
    if (deploy === undefined)
      return send(c, apiError(404, 'deploy_not_found', `No deploy ${c.req.param('id')}.`));
    return c.json(deploy);
  });

  app.get('/v1/runbooks', (c) => {
    const { q = '', service } = c.req.query();
    const limit = parseLimit(c.req.query('limit'), 10, 50);
    if (isAnswer(limit)) return send(c, limit);
    if (service !== undefined && world.service(service) === undefined)
      return send(c, unknownService(service));
    const found = searchRunbooks(RUNBOOKS, q, service);
    return c.json({ data: found.slice(0, limit), total: found.length });
  });

  app.get('/v1/events', (c) => {
    const service = c.req.query('service');
    const limit = parseLimit(c.req.query('limit'), 50, 200);
    if (isAnswer(limit)) return send(c, limit);
    if (service !== undefined && world.service(service) === undefined)
      return send(c, unknownService(service));
    return c.json({
      data: world.events.filter((e) => service === undefined || e.service === service).slice(0, limit),
    });
  });

  app.post('/v1/services/:name/restart', async (c) => {
    const entry = lookup(c.req.param('name'));
    if (isAnswer(entry)) return send(c, entry);
    const action = await actionRequest(c);
    if (isAnswer(action)) return send(c, action);
    const fingerprint = `restart ${entry.name} ${JSON.stringify(action.request)}`;
    const answer = world.idempotent(action.key, fingerprint, () =>
      world.restart(entry, action.request, action.key),
    );
    if (answer.replayed) c.header('Idempotent-Replayed', 'true');
    return send(c, answer);
  });
  app.post('/v1/deploys/:id/rollback', async (c) => {
    const deploy = world.deploys.find((d) => d.id === c.req.param('id'));
    if (deploy === undefined)
      return send(c, apiError(404, 'deploy_not_found', `No deploy ${c.req.param('id')}.`));
    const action = await actionRequest(c);
    if (isAnswer(action)) return send(c, action);
    const fingerprint = `rollback ${deploy.id} ${JSON.stringify(action.request)}`;
    const answer = world.idempotent(action.key, fingerprint, () =>
      world.rollback(deploy, action.request, action.key),
    );
    if (answer.replayed) c.header('Idempotent-Replayed', 'true');
    return send(c, answer);
  });
  return app;
}

/**
 * The service with an explicit clock: tests move time forward to watch a restart recover. The
 * default clock starts at the sandbox's `now` and runs with the wall clock.
 */
export function createPlatformService(options: SandboxOptions, clock?: () => Date): SandboxService {
  const startedAt = Date.now();
  const sandboxClock = clock ?? (() => new Date(options.now.getTime() + (Date.now() - startedAt)));
  return {
    name: 'platform',
    title: 'Platform API (service catalog, health, deploys, runbooks, actions)',
    realBaseUrl: 'https://platform.northwind.internal',
    auth: 'Bearer token',
    requiresAuth: true,
    app: routes(new PlatformWorld(options.seed, options.now, sandboxClock)),
  };
}

export const platform: ServiceFactory = (options) => createPlatformService(options);
