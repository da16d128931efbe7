/**
 * THE STAGE ORDER. Every request from every transport runs these stages, outermost first. The
 * order is written here and nowhere else; each line says why its stage sits where it does.
 */
import type { Catalog } from '../catalog/catalog.ts';
import type { PolicyModel } from '../config/model-access.ts';
import type { RateLimits } from '../limits/rate-limits.ts';
import type { Logger } from '../observability/logger.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import { endSpan, type Tracing } from '../observability/tracing.ts';
import type { CatalogView } from '../policy/catalog-view.ts';
import type { ContinuationStore } from '../shaping/continuations.ts';
import { answerForModel } from '../stages/answer-for-model.ts';
import { type ApproveDeps, approve } from '../stages/approve.ts';
import { type AuditSink, audit } from '../stages/audit.ts';
import { authorize } from '../stages/authorize.ts';
import { type DispatchDeps, dispatch } from '../stages/dispatch.ts';
import { identify } from '../stages/identify.ts';
import { observe, type RequestCounter } from '../stages/observe.ts';
import { rateLimit } from '../stages/rate-limit.ts';
import { route } from '../stages/route.ts';
import { shape } from '../stages/shape.ts';
import { compose, type Middleware } from './compose.ts';
import type { GatewayRequest } from './context.ts';

export interface PipelineDeps extends DispatchDeps {
  catalog: Catalog;
  view: CatalogView;
  policy: PolicyModel;
  /** The audit log; null when audit is disabled in the config. */
  audit: AuditSink | null;
  approvals: ApproveDeps;
  /** The rate-limit counters; null when no rate limit rules are configured. */
  limits: RateLimits | null;
  /** Pages held back by shaping token budgets; null when no upstream configures shaping. */
  shaping: ContinuationStore | null;
  log: Logger;
  metrics: GatewayMetrics | null;
  /** null when tracing is off: then no stage is wrapped in a span. */
  tracing: Tracing | null;
  requests: RequestCounter;
}

export type Pipeline = (req: GatewayRequest) => Promise<void>;

export function buildPipeline(deps: PipelineDeps): Pipeline {
  const stages: [string, Middleware<GatewayRequest>][] = [
    // observe is outermost so that every request is counted (drain waits for it), traced, timed,
    // logged and measured — including those a later stage refuses or that fail — and so an
    // unexpected exception becomes InternalError here.
    ['observe', observe(deps)],
    // answer-for-model sits inside observe (which still sees the failure) and outside audit
    // (which records the real error code): it turns an upstream failure or a rate limit on a
    // tool call into an isError result the model can act on.
    ['answer-for-model', answerForModel()],
  ];
  // audit sits inside observe and outside everything that can deny or fail, so every outcome —
  // unauthenticated, hidden, denied, failed upstream, answered — is recorded exactly once.
  if (deps.audit !== null) stages.push(['audit', audit(deps.audit, deps.log)]);
  const inner: [string, Middleware<GatewayRequest>][] = [
    // identify comes before anything that looks at the target: no principal, no policy, no
    // routing — whatever the transport.
    ['identify', identify()],
    // route resolves the owning upstream among the targets this principal may see; a hidden
    // target fails here exactly like a missing one, before any upstream is contacted.
    ['route', route({ catalog: deps.catalog, view: deps.view, taskIds: deps.taskIds })],
    // authorize needs the routed target (its upstream's injection rules, its exposed name) and
    // runs before dispatch so that no denied call reaches an upstream.
    ['authorize', authorize(deps.policy)],
    // rate-limit counts only calls policy lets through: it sits after authorize so that hidden
    // and denied calls never use up anyone's quota, and before approve so that no human is asked
    // about a call that is over its limit anyway.
    ...(deps.limits === null
      ? []
      : [['rate-limit', rateLimit(deps.limits)] as [string, Middleware<GatewayRequest>]]),
    // approve runs after every check that can refuse outright (policy, limits), so a human is
    // only asked about calls that would otherwise go ahead, and nothing unapproved reaches
    // dispatch. It may answer early (the question in band, or "awaiting approval").
    ['approve', approve(deps.approvals)],
    // shape sits inside audit, so the audit records what the model actually received (the size
    // and hash of the shaped result), and inside authorize, rate-limit and approve, because a
    // call carrying a continuation is still a call the principal must be allowed to make — it is
    // answered here from the held-back pages, without reaching dispatch. Right before dispatch,
    // it reshapes the upstream's result on the way back. Absent when nothing is shaped.
    ...(deps.shaping === null
      ? []
      : [['shape', shape(deps.shaping)] as [string, Middleware<GatewayRequest>]]),
  ];
  stages.push(...inner);
  // observe opens the request's span itself; with tracing on, every other stage gets its own.
  const traced = stages.map(([name, stage], i) =>
    deps.tracing === null || i === 0 ? stage : withSpan(name, stage),
  );
  const run = compose<GatewayRequest>(traced);
  // dispatch is the innermost step: answer lists from the caller's view of the catalog, forward
  // everything else.
  const terminal = deps.tracing === null ? dispatch(deps) : withSpan('dispatch', dispatch(deps));
  return (req) => run(req, terminal);
}

/** Wraps a stage in a child span of the request's current one (stages nest like the onion). */
function withSpan(name: string, stage: Middleware<GatewayRequest>): Middleware<GatewayRequest> {
  return async (req, next) => {
    const outer = req.trace;
    if (outer === undefined) return stage(req, next);
    const { span, scope } = outer.tracing.startChild(outer, `gatehouse.${name}`);
    req.trace = scope;
    let failure: unknown;
    try {
      await stage(req, next);
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      req.trace = outer;
      endSpan(span, failure);
    }
  };
}
