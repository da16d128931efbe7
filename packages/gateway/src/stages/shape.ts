/**
 * shape: applies the tool's shaping rule (upstreams[].shaping) to a `tools/call` result on its
 * way back — pick, omit, rename, truncate, cap, token budget — and answers a call that carries
 * `continuation` from the continuation store, without calling the upstream again. The plan was
 * looked up when the catalog was built: a tool without one passes straight through.
 */
import type { Stage } from '../pipeline/compose.ts';
import type { ApprovedRequest } from '../pipeline/context.ts';
import { resultOutcome } from '../pipeline/outcome.ts';
import type { ContinuationStore } from '../shaping/continuations.ts';
import { CONTINUATION_ARGUMENT } from '../shaping/plan.ts';
import { continuationResult, type ShapeContext, shapeToolResult } from '../shaping/result.ts';
import { isObject } from '../shaping/value.ts';

/** The continuation cursor a call carries, if any. */
function continuationOf(req: ApprovedRequest): unknown {
  const args = isObject(req.params.arguments) ? req.params.arguments : {};
  return args[CONTINUATION_ARGUMENT];
}

/** The request without the `continuation` argument, which is the gateway's, not the upstream's. */
function withoutContinuation(req: ApprovedRequest): ApprovedRequest {
  if (req.upstreamArguments === undefined || !(CONTINUATION_ARGUMENT in req.upstreamArguments)) return req;
  const { [CONTINUATION_ARGUMENT]: _, ...rest } = req.upstreamArguments;
  return Object.assign(req, { upstreamArguments: rest });
}

export function shape(store: ContinuationStore): Stage<ApprovedRequest> {
  return async (req, next) => {
    const entry = req.method === 'tools/call' ? req.target?.entry : undefined;
    const plan = entry?.shaping;
    if (entry === undefined || plan === undefined) return next(req);
    const ctx: ShapeContext = {
      plan,
      owner: req.principal.id,
      tool: (entry.item as { name: string }).name,
      upstream: entry.upstream.name,
      store,
    };
    if (plan.paged) {
      const cursor = continuationOf(req);
      // A paged call carrying a continuation is answered from the store; the argument never
      // goes upstream, not even as null.
      if (cursor !== undefined && cursor !== null) {
        await store.load(cursor);
        const page = continuationResult(cursor, ctx);
        await store.settle();
        return resultOutcome(page);
      }
      req = withoutContinuation(req);
    }
    const outcome = await next(req);
    if (outcome.kind !== 'result') return outcome;
    const shaped = shapeToolResult(outcome.result, ctx);
    // The cursor in this answer must work on whichever replica the next call reaches.
    await store.settle();
    return resultOutcome(shaped);
  };
}
