/**
 * The downstream MCP server: an SDK `Server` whose every request handler builds a GatewayRequest
 * and runs the pipeline. One factory serves both eras and every transport — a 2025-era session
 * gets one instance for its lifetime, a 2026-07-28 request gets a fresh one.
 */
import {
  type ClientCapabilities,
  inputRequired,
  McpServer,
  type ServerContext,
} from '@modelcontextprotocol/server';
import * as z from 'zod';
import { admittedCaller } from '../auth/admitted-caller.ts';
import type { Principal } from '../auth/principal.ts';
import type { Era, GatewayRequest } from '../pipeline/context.ts';
import type { Outcome, Pipeline } from '../pipeline/outcome.ts';
import { TASK_METHODS, TASKS_EXTENSION } from '../tasks/task-relay.ts';
import { newGatewayRequest } from './gateway-request.ts';
import type { RequestStateSealer } from './request-state.ts';

export const SERVER_INFO = { name: 'gatehouse', title: 'Gatehouse MCP gateway', version: '0.1.0' };

export const FORWARDED_METHODS = [
  'tools/list',
  'tools/call',
  'prompts/list',
  'prompts/get',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'completion/complete',
] as const;

export interface ServerFactoryDeps {
  /** Runs one request through the current pipeline (a reload may swap it between requests). */
  pipeline: Pipeline<GatewayRequest>;
  /** Aborted when the gateway gives up on in-flight calls while shutting down. */
  shutdown: AbortSignal;
  /** The input schema of an exposed tool, for the SDK's SEP-2243 `Mcp-Param-*` header checks. */
  toolInputSchema: (name: string) => Record<string, unknown> | undefined;
  listTtlMs: number;
  /** Whether any upstream serves the tasks extension (advertised to 2026-07-28 clients only). */
  offersTasks: () => boolean;
}

export interface ServerOrigin {
  era: Era;
  transport: 'http' | 'stdio';
  sessionId?: string;
  /** The caller, when the transport knows it for the server's lifetime (stdio). */
  principal?: Principal;
}

function principalOf(ctx: ServerContext): Principal | undefined {
  return admittedCaller(ctx.http?.authInfo)?.principal;
}

/**
 * The GatewayRequest for an SDK handler invocation, and a wait for the notifications it sent: the
 * SDK sends a notification asynchronously, so without that wait a result could overtake the
 * progress and log messages that came before it (and they would be dropped).
 */
function buildRequest(
  method: string,
  params: Record<string, unknown>,
  ctx: ServerContext,
  origin: ServerOrigin,
  sessionCapabilities: () => ClientCapabilities | undefined,
  shutdown: AbortSignal,
): { req: GatewayRequest; sent: () => Promise<unknown> } {
  const sending: Promise<unknown>[] = [];
  const req = newGatewayRequest(
    {
      method,
      params,
      era: origin.era,
      transport: origin.transport,
      sessionId: origin.sessionId ?? ctx.sessionId,
      signal: ctx.mcpReq.signal,
      envelope: ctx.mcpReq.envelope as Record<string, unknown> | undefined,
      sessionCapabilities,
      inputResponses: ctx.mcpReq.inputResponses,
      resumeState: ctx.mcpReq.requestState(),
      headers: ctx.http?.req?.headers,
      principal: origin.principal ?? principalOf(ctx),
      notify: (notification) => {
        sending.push(ctx.mcpReq.notify(notification).catch(() => {}));
      },
      log: (p) => {
        sending.push(ctx.mcpReq.log(p.level, p.data, p.logger).catch(() => {}));
      },
    },
    shutdown,
  );
  return { req, sent: () => Promise.all(sending) };
}

/** tasks/* params: the task id, plus whatever else the method carries (inputResponses, _meta). */
const TASK_PARAMS = z.looseObject({ taskId: z.string() });

/**
 * The SDK's McpServer, used only as the shell the HTTP entry recognises: it has no registered
 * tools of its own — every handler is set on the low-level server — and it answers the entry's
 * tool-schema question (for SEP-2243 `Mcp-Param-*` header validation) from the gateway catalog.
 */
export class GatewayMcpServer extends McpServer {
  private readonly schemaOf: (name: string) => Record<string, unknown> | undefined;

  constructor(
    schemaOf: (name: string) => Record<string, unknown> | undefined,
    options: ConstructorParameters<typeof McpServer>[1],
  ) {
    super(SERVER_INFO, options);
    this.schemaOf = schemaOf;
  }

  override toolInputSchemaJson(name: string): Record<string, unknown> | undefined {
    return this.schemaOf(name);
  }
}

/** The SDK handler's answer for an outcome: a result, an input-required result, or a thrown error. */
async function encodeForSdk(outcome: Outcome, ctx: ServerContext, sealer: RequestStateSealer) {
  if (outcome.kind === 'error') throw outcome.error;
  if (outcome.kind === 'result') return outcome.result;
  const requestState = await sealer.seal(ctx.mcpReq.method, outcome.requestState);
  return inputRequired({ inputRequests: outcome.inputRequests, requestState });
}

export function createDownstreamServer(
  deps: ServerFactoryDeps,
  origin: ServerOrigin,
  sealer: RequestStateSealer,
): GatewayMcpServer {
  const hint = { ttlMs: deps.listTtlMs, cacheScope: 'private' as const };
  // Capabilities go on the low-level server (below), not to McpServer, so that McpServer
  // installs none of its own handlers.
  const mcp = new GatewayMcpServer(deps.toolInputSchema, {
    instructions: 'Gatehouse: one governed MCP endpoint in front of many upstream servers.',
    cacheHints: {
      'tools/list': hint,
      'prompts/list': hint,
      'resources/list': hint,
      'resources/templates/list': hint,
      'server/discover': hint,
    },
    requestState: { verify: (state: string, ctx: ServerContext) => sealer.open(state, ctx) },
  });
  const server = mcp.server;
  server.registerCapabilities({
    tools: { listChanged: true },
    prompts: { listChanged: true },
    resources: { subscribe: true, listChanged: true },
    logging: {},
    completions: {},
  });
  if (origin.era === 'modern' && deps.offersTasks())
    server.registerCapabilities({ extensions: { [TASKS_EXTENSION]: {} } });
  const handle = async (
    method: string,
    request: { params?: Record<string, unknown> },
    ctx: ServerContext,
  ) => {
    const built = buildRequest(
      method,
      request.params ?? {},
      ctx,
      origin,
      () => server.getClientCapabilities(),
      deps.shutdown,
    );
    let outcome: Outcome;
    try {
      outcome = await deps.pipeline(built.req);
    } finally {
      await built.sent();
    }
    return encodeForSdk(outcome, ctx, sealer);
  };
  for (const method of FORWARDED_METHODS) {
    server.setRequestHandler(method, ((request: { params?: Record<string, unknown> }, ctx: ServerContext) =>
      handle(method, request, ctx)) as never);
  }
  // The tasks extension exists on 2026-07-28 only; a 2025-era session gets -32601 for tasks/*.
  // Handlers are registered even when no upstream offers tasks, so that a caller gets the
  // spec's -32021 / unknown-task answers rather than method-not-found.
  if (origin.era === 'modern') {
    for (const method of TASK_METHODS) {
      server.setRequestHandler(method, { params: TASK_PARAMS }, ((
        params: Record<string, unknown>,
        ctx: ServerContext,
      ) => handle(method, { params }, ctx)) as never);
    }
  }
  return mcp;
}
