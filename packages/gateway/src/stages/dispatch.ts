/**
 * dispatch: the innermost step. Lists are answered from the merged catalog, one page at a time;
 * everything that targets one upstream is forwarded to it under the upstream's own name.
 */
import type { Principal } from '../auth/principal.ts';
import { paginate } from '../catalog/pagination.ts';
import type { PolicyModel } from '../config/model-access.ts';
import type { ResourceSubscriptions } from '../downstream/subscriptions.ts';
import { wireError } from '../errors/wire.ts';
import type { Middleware } from '../pipeline/compose.ts';
import type { GatewayRequest } from '../pipeline/context.ts';
import type { CatalogView } from '../policy/catalog-view.ts';
import { filterCompletion } from '../policy/completion-filter.ts';
import { identityMeta, PRINCIPAL_META_KEY } from '../policy/inject.ts';
import {
  forward,
  upstreamFailure,
  withCallerEnvelope,
  withoutServerInfo,
  withoutUpstreamEnvelope,
} from '../relay/call-relay.ts';
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
function forwardedMeta(req: GatewayRequest): Record<string, unknown> | undefined {
  const meta = req.params._meta;
  const rest: Record<string, unknown> =
    meta !== null && typeof meta === 'object' ? { ...(meta as Record<string, unknown>) } : {};
  delete rest.progressToken;
  delete rest[PRINCIPAL_META_KEY];
  const upstream = req.target?.upstream;
  if (upstream?.model.forwardIdentity.meta && req.principal) {
    rest[PRINCIPAL_META_KEY] = identityMeta(req.principal);
  }
  return Object.keys(rest).length > 0 ? rest : undefined;
}

function upstreamParams(req: GatewayRequest, overrides: Record<string, unknown>): Record<string, unknown> {
  const { _meta: _, inputResponses: __, requestState: ___, ...rest } = req.params;
  const meta = forwardedMeta(req);
  return meta ? { ...rest, ...overrides, _meta: meta } : { ...rest, ...overrides };
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function cursorOf(req: GatewayRequest): string | undefined {
  return typeof req.params.cursor === 'string' ? req.params.cursor : undefined;
}

function listPage(req: GatewayRequest, deps: DispatchDeps): Record<string, unknown> | undefined {
  const cursor = cursorOf(req);
  const size = deps.pageSize;
  const view = deps.view;
  const principal = req.principal as Principal;
  switch (req.method) {
    case 'tools/list': {
      const page = paginate(view.tools(principal), (r) => r.item.name, size, cursor);
      return {
        tools: page.items.map((r) => r.item),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      };
    }
    case 'prompts/list': {
      const page = paginate(view.prompts(principal), (r) => r.item.name, size, cursor);
      return {
        prompts: page.items.map((r) => r.item),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      };
    }
    case 'resources/list': {
      const page = paginate(view.resources(principal), (r) => r.item.uri, size, cursor);
      return {
        resources: page.items.map((r) => r.item),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      };
    }
    case 'resources/templates/list': {
      const page = paginate(view.templates(principal), (r) => r.item.uriTemplate, size, cursor);
      return {
        resourceTemplates: page.items.map((r) => r.item),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      };
    }
    default:
      return undefined;
  }
}

async function forwardOne(req: GatewayRequest, deps: DispatchDeps): Promise<void> {
  const target = req.target;
  if (!target) throw wireError('MethodNotFound', `Method not found: ${req.method}`);
  const { upstream, original } = target;
  switch (req.method) {
    case 'tools/call':
    case 'prompts/get':
      return forward(
        req,
        upstream,
        req.method,
        upstreamParams(req, {
          name: original,
          ...(req.upstreamArguments === undefined ? {} : { arguments: req.upstreamArguments }),
        }),
        deps,
      );
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
        req.result = withoutServerInfo(await sendTaskMethod(req, upstream, params, str(req.params.taskId)));
      } catch (error) {
        throw upstreamFailure(error, upstream);
      }
      return;
    }
    case 'resources/subscribe':
    case 'resources/unsubscribe': {
      const session = req.sessionId ?? 'stdio';
      if (req.method === 'resources/subscribe')
        await deps.subscriptions.subscribe(session, original, upstream);
      else await deps.subscriptions.unsubscribe(session, original);
      req.result = {};
      return;
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
      const exposed = (req.target?.entry?.item as { name?: string } | undefined)?.name;
      const roles = req.principal?.roles ?? [];
      req.result = filterCompletion(
        deps.policy,
        roles,
        req.params as never,
        withoutUpstreamEnvelope(result),
        exposed,
      );
      return;
    }
    default:
      throw wireError('MethodNotFound', `Method not found: ${req.method}`);
  }
}

/** Where list results say which upstreams are missing from them (and why). */
export const UNAVAILABLE_META_KEY = 'dev.gatehouse/unavailable';

/** Marks a list page as incomplete: which upstreams the caller would see more from, and why not. */
function withMissing(
  page: Record<string, unknown>,
  req: GatewayRequest,
  deps: DispatchDeps,
): Record<string, unknown> {
  const missing = deps.view.missing(req.principal as Principal);
  if (missing.length === 0) return page;
  // Names and states only: an upstream's own error text may name internal hosts.
  const unavailable = missing.map((u) => ({ upstream: u.name, state: u.state }));
  return { ...page, _meta: { [UNAVAILABLE_META_KEY]: unavailable } };
}

export function dispatch(deps: DispatchDeps): Middleware<GatewayRequest> {
  return async (req) => {
    const page = listPage(req, deps);
    if (page) {
      req.result = withMissing(page, req, deps);
      return;
    }
    await forwardOne(req, deps);
  };
}
