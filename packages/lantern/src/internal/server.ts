/**
 * Lantern's internal MCP server: component servers (incidents, analytics, operations), each its
 * own MCP server at its own path (`/mcp/<component>`), on a listener of their own — loopback by
 * default, never the public one. Only the components configured are served; the rest are 404.
 *
 * Service authentication, not user credentials: every request must carry the service token
 * (`Authorization: Bearer <token>`, compared in constant time) or it is answered 401 in JSON-RPC
 * shape before any component sees it. The token comes from the options, else
 * `LANTERN_INTERNAL_TOKEN`, else it is generated at start and handed only to in-process users
 * (`RunningInternal.token`). The user a call acts for travels in the call itself (identity.ts).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createFetchHandler, type DomainServer } from '@gatehouse/kit';
import type { LanternCore } from '../core.ts';
import { listen } from '../listen.ts';
import { analyticsComponent } from './analytics.ts';
import { AUTOMATION_COMPONENT, automationComponent } from './automation.ts';
import { incidentsComponent } from './incidents.ts';
import { operationsComponent } from './operations.ts';

export const INTERNAL_COMPONENTS = ['incidents', 'analytics', 'operations'] as const;
export type InternalComponent = (typeof INTERNAL_COMPONENTS)[number];

export const INTERNAL_TOKEN_ENV = 'LANTERN_INTERNAL_TOKEN';
const MIN_TOKEN_LENGTH = 24;
const VERSION = '0.1.0';

type FetchHandler = ReturnType<typeof createFetchHandler>;

const BUILDERS: Record<InternalComponent, (core: LanternCore, version: string) => DomainServer> = {
  incidents: incidentsComponent,
  analytics: analyticsComponent,
  operations: operationsComponent,
};

export interface InternalOptions {
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1: reachable only from the backend's own host. */
  host?: string;
  /** The service token; default `LANTERN_INTERNAL_TOKEN`, else a generated one. */
  token?: string;
  /** The components to serve; default all. */
  components?: readonly string[];
  /** Also serve `/mcp/automation` (the automation's own activity records; automation callers only). */
  automation?: boolean;
}

export interface RunningInternal {
  /** The listener's base URL; component `c` is at `${url}/mcp/${c}`. */
  readonly url: string;
  /** The service token (hand it to in-process users only; never print it). */
  readonly token: string;
  /** Whether the token was generated at start (not configured). */
  readonly generatedToken: boolean;
  readonly components: readonly InternalComponent[];
  /** The MCP URL of each served component. */
  readonly urls: Readonly<Partial<Record<InternalComponent, string>>>;
  /** The MCP URL of the automation component, when it is served. */
  readonly automationUrl: string | undefined;
  close(): Promise<void>;
}

export function componentPath(component: InternalComponent): string {
  return `/mcp/${component}`;
}

/** Checks the configured component names; the default is all of them. */
export function parseComponents(names: readonly string[] | undefined): InternalComponent[] {
  if (names === undefined) return [...INTERNAL_COMPONENTS];
  const known = new Set<string>(INTERNAL_COMPONENTS);
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new Error(
      `unknown internal MCP component ${unknown.map((n) => `"${n}"`).join(', ')} (known: ${INTERNAL_COMPONENTS.join(', ')})`,
    );
  }
  if (names.length === 0) throw new Error('the internal MCP server needs at least one component');
  return INTERNAL_COMPONENTS.filter((c) => names.includes(c));
}

function serviceToken(configured: string | undefined): { token: string; generated: boolean } {
  const token = configured ?? process.env[INTERNAL_TOKEN_ENV];
  if (token === undefined || token === '')
    return { token: `lit_${randomBytes(32).toString('base64url')}`, generated: true };
  if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token))
    throw new Error(
      `the internal MCP service token (${INTERNAL_TOKEN_ENV}) must be at least ${MIN_TOKEN_LENGTH} characters without spaces`,
    );
  return { token, generated: false };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Constant-time: both sides are hashed to the same length before comparing. */
function bearerMatches(header: string | null, expected: Buffer): boolean {
  const given = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
  return timingSafeEqual(digest(given ?? ''), expected) && given !== undefined;
}

function rpcError(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: '2.0', error: { code, message }, id: null }, { status });
}

export async function startInternalServer(
  core: LanternCore,
  options: InternalOptions = {},
): Promise<RunningInternal> {
  const components = parseComponents(options.components);
  const { token, generated } = serviceToken(options.token);
  if ((process.env.GATEHOUSE_CALLER ?? '') !== '') {
    throw new Error(
      "GATEHOUSE_CALLER is set: Lantern's internal MCP server takes the user only from each call, never from the environment; unset it",
    );
  }
  const host = options.host ?? '127.0.0.1';
  const bracketed = host.includes(':') ? `[${host}]` : host;
  const handlers = new Map<string, FetchHandler>();
  const servers: DomainServer[] = [];
  for (const component of components) {
    const server = BUILDERS[component](core, VERSION);
    servers.push(server);
    handlers.set(
      componentPath(component),
      createFetchHandler(server, { path: componentPath(component), token, allowedHosts: [host, bracketed] }),
    );
  }
  if (options.automation === true) {
    const path = `/mcp/${AUTOMATION_COMPONENT}`;
    const server = automationComponent(core, VERSION);
    servers.push(server);
    handlers.set(path, createFetchHandler(server, { path, token, allowedHosts: [host, bracketed] }));
  }
  const expected = digest(token);
  const route = async (request: Request): Promise<Response> => {
    if (!bearerMatches(request.headers.get('authorization'), expected)) {
      return rpcError(
        401,
        -32001,
        "Unauthorized: Lantern's internal MCP server needs its service token (Authorization: Bearer …)",
      );
    }
    const handler = handlers.get(new URL(request.url).pathname);
    if (handler === undefined) {
      return rpcError(
        404,
        -32601,
        `Not found: the internal MCP server serves ${[...handlers.keys()].join(', ')}`,
      );
    }
    return handler.fetch(request);
  };
  const listening = await listen(route, host, options.port ?? 0);
  return {
    url: listening.url,
    token,
    generatedToken: generated,
    components,
    urls: Object.fromEntries(components.map((c) => [c, `${listening.url}${componentPath(c)}`])),
    automationUrl: options.automation === true ? `${listening.url}/mcp/${AUTOMATION_COMPONENT}` : undefined,
    close: async () => {
      await listening.close();
      await Promise.allSettled([...handlers.values()].map((h) => h.close()));
      await Promise.allSettled(servers.map((s) => s.close()));
    },
  };
}
