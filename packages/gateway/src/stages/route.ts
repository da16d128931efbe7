/**
 * route: resolves which upstream owns the request's target and under which name — among the
 * targets the caller may see. A target the caller may not see fails exactly like one that does
 * not exist (the same constructor builds both errors), before any upstream is contacted.
 */
import type { Principal } from '../auth/principal.ts';
import type { Catalog } from '../catalog/catalog.ts';
import { resourceNotFound, unknownPrompt, unknownTool } from '../errors/targets.ts';
import { wireError } from '../errors/wire.ts';
import type { Stage } from '../pipeline/compose.ts';
import type {
  IdentifiedRequest,
  RoutedRequest,
  RoutedTarget,
  UnwrappedRequest,
} from '../pipeline/context.ts';
import type { CatalogView } from '../policy/catalog-view.ts';
import type { Target } from '../policy/decide.ts';
import type { TaskIdCodec } from '../tasks/task-ids.ts';
import { callerDeclaresTasks, isTaskMethod, missingTasksCapability } from '../tasks/task-relay.ts';

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * A tool or prompt that is missing only because its upstream is down or evicted: the caller could
 * see it when the upstream was last up, so it is answered as unavailable (retry later) rather
 * than as unknown. Hidden targets stay unknown.
 */
function unavailableOwner(deps: RouteDeps, principal: Principal, target: Target): Error | undefined {
  for (const { upstream, lastSeen } of deps.catalog.missing) {
    const seen = lastSeen.some((t) => t.kind === target.kind && t.name === target.name);
    if (!seen || !deps.view.canSee(principal, target)) continue;
    return wireError(
      'UpstreamUnavailable',
      `upstream "${upstream.name}" is unavailable (${upstream.state})`,
      {
        upstream: upstream.name,
        reason: 'unavailable',
        state: upstream.state,
      },
    );
  }
  return undefined;
}

/**
 * How long a request for a name the catalog does not know waits for upstreams still making their
 * first connection (a gateway that has just started): a stdio server usually answers within a
 * second, and a caller is better served by a short wait than by a retry.
 */
const LOADING_WAIT_MS = 5_000;

/**
 * The gateway has just started and upstreams that could own the target are still connecting:
 * wait for them (bounded by LOADING_WAIT_MS and the caller's signal) so a known tool is never
 * answered as unknown. Returns the error to answer with when they are still loading after that.
 */
async function awaitLoading(
  catalog: Catalog,
  name: string | undefined,
  signal: AbortSignal,
): Promise<Error | undefined> {
  const loading = catalog.loading(name);
  if (loading.length === 0) return undefined;
  await settledOrTimeout(
    loading.map((u) => u.firstSettled),
    LOADING_WAIT_MS,
    signal,
  );
  const still = catalog.loading(name);
  if (still.length === 0) return undefined;
  const names = still.map((u) => u.name);
  return wireError(
    'UpstreamUnavailable',
    `the gateway is still connecting to upstream ${names.map((n) => `"${n}"`).join(', ')}; retry after 1 s`,
    { upstream: names[0], reason: 'loading', retryAfterSeconds: 1 },
  );
}

function settledOrTimeout(waits: Promise<void>[], ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    void Promise.all(waits).then(done);
  });
}

export interface RouteDeps {
  catalog: Catalog;
  view: CatalogView;
  taskIds: TaskIdCodec;
}

/**
 * Is the target visible to the caller? When it exists but is hidden, the denial is kept on the
 * request for the audit record — the client still gets the "does not exist" answer.
 */
function visible(req: IdentifiedRequest, deps: RouteDeps, target: Target): boolean {
  const decision = deps.view.decision(req.principal, target);
  if (!decision.visible) req.trail.decision = decision;
  return decision.visible;
}

/** A URI is visible when a rule names it, or names a template that matches it. */
function canSeeResource(req: IdentifiedRequest, deps: RouteDeps, uri: string): boolean {
  const template = deps.catalog.templateFor(uri);
  if (template !== undefined && deps.view.canSee(req.principal, { kind: 'resource', name: template }))
    return true;
  return visible(req, deps, { kind: 'resource', name: uri });
}

function routeCompletion(req: IdentifiedRequest, deps: RouteDeps): RoutedTarget {
  const ref = (req.params.ref ?? {}) as Record<string, unknown>;
  if (ref.type === 'ref/prompt') {
    const entry = deps.catalog.prompt(str(ref.name));
    if (!entry || !visible(req, deps, { kind: 'prompt', name: entry.item.name })) {
      throw unknownPrompt(str(ref.name));
    }
    return { name: entry.item.name, upstream: entry.upstream, original: entry.original, entry };
  }
  if (ref.type === 'ref/resource') {
    const uri = str(ref.uri);
    const template = deps.catalog.template(uri);
    const upstream = template?.upstream ?? deps.catalog.resourceOwner(uri);
    if (!upstream || !canSeeResource(req, deps, uri)) throw resourceNotFound(uri);
    return { name: uri, upstream, original: uri };
  }
  throw wireError('InvalidParams', 'completion/complete needs ref.type "ref/prompt" or "ref/resource"');
}

/**
 * tasks/* carry a sealed task id naming the owning upstream and the principal that created the
 * task. The capability gate comes first: a caller that did not declare the tasks extension gets
 * -32021 whatever id it sends. Someone else's task is as unknown as a made-up one.
 */
function routeTask(req: IdentifiedRequest, deps: RouteDeps): RoutedTarget {
  if (!callerDeclaresTasks(req)) throw missingTasksCapability(req.method);
  const id = str(req.params.taskId);
  const ref = deps.taskIds.open(id);
  const upstream =
    ref && ref.owner === req.principal.id ? deps.catalog.upstreamNamed(ref.upstream) : undefined;
  if (!ref || !upstream) throw wireError('InvalidParams', `Unknown task: ${id}`, { taskId: id });
  return { name: id, upstream, original: ref.taskId };
}

/** How route finds a tool or a prompt by name, and what it answers when there is none. */
const NAMED = {
  tool: { lookup: (catalog: Catalog, name: string) => catalog.tool(name), unknown: unknownTool },
  prompt: { lookup: (catalog: Catalog, name: string) => catalog.prompt(name), unknown: unknownPrompt },
} as const;

async function routeNamed(
  req: IdentifiedRequest,
  deps: RouteDeps,
  kind: 'tool' | 'prompt',
): Promise<RoutedTarget> {
  const { lookup, unknown } = NAMED[kind];
  const name = str(req.params.name);
  const loading = lookup(deps.catalog, name) ? undefined : await awaitLoading(deps.catalog, name, req.signal);
  if (loading) throw loading;
  const entry = lookup(deps.catalog, name);
  if (!entry) throw unavailableOwner(deps, req.principal, { kind, name }) ?? unknown(name);
  if (!visible(req, deps, { kind, name: entry.item.name })) throw unknown(name);
  return { name: entry.item.name, upstream: entry.upstream, original: entry.original, entry };
}

async function routeResource(req: IdentifiedRequest, deps: RouteDeps): Promise<RoutedTarget> {
  const uri = str(req.params.uri);
  const loading = deps.catalog.resourceOwner(uri)
    ? undefined
    : await awaitLoading(deps.catalog, undefined, req.signal);
  if (loading) throw loading;
  const upstream = deps.catalog.resourceOwner(uri);
  if (!upstream || !canSeeResource(req, deps, uri)) throw resourceNotFound(uri);
  const template = deps.catalog.templateFor(uri);
  return template === undefined
    ? { name: uri, upstream, original: uri }
    : { name: uri, upstream, original: uri, template };
}

/** The request's one target, or undefined for methods that have none (lists). */
function targetOf(req: IdentifiedRequest, deps: RouteDeps): RoutedTarget | undefined | Promise<RoutedTarget> {
  if (isTaskMethod(req.method)) return routeTask(req, deps);
  switch (req.method) {
    case 'tools/call':
      return routeNamed(req, deps, 'tool');
    case 'prompts/get':
      return routeNamed(req, deps, 'prompt');
    case 'resources/read':
    case 'resources/subscribe':
    case 'resources/unsubscribe':
      return routeResource(req, deps);
    case 'completion/complete':
      return routeCompletion(req, deps);
    default:
      return undefined;
  }
}

export function route(deps: RouteDeps): Stage<UnwrappedRequest, RoutedRequest> {
  return async (req, next) => {
    const target = await targetOf(req, deps);
    if (target !== undefined) req.trail.target = target;
    return next(Object.assign(req, { target }));
  };
}
