/**
 * The downstream MCP server: an SDK `Server` whose every request handler builds a GatewayRequest
 * and runs the pipeline. One factory serves both eras and every transport — a 2025-era session
 * gets one instance for its lifetime, a 2026-07-28 request gets a fresh one.
 */
import { randomUUID } from 'node:crypto';
import {
  createRequestStateCodec,
  inputRequired,
  type ProgressToken,
  type RequestStateCodec,
  Server,
  type ServerContext,
} from '@modelcontextprotocol/server';
import type { Era, GatewayRequest } from '../pipeline/context.ts';
import type { Pipeline } from '../pipeline/stages.ts';

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
  pipeline: Pipeline;
  stateKey: Uint8Array;
  listTtlMs: number;
}

export interface ServerOrigin {
  era: Era;
  transport: 'http' | 'stdio';
  sessionId?: string;
}

function progressTokenOf(params: Record<string, unknown>): ProgressToken | undefined {
  const meta = params._meta as Record<string, unknown> | undefined;
  const token = meta?.progressToken;
  return typeof token === 'string' || typeof token === 'number' ? token : undefined;
}

function buildRequest(
  method: string,
  params: Record<string, unknown>,
  ctx: ServerContext,
  origin: ServerOrigin,
): GatewayRequest {
  const progressToken = progressTokenOf(params);
  return {
    id: randomUUID(),
    method,
    params,
    era: origin.era,
    transport: origin.transport,
    sessionId: origin.sessionId ?? ctx.sessionId,
    signal: ctx.mcpReq.signal,
    progressToken,
    downstream: {
      progress: (p) => {
        if (progressToken === undefined) return;
        ctx.mcpReq
          .notify({ method: 'notifications/progress', params: { ...p, progressToken } })
          .catch(() => {});
      },
      log: (p) => {
        ctx.mcpReq.log(p.level, p.data, p.logger).catch(() => {});
      },
    },
    inputResponses: ctx.mcpReq.inputResponses,
    resumeState: ctx.mcpReq.requestState(),
    startedAt: performance.now(),
  };
}

export function createCodec(key: Uint8Array): RequestStateCodec {
  return createRequestStateCodec({ key, ttlSeconds: 600, bind: (ctx) => ctx.mcpReq.method });
}

export function createDownstreamServer(
  deps: ServerFactoryDeps,
  origin: ServerOrigin,
  codec: RequestStateCodec,
): Server {
  const hint = { ttlMs: deps.listTtlMs, cacheScope: 'private' as const };
  const server = new Server(SERVER_INFO, {
    capabilities: {
      tools: { listChanged: true },
      prompts: { listChanged: true },
      resources: { subscribe: true, listChanged: true },
      logging: {},
      completions: {},
    },
    instructions: 'Gatehouse: one governed MCP endpoint in front of many upstream servers.',
    cacheHints: {
      'tools/list': hint,
      'prompts/list': hint,
      'resources/list': hint,
      'resources/templates/list': hint,
      'server/discover': hint,
    },
    requestState: { verify: (state, ctx) => codec.verify(state, ctx) },
  });
  for (const method of FORWARDED_METHODS) {
    server.setRequestHandler(method, (async (
      request: { params?: Record<string, unknown> },
      ctx: ServerContext,
    ) => {
      const req = buildRequest(method, request.params ?? {}, ctx, origin);
      await deps.pipeline(req);
      if (req.inputRequired) {
        const requestState = await codec.mint(req.inputRequired.requestState, ctx);
        return inputRequired({ inputRequests: req.inputRequired.inputRequests, requestState });
      }
      return req.result ?? {};
    }) as never);
  }
  return server;
}
