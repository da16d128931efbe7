/**
 * The REST API (`/api/v1`), the product's public door: every request carries a user's own API
 * token (`Authorization: Bearer lnt_…`) and can do exactly what that user's role allows in that
 * user's org — the domain decides, this file only admits and encodes.
 *
 *   GET    /me                       the token's user and what their role allows
 *   GET    /services                 the org's services
 *   GET    /incidents                ?status=&service=&severity=&limit=
 *   POST   /incidents                {title, service, severity, summary?}
 *   GET    /incidents/:ref           with its notes (ref: INC-12 or 12)
 *   POST   /incidents/:ref/notes     {body}
 *   POST   /incidents/:ref/status    {status: acknowledged|resolved|open}
 *   DELETE /incidents/:ref           admins only
 *   GET    /activity                 admins only; ?action=&actor=&since=&limit=
 *   GET    /tokens, POST /tokens {label}, DELETE /tokens/:id   the caller's own tokens
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import * as z from 'zod';
import type { LanternCore } from '../core.ts';
import { listActivity } from '../domain/activity.ts';
import { ProductError } from '../domain/errors.ts';
import { parseInput, STATUSES } from '../domain/incident-model.ts';
import { type Actor, can, PERMISSIONS } from '../domain/permissions.ts';
import { errorToProblem, problem, problemResponse } from './problem.ts';

const MAX_BODY_BYTES = 64 * 1024;

type Env = { Variables: { actor: Actor } };

const StatusBody = z.object({ status: z.enum(STATUSES) });
const NoteBody = z.object({ body: z.string() });
const TokenBody = z.object({ label: z.string() });

async function jsonBody(req: Request): Promise<unknown> {
  const text = await req.text();
  if (text.trim() === '') throw new ProductError('invalid', 'the request needs a JSON body');
  return JSON.parse(text);
}

export function restApi(core: LanternCore): Hono<Env> {
  const api = new Hono<Env>();
  api.onError((error, c) => errorToProblem(error, c, core.logError));
  api.notFound((c) => problemResponse(problem(404, 'Not found', `no route ${c.req.method} ${c.req.path}`)));
  api.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () =>
        problemResponse(
          problem(413, 'Payload too large', `a request body is at most ${MAX_BODY_BYTES} bytes`),
        ),
    }),
  );
  api.use(async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (token === undefined) {
      throw new ProductError(
        'unauthenticated',
        'send your Lantern API token as "Authorization: Bearer lnt_…"',
      );
    }
    const user = await core.accounts.userForToken(token);
    if (user === undefined) throw new ProductError('unauthenticated', 'the API token is unknown or revoked');
    c.set('actor', { kind: 'user', user, via: 'api' });
    await next();
  });

  api.get('/me', (c) => {
    const actor = c.get('actor');
    return c.json({
      user: actor.kind === 'user' ? actor.user : null,
      permissions: PERMISSIONS.filter((p) => can(actor, p)),
    });
  });
  api.get('/services', async (c) => c.json({ services: await core.incidents.services(c.get('actor')) }));
  api.get('/incidents', async (c) =>
    c.json({ incidents: await core.incidents.list(c.get('actor'), c.req.query()) }),
  );
  api.post('/incidents', async (c) => {
    const incident = await core.incidents.open(c.get('actor'), (await jsonBody(c.req.raw)) as never);
    return c.json(incident, 201, { location: `/api/v1/incidents/${incident.ref}` });
  });
  api.get('/incidents/:ref', async (c) =>
    c.json(await core.incidents.get(c.get('actor'), c.req.param('ref'))),
  );
  api.post('/incidents/:ref/notes', async (c) => {
    const { body } = parseInput(NoteBody, await jsonBody(c.req.raw));
    return c.json(await core.incidents.addNote(c.get('actor'), c.req.param('ref'), body), 201);
  });
  api.post('/incidents/:ref/status', async (c) => {
    const { status } = parseInput(StatusBody, await jsonBody(c.req.raw));
    return c.json(await core.incidents.setStatus(c.get('actor'), c.req.param('ref'), status));
  });
  api.delete('/incidents/:ref', async (c) =>
    c.json(await core.incidents.remove(c.get('actor'), c.req.param('ref'))),
  );
  api.get('/activity', async (c) => {
    const q = c.req.query();
    const filter = {
      ...(q.action === undefined ? {} : { action: q.action }),
      ...(q.actor === undefined ? {} : { actor: q.actor }),
      ...(q.since === undefined ? {} : { since: q.since }),
      ...(q.limit === undefined ? {} : { limit: Number(q.limit) || 50 }),
    };
    return c.json({ activity: await listActivity(core.sql, c.get('actor'), filter) });
  });
  api.get('/tokens', async (c) => c.json({ tokens: await core.accounts.listTokens(c.get('actor')) }));
  api.post('/tokens', async (c) => {
    const { label } = parseInput(TokenBody, await jsonBody(c.req.raw));
    return c.json(await core.accounts.issueToken(c.get('actor'), label), 201);
  });
  api.delete('/tokens/:id', async (c) => {
    await core.accounts.revokeToken(c.get('actor'), c.req.param('id'));
    return c.body(null, 204);
  });
  return api;
}
