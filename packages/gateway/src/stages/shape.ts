/**
 * shape: applies the tool's shaping rule (upstreams[].shaping) to a `tools/call` result on its
 * way back — pick, omit, rename, truncate, cap, token budget — and answers a call that carries
 * `continuation` from the continuation store, without calling the upstream again. The plan was
 * looked up when the catalog was built: a tool without one passes straight through.
 */
import type { Principal } from '../auth/principal.ts';
import type { Middleware } from '../pipeline/compose.ts';
import type { GatewayRequest } from '../pipeline/context.ts';
import type { ContinuationStore } from '../shaping/continuations.ts';
import { CONTINUATION_ARGUMENT } from '../shaping/plan.ts';
import { continuationResult, type ShapeContext, shapeToolResult } from '../shaping/result.ts';
import { isObject } from '../shaping/value.ts';

/**
 * For a paged tool: answers a call that carries `continuation` (true), or makes sure the
 * argument — the gateway's, not the upstream's — never goes upstream, not even as null.
 */
function answeredFromStore(req: GatewayRequest, ctx: ShapeContext): boolean {
  const args = isObject(req.params.arguments) ? req.params.arguments : {};
  const cursor = args[CONTINUATION_ARGUMENT];
  if (cursor !== undefined && cursor !== null) {
    req.result = continuationResult(cursor, ctx);
    return true;
  }
  if (req.upstreamArguments !== undefined && CONTINUATION_ARGUMENT in req.upstreamArguments) {
    const { [CONTINUATION_ARGUMENT]: _, ...rest } = req.upstreamArguments;
    req.upstreamArguments = rest;
  }
  return false;
}

export function shape(store: ContinuationStore): Middleware<GatewayRequest> {
  return async (req, next) => {
    const entry = req.method === 'tools/call' ? req.target?.entry : undefined;
    const plan = entry?.shaping;
    if (entry === undefined || plan === undefined) return next();
    const ctx: ShapeContext = {
      plan,
      owner: (req.principal as Principal).id,
      tool: (entry.item as { name: string }).name,
      upstream: entry.upstream.name,
      store,
    };
    if (plan.paged && answeredFromStore(req, ctx)) return;
    await next();
    if (req.result !== undefined && req.inputRequired === undefined) {
      req.result = shapeToolResult(req.result, ctx);
    }
  };
}
