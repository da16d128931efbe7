/**
 * THE STAGE ORDER, with the gateway's assembly. Every request from every transport runs these
 * stages, outermost first. The order is written here and nowhere else; each line says why its
 * stage sits where it does.
 */
import type { Catalog } from './catalog/catalog.ts';
import type { PolicyModel } from './config/model-access.ts';
import type { RequestCounter } from './lifecycle/requests.ts';
import type { RateLimits } from './limits/rate-limits.ts';
import type { Logger } from './observability/logger.ts';
import type { GatewayMetrics } from './observability/metrics.ts';
import { endSpan, type Tracing } from './observability/tracing.ts';
import { Assembly, pass, type Stage } from './pipeline/compose.ts';
import type { ApprovedRequest, AuthorizedRequest, GatewayRequest } from './pipeline/context.ts';
import type { Pipeline } from './pipeline/outcome.ts';
import type { CatalogView } from './policy/catalog-view.ts';
import type { ContinuationStore } from './shaping/continuations.ts';
import { answerForModel } from './stages/answer-for-model.ts';
import { type ApproveDeps, approve } from './stages/approve.ts';
import { type AuditSink, audit } from './stages/audit.ts';
import { authorize } from './stages/authorize.ts';
import { type DispatchDeps, dispatch } from './stages/dispatch.ts';
import { identify } from './stages/identify.ts';
import { metaTools, withoutMetaTools } from './stages/meta-tools.ts';
import { observe } from './stages/observe.ts';
import { rateLimit } from './stages/rate-limit.ts';
import { route } from './stages/route.ts';
import { shape } from './stages/shape.ts';

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
  /** Whether any role is in search mode (toolSearch.roles); without one, meta-tools is a no-op. */
  searchMode: boolean;
}

export type { Pipeline } from './pipeline/outcome.ts';

/**
 * The gateway's pipeline: every request from every transport runs these stages, outermost
 * first, and gets one outcome back. Each stage receives what the stages before it established
 * (after identify a principal, after meta-tools the real call, after route the target, after authorize the decision and the
 * arguments to send, after approve the approval), so the order below is also checked by the
 * compiler.
 */
export function buildPipeline(deps: PipelineDeps): Pipeline<GatewayRequest> {
  const span = <In, Out>(name: string, stage: Stage<In, Out>): Stage<In, Out> =>
    deps.tracing === null ? stage : withSpan(name, stage);
  return (
    // observe is outermost so that every request is counted (drain waits for it), traced, timed,
    // logged and measured — including those a later stage refuses or that fail — and so an
    // unexpected exception becomes InternalError here. It opens the request's span itself.
    Assembly.from(observe(deps))
      // answer-for-model sits inside observe (which still sees the failure) and outside audit
      // (which records the real error code): it turns an upstream failure or a rate limit on a
      // tool call into an isError result the model can act on.
      .inside(span('answer-for-model', answerForModel()))
      // audit sits inside observe and outside everything that can deny or fail, so every outcome
      // — unauthenticated, hidden, denied, failed upstream, answered — is recorded exactly once.
      .inside(deps.audit === null ? pass<GatewayRequest>() : span('audit', audit(deps.audit, deps.log)))
      // identify comes before anything that looks at the target: no principal, no policy, no
      // routing — whatever the transport.
      .inside(span('identify', identify()))
      // meta-tools comes after identify (whether a caller is in search mode depends on its roles)
      // and before route, the first stage that reads the target: it answers search_tools from the
      // caller's view, and unwraps call_tool once, so that every stage after it — and audit and
      // observe, which read the request when it returns — sees the real tool, never the meta-tool.
      // Absent (a pass-through) when no role is in search mode.
      .inside(deps.searchMode ? span('meta-tools', metaTools({ view: deps.view })) : withoutMetaTools())
      // route resolves the owning upstream among the targets this principal may see; a hidden
      // target fails here exactly like a missing one, before any upstream is contacted.
      .inside(span('route', route({ catalog: deps.catalog, view: deps.view, taskIds: deps.taskIds })))
      // authorize needs the routed target (its upstream's injection rules, its exposed name) and
      // runs before dispatch so that no denied call reaches an upstream.
      .inside(span('authorize', authorize(deps.policy)))
      // rate-limit counts only calls policy lets through: it sits after authorize so that hidden
      // and denied calls never use up anyone's quota, and before approve so that no human is
      // asked about a call that is over its limit anyway.
      .inside(deps.limits === null ? pass<AuthorizedRequest>() : span('rate-limit', rateLimit(deps.limits)))
      // approve runs after every check that can refuse outright (policy, limits), so a human is
      // only asked about calls that would otherwise go ahead, and nothing unapproved reaches
      // dispatch. It may answer early (the question in band, or "awaiting approval").
      .inside(span('approve', approve(deps.approvals)))
      // shape sits inside audit, so the audit records what the model actually received (the size
      // and hash of the shaped result), and inside authorize, rate-limit and approve, because a
      // call carrying a continuation is still a call the principal must be allowed to make — it
      // is answered here from the held-back pages, without reaching dispatch. Right before
      // dispatch, it reshapes the upstream's result on the way back. Absent when nothing is shaped.
      .inside(deps.shaping === null ? pass<ApprovedRequest>() : span('shape', shape(deps.shaping)))
      // dispatch is the innermost step: answer lists from the caller's view of the catalog,
      // forward everything else.
      .end(deps.tracing === null ? dispatch(deps) : spanTerminal('dispatch', dispatch(deps)))
  );
}

/** Wraps a stage in a child span of the request's current one (stages nest like the onion). */
function withSpan<In, Out>(name: string, stage: Stage<In, Out>): Stage<In, Out> {
  return async (req, next) => {
    const traced = req as unknown as GatewayRequest;
    const outer = traced.trace;
    if (outer === undefined) return stage(req, next);
    const { span, scope } = outer.tracing.startChild(outer, `gatehouse.${name}`);
    traced.trace = scope;
    let failure: unknown;
    try {
      const outcome = await stage(req, next);
      if (outcome.kind === 'error') failure = outcome.error;
      return outcome;
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      traced.trace = outer;
      endSpan(span, failure);
    }
  };
}

function spanTerminal<R>(name: string, terminal: Pipeline<R>): Pipeline<R> {
  const staged = withSpan<R, R>(name, (req) => terminal(req));
  return (req) => staged(req, terminal);
}
