/**
 * dispatch: the innermost step. Lists are answered from the merged catalog, one page at a time;
 * everything that targets one upstream is forwarded to it under the upstream's own name.
 */
import type { PolicyModel } from '../config/model-access.ts';
import type { ResourceSubscriptions } from '../downstream/subscriptions.ts';
import { wireError } from '../errors/wire.ts';
import type { ApprovedRequest } from '../pipeline/context.ts';
import { type Outcome, type Pipeline, resultOutcome } from '../pipeline/outcome.ts';
import type { CatalogView, ListName, ListPage } from '../policy/catalog-view.ts';
import { filterCompletion } from '../policy/completion-filter.ts';
import { identityMeta, PRINCIPAL_META_KEY } from '../policy/inject.ts';
import {
  forward,
  upstreamFailure,
  withCallerEnvelope,
  withoutServerInfo,
  withoutUpstreamEnvelope,
} from '../relay/call-relay.ts';
import { errorInCallerTerms, inCallerTerms } from '../relay/caller-terms.ts';
import type { SuspendedCalls } from '../relay/suspendable-call.ts';
import type { TaskIdCodec } from '../tasks/task-ids.ts';
import { sendTaskMethod } from '../tasks/task-relay.ts';
import { upstreamTimeout } from '../upstream/resilience.ts';

export interface DispatchDeps {
  view: CatalogView;
  policy: PolicyModel;
  subscriptions: ResourceSubscriptions;
  suspended: SuspendedCalls;
  taskIds: TaskIdCodec;
  pageSize: number;
}

/**
 * `_meta` to pass upstream: the caller's own keys, minus what the gateway manages itself — the
 * progress token, and the identity key, which only the gateway may set (a caller could otherwise
 * name someone else to the upstream).
 */
function forwardedMeta(req: ApprovedRequest): Record<string, unknown> | undefined {
  const meta = req.params._meta;
  const rest: Record<string, unknown> =
    meta !== null && typeof meta === 'object' ? { ...(meta as Record<string, unknown>) } : {};
  delete rest.progressToken;
  delete rest[PRINCIPAL_META_KEY];
  const upstream = req.target?.upstream;
  if (upstream?.model.forwardIdentity.meta) {
    rest[PRINCIPAL_META_KEY] = identityMeta(req.principal);
  }
  return Object.keys(rest).length > 0 ? rest : undefined;
}

function upstreamParams(req: ApprovedRequest, overrides: Record<string, unknown>): Record<string, unknown> {
  const { _meta: _, inputResponses: __, requestState: ___, ...rest } = req.params;
  const meta = forwardedMeta(req);
  return meta ? { ...rest, ...overrides, _meta: meta } : { ...rest, ...overrides };
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function cursorOf(req: ApprovedRequest): string | undefined {
  return typeof req.params.cursor === 'string' ? req.params.cursor : undefined;
}

/** The list methods, and the field each one's result carries its items in. */
const LIST_METHODS: Readonly<Record<string, ListName>> = {
  'tools/list': 'tools',
  'prompts/list': 'prompts',
  'resources/list': 'resources',
  'resources/templates/list': 'resourceTemplates',
};

/** A list method's page for this caller (built once per role set and catalog version). */
function listPage(req: ApprovedRequest, deps: DispatchDeps): ListPage | undefined {
  const list = LIST_METHODS[req.method];
  if (list === undefined) return undefined;
  return deps.view.page(req.principal, list, cursorOf(req), deps.pageSize);
}

async function forwardOne(req: ApprovedRequest, deps: DispatchDeps): Promise<Outcome> {
  const target = req.target;
  if (!target) throw wireError('MethodNotFound', `Method not found: ${req.method}`);
  const { upstream, original } = target;
  switch (req.method) {
    case 'tools/call':
    case 'prompts/get': {
      // An upstream's error names the tool or prompt as the caller called it, not by its own name.
      let outcome: Outcome;
      try {
        outcome = await forward(
          req,
          upstream,
          req.method,
          upstreamParams(req, {
            name: original,
            ...(req.upstreamArguments === undefined ? {} : { arguments: req.upstreamArguments }),
          }),
          deps,
        );
      } catch (error) {
        throw errorInCallerTerms(error, original, target.name);
      }
      return outcome.kind === 'result'
        ? { ...outcome, result: inCallerTerms(outcome.result, original, target.name) }
        : outcome;
    }
    case 'resources/read':
      return forward(req, upstream, 'resources/read', upstreamParams(req, {}), deps);
    case 'tasks/get':
    case 'tasks/update':
    case 'tasks/cancel': {
      // The SDK lifts inputResponses out of every 2026-07-28 request; on tasks/update they are
      // the payload, so they go back in.
      const answers = req.inputResponses === undefined ? {} : { inputResponses: req.inputResponses };
      const params = withCallerEnvelope(req, upstreamParams(req, { taskId: original, ...answers }));
      try {
        return resultOutcome(
          withoutServerInfo(await sendTaskMethod(req, upstream, params, str(req.params.taskId))),
        );
      } catch (error) {
        throw upstreamFailure(error, upstream);
      }
    }
    case 'resources/subscribe':
    case 'resources/unsubscribe': {
      const session = req.sessionId ?? 'stdio';
      if (req.method === 'resources/subscribe')
        await deps.subscriptions.subscribe(session, original, upstream);
      else await deps.subscriptions.unsubscribe(session, original);
      return resultOutcome({});
    }
    case 'completion/complete': {
      const ref = req.params.ref as Record<string, unknown>;
      const params = upstreamParams(req, {
        ref: ref.type === 'ref/prompt' ? { ...ref, name: original } : ref,
      });
      let result: Record<string, unknown>;
      try {
        result = await upstream.use(
          (client, signal) =>
            client.complete(params as never, { signal, timeout: upstreamTimeout(upstream) }),
          { signal: req.signal, retryable: true },
        );
      } catch (error) {
        throw upstreamFailure(error, upstream);
      }
      // Values that would lead to a call this caller may not make are dropped, like hidden names.
      const exposed = (target.entry?.item as { name?: string } | undefined)?.name;
      return resultOutcome(
        filterCompletion(
          deps.policy,
          req.principal.roles,
          req.params as never,
          withoutUpstreamEnvelope(result),
          exposed,
        ),
      );
    }
    default:
      throw wireError('MethodNotFound', `Method not found: ${req.method}`);
  }
}

/** Where list results say which upstreams are missing from them (and why). */
export const UNAVAILABLE_META_KEY = 'dev.gatehouse/unavailable';

/** Marks a list page as incomplete: which upstreams the caller would see more from, and why not. */
function withMissing(page: ListPage, req: ApprovedRequest, deps: DispatchDeps): Record<string, unknown> {
  const missing = deps.view.missing(req.principal);
  if (missing.length === 0) return page;
  // Names and states only: an upstream's own error text may name internal hosts.
  const unavailable = missing.map((u) => ({ upstream: u.name, state: u.state }));
  return { ...page, _meta: { [UNAVAILABLE_META_KEY]: unavailable } };
}

export function dispatch(deps: DispatchDeps): Pipeline<ApprovedRequest> {
  return async (req) => {
    const page = listPage(req, deps);
    if (page) return resultOutcome(withMissing(page, req, deps));
    return forwardOne(req, deps);
  };
}
