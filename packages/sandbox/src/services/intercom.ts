/**
 * The Intercom sandbox: contacts and conversations of the seeded customer world with Intercom's
 * REST routes — `GET /me`, `GET /admins`, `GET /contacts` and `/contacts/{id}`, `POST
 * /contacts/search`, `GET /conversations` (cursor paging via `pages.next.starting_after`),
 * `GET /conversations/{id}` (with conversation_parts) and `POST /conversations/search`. Errors in
 * Intercom's shape `{type: 'error.list', request_id, errors: [{code, message}]}`.
 */
import { randomUUID } from 'node:crypto';
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { customerIndex } from '../seed/customer-index.ts';
import { customerWorld } from '../seed/customers.ts';
import type { ServiceFactory } from '../service.ts';
import {
  type RenderedContact,
  type RenderedConversation,
  renderAdmin,
  renderContact,
  renderConversation,
  unix,
  WORKSPACE_ID,
} from './intercom-objects.ts';
import {
  decodeCursor,
  evaluate,
  pagesBlock,
  queryProblem,
  SearchRequestSchema,
  sortBy,
} from './intercom-search.ts';

function intercomError(c: Context, status: ContentfulStatusCode, code: string, message: string) {
  return c.json({ type: 'error.list', request_id: randomUUID(), errors: [{ code, message }] }, status);
}

function stripHtml(html: string | null): string | null {
  return html === null
    ? null
    : html
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim();
}

export const intercom: ServiceFactory = ({ seed, now }) => {
  const index = customerIndex(customerWorld(seed, now));
  // Rendered once: the world does not change while the sandbox runs.
  const contacts: RenderedContact[] = index.world.contacts.map((c) => renderContact(c, index));
  const contactById = new Map(contacts.map((c) => [c.id, c]));
  const conversations: RenderedConversation[] = index.world.conversations.map((c) =>
    renderConversation(c, index),
  );
  const byLastUpdate = sortBy(conversations, undefined, 'updated_at');
  const app = new Hono();

  /** Reads `per_page` (1..150) and `starting_after` from a GET; a string is the error message. */
  const paging = (c: Context): { perPage: number; offset: number } | string => {
    const perPage = Number(c.req.query('per_page') ?? 20);
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 150)
      return 'per_page must be between 1 and 150';
    const offset = decodeCursor(c.req.query('starting_after'));
    return offset === undefined ? 'starting_after is not a valid cursor' : { perPage, offset };
  };

  const search = async <T>(c: Context, items: T[], listType: string, key: string, defaultSort: string) => {
    const raw = await c.req.json().catch(() => undefined);
    const parsed = SearchRequestSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return intercomError(
        c,
        400,
        'parameter_invalid',
        issue ? `${issue.path.join('.') || 'query'}: ${issue.message}` : 'Invalid query',
      );
    }
    const problem = queryProblem(parsed.data.query);
    if (problem) return intercomError(c, 400, 'parameter_invalid', problem);
    const offset = decodeCursor(parsed.data.pagination.starting_after);
    if (offset === undefined)
      return intercomError(c, 400, 'parameter_invalid', 'starting_after is not a valid cursor');
    const found = sortBy(
      items.filter((item) => evaluate(parsed.data.query, item)),
      parsed.data.sort,
      defaultSort,
    );
    const perPage = parsed.data.pagination.per_page;
    return c.json({
      type: listType,
      [key]: found.slice(offset, offset + perPage),
      total_count: found.length,
      pages: pagesBlock(offset, perPage, found.length),
    });
  };

  app.get('/me', (c) =>
    c.json({
      type: 'admin',
      id: '5017000',
      name: 'Northwind Outfitters API',
      email: 'api@northwind-outfitters.com',
      email_verified: true,
      app: {
        type: 'app',
        id_code: WORKSPACE_ID,
        name: 'Northwind Outfitters',
        created_at: unix(new Date(Date.UTC(2021, 0, 12))),
        secure: true,
        identity_verification: true,
        timezone: 'America/Denver',
        region: 'US',
      },
      avatar: { type: 'avatar', image_url: null },
      has_inbox_seat: true,
    }),
  );

  app.get('/admins', (c) => c.json({ type: 'admin.list', admins: index.world.admins.map(renderAdmin) }));

  app.get('/contacts', (c) => {
    const page = paging(c);
    if (typeof page === 'string') return intercomError(c, 400, 'parameter_invalid', page);
    return c.json({
      type: 'list',
      data: contacts.slice(page.offset, page.offset + page.perPage),
      total_count: contacts.length,
      pages: pagesBlock(page.offset, page.perPage, contacts.length),
    });
  });

  app.post('/contacts/search', (c) => search(c, contacts, 'list', 'data', 'created_at'));

  app.get('/contacts/:id', (c) => {
    const contact = contactById.get(c.req.param('id'));
    return contact ? c.json(contact) : intercomError(c, 404, 'not_found', 'User Not Found');
  });

  app.get('/conversations', (c) => {
    const page = paging(c);
    if (typeof page === 'string') return intercomError(c, 400, 'parameter_invalid', page);
    return c.json({
      type: 'conversation.list',
      conversations: byLastUpdate.slice(page.offset, page.offset + page.perPage),
      total_count: byLastUpdate.length,
      pages: pagesBlock(page.offset, page.perPage, byLastUpdate.length),
    });
  });

  app.post('/conversations/search', (c) =>
    search(c, conversations, 'conversation.list', 'conversations', 'updated_at'),
  );

  app.get('/conversations/:id', (c) => {
    const conversation = index.conversations.get(c.req.param('id'));
    if (conversation === undefined) return intercomError(c, 404, 'not_found', 'Resource Not Found');
    const rendered = renderConversation(conversation, index, true);
    if (c.req.query('display_as') === 'plaintext') {
      rendered.source.body = stripHtml(rendered.source.body) ?? '';
      for (const part of rendered.conversation_parts?.conversation_parts ?? [])
        part.body = stripHtml(part.body);
    }
    return c.json(rendered);
  });

  return {
    name: 'intercom',
    title: 'Support (Intercom REST API)',
    realBaseUrl: 'https://api.intercom.io',
    auth: 'Bearer access token',
    requiresAuth: true,
    app,
  };
};
