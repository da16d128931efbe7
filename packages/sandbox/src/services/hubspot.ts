/**
 * The HubSpot sandbox: the CRM v3 objects API (companies, contacts, deals — list with `after`
 * paging, read, batch read, search), v3 and v4 associations, owners, deal pipelines and property
 * definitions, over the seeded customer world. Errors come in HubSpot's shape
 * `{status: 'error', message, correlationId, category}`.
 */
import { randomUUID } from 'node:crypto';
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { customerIndex } from '../seed/customer-index.ts';
import { customerWorld } from '../seed/customers.ts';
import type { ServiceFactory } from '../service.ts';
import {
  associatedIds,
  associationType,
  definitions,
  objectTypeOf,
  recordById,
  recordsOf,
  renderObject,
  renderOwner,
  renderPipeline,
  renderPropertyCatalogue,
  v4Associations,
} from './hubspot-objects.ts';
import type { ObjectType } from './hubspot-properties.ts';
import { SearchBodySchema, searchRecords, validateFilters } from './hubspot-search.ts';

function hubspotError(c: Context, status: ContentfulStatusCode, category: string, message: string) {
  return c.json({ status: 'error', message, correlationId: randomUUID(), category }, status);
}

/** Comma-separated, possibly repeated query parameters (`properties=a,b&properties=c`). */
function listParam(c: Context, name: string): string[] {
  return (c.req.queries(name) ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

function pageLimit(raw: string | undefined, max: number, fallback: number): number | string {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 && n <= max ? n : `limit must be an integer between 1 and ${max}`;
}

export const hubspot: ServiceFactory = ({ seed, now }) => {
  const index = customerIndex(customerWorld(seed, now));
  const epoch = new Date(Date.UTC(2021, 0, 12, 9));
  const app = new Hono();

  const withType = (c: Context): ObjectType | Response => {
    const type = objectTypeOf(c.req.param('type') ?? '');
    return (
      type ??
      hubspotError(c, 400, 'VALIDATION_ERROR', `Unable to infer object type from: ${c.req.param('type')}`)
    );
  };
  const associationsParam = (c: Context): ObjectType[] =>
    listParam(c, 'associations').flatMap((a) => objectTypeOf(a) ?? []);

  app.get('/crm/v3/objects/:type', (c) => {
    const type = withType(c);
    if (type instanceof Response) return type;
    const limit = pageLimit(c.req.query('limit'), 100, 10);
    if (typeof limit === 'string') return hubspotError(c, 400, 'VALIDATION_ERROR', limit);
    const offset = Number(c.req.query('after') ?? 0);
    if (!Number.isInteger(offset) || offset < 0)
      return hubspotError(c, 400, 'VALIDATION_ERROR', 'after must be a paging cursor from a previous page');
    const all = [...recordsOf(type, index)].sort((a, b) => Number(a.id) - Number(b.id));
    const options = { properties: listParam(c, 'properties'), associations: associationsParam(c) };
    const results = all.slice(offset, offset + limit).map((r) => renderObject(type, r, index, options));
    const next = offset + limit < all.length ? String(offset + limit) : undefined;
    return c.json({
      results,
      ...(next
        ? { paging: { next: { after: next, link: `${c.req.path}?after=${next}&limit=${limit}` } } }
        : {}),
    });
  });

  app.get('/crm/v3/objects/:type/:id', (c) => {
    const type = withType(c);
    if (type instanceof Response) return type;
    const id = c.req.param('id');
    const idProperty = c.req.query('idProperty');
    const record = idProperty
      ? recordsOf(type, index).find((r) => {
          const def = definitions(type).get(idProperty);
          return def !== undefined && String(def[2](r, index) ?? '').toLowerCase() === id.toLowerCase();
        })
      : recordById(type, id, index);
    if (record === undefined) return hubspotError(c, 404, 'OBJECT_NOT_FOUND', 'resource not found');
    return c.json(
      renderObject(type, record, index, {
        properties: listParam(c, 'properties'),
        associations: associationsParam(c),
      }),
    );
  });

  app.post('/crm/v3/objects/:type/batch/read', async (c) => {
    const type = withType(c);
    if (type instanceof Response) return type;
    const body = (await c.req.json().catch(() => null)) as {
      inputs?: { id?: unknown }[];
      properties?: string[];
    } | null;
    if (!body || !Array.isArray(body.inputs))
      return hubspotError(c, 400, 'VALIDATION_ERROR', 'inputs is required');
    if (body.inputs.length > 100)
      return hubspotError(c, 400, 'VALIDATION_ERROR', 'at most 100 inputs per batch');
    const startedAt = new Date().toISOString();
    const ids = body.inputs.map((i) => String(i.id));
    const found = ids.flatMap((id) => recordById(type, id, index) ?? []);
    const missing = ids.filter((id) => recordById(type, id, index) === undefined);
    const results = found.map((r) => renderObject(type, r, index, { properties: body.properties ?? [] }));
    const errors = missing.length
      ? [
          {
            status: 'error',
            category: 'OBJECT_NOT_FOUND',
            message: `Could not get some ${type} objects, they may be deleted or not exist. Check that ids are valid.`,
            context: { ids: missing },
          },
        ]
      : [];
    return c.json(
      {
        status: 'COMPLETE',
        results,
        ...(errors.length ? { numErrors: errors.length, errors } : {}),
        startedAt,
        completedAt: new Date().toISOString(),
      },
      missing.length ? 207 : 200,
    );
  });

  app.post('/crm/v3/objects/:type/search', async (c) => {
    const type = withType(c);
    if (type instanceof Response) return type;
    const parsed = SearchBodySchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return hubspotError(
        c,
        400,
        'VALIDATION_ERROR',
        `Invalid input JSON on line 1: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'malformed body'}`,
      );
    }
    const body = parsed.data;
    const defs = definitions(type);
    const problem = validateFilters(body, defs);
    if (problem) return hubspotError(c, 400, 'VALIDATION_ERROR', problem);
    const found = searchRecords(recordsOf(type, index), body, defs, index);
    const offset = Number(body.after ?? 0);
    const page = found.slice(offset, offset + body.limit);
    const next = offset + body.limit < found.length ? String(offset + body.limit) : undefined;
    return c.json({
      total: found.length,
      results: page.map((r) => renderObject(type, r, index, { properties: body.properties ?? [] })),
      ...(next ? { paging: { next: { after: next } } } : {}),
    });
  });

  app.get('/crm/v3/objects/:type/:id/associations/:to', (c) => {
    const type = withType(c);
    if (type instanceof Response) return type;
    const to = objectTypeOf(c.req.param('to'));
    const record = recordById(type, c.req.param('id'), index);
    if (to === undefined)
      return hubspotError(
        c,
        400,
        'VALIDATION_ERROR',
        `Unable to infer object type from: ${c.req.param('to')}`,
      );
    if (record === undefined) return hubspotError(c, 404, 'OBJECT_NOT_FOUND', 'resource not found');
    const label = associationType(type, to).label;
    return c.json({ results: associatedIds(type, record, to, index).map((id) => ({ id, type: label })) });
  });

  app.get('/crm/v4/objects/:type/:id/associations/:to', (c) => {
    const type = withType(c);
    if (type instanceof Response) return type;
    const to = objectTypeOf(c.req.param('to'));
    const record = recordById(type, c.req.param('id'), index);
    if (to === undefined)
      return hubspotError(
        c,
        400,
        'VALIDATION_ERROR',
        `Unable to infer object type from: ${c.req.param('to')}`,
      );
    if (record === undefined) return hubspotError(c, 404, 'OBJECT_NOT_FOUND', 'resource not found');
    return c.json({ results: v4Associations(type, record, to, index) });
  });

  app.post('/crm/v4/associations/:type/:to/batch/read', async (c) => {
    const type = withType(c);
    if (type instanceof Response) return type;
    const to = objectTypeOf(c.req.param('to'));
    if (to === undefined)
      return hubspotError(
        c,
        400,
        'VALIDATION_ERROR',
        `Unable to infer object type from: ${c.req.param('to')}`,
      );
    const body = (await c.req.json().catch(() => null)) as { inputs?: { id?: unknown }[] } | null;
    if (!body || !Array.isArray(body.inputs))
      return hubspotError(c, 400, 'VALIDATION_ERROR', 'inputs is required');
    if (body.inputs.length > 1_000)
      return hubspotError(c, 400, 'VALIDATION_ERROR', 'at most 1000 inputs per batch');
    const startedAt = new Date().toISOString();
    const ids = body.inputs.map((i) => String(i.id));
    const results = ids.flatMap((id) => {
      const record = recordById(type, id, index);
      return record ? [{ from: { id }, to: v4Associations(type, record, to, index) }] : [];
    });
    const missing = ids.filter((id) => recordById(type, id, index) === undefined);
    const errors = missing.map((id) => ({
      status: 'error',
      category: 'OBJECT_NOT_FOUND',
      message: `No ${type} with id ${id}`,
      context: { fromObjectId: [id] },
    }));
    return c.json(
      {
        status: 'COMPLETE',
        results,
        ...(errors.length ? { numErrors: errors.length, errors } : {}),
        startedAt,
        completedAt: new Date().toISOString(),
      },
      missing.length ? 207 : 200,
    );
  });

  app.get('/crm/v3/owners', (c) => {
    const limit = pageLimit(c.req.query('limit'), 500, 100);
    if (typeof limit === 'string') return hubspotError(c, 400, 'VALIDATION_ERROR', limit);
    const email = c.req.query('email')?.toLowerCase();
    const owners = index.world.owners.filter((o) => email === undefined || o.email === email);
    const offset = Number(c.req.query('after') ?? 0) || 0;
    const next = offset + limit < owners.length ? String(offset + limit) : undefined;
    return c.json({
      results: owners.slice(offset, offset + limit).map(renderOwner),
      ...(next ? { paging: { next: { after: next } } } : {}),
    });
  });

  app.get('/crm/v3/owners/:id', (c) => {
    const owner = index.owners.get(c.req.param('id'));
    return owner
      ? c.json(renderOwner(owner))
      : hubspotError(c, 404, 'OBJECT_NOT_FOUND', 'resource not found');
  });

  app.get('/crm/v3/pipelines/:type', (c) => {
    if (objectTypeOf(c.req.param('type')) !== 'deals') return c.json({ results: [] });
    return c.json({ results: [renderPipeline(epoch)] });
  });

  app.get('/crm/v3/pipelines/:type/:id', (c) => {
    if (objectTypeOf(c.req.param('type')) !== 'deals' || c.req.param('id') !== 'default')
      return hubspotError(c, 404, 'OBJECT_NOT_FOUND', 'resource not found');
    return c.json(renderPipeline(epoch));
  });

  app.get('/crm/v3/properties/:type', (c) => {
    const type = withType(c);
    if (type instanceof Response) return type;
    return c.json({ results: renderPropertyCatalogue(type, epoch) });
  });

  return {
    name: 'hubspot',
    title: 'CRM (HubSpot CRM v3/v4 API)',
    realBaseUrl: 'https://api.hubapi.com',
    auth: 'Bearer private-app access token',
    requiresAuth: true,
    app,
  };
};
