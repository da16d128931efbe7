/**
 * route: resolves which upstream owns the request's target and under which name. Unknown targets
 * fail here, before any upstream is contacted, with the error the spec gives for each kind.
 */
import type { Catalog } from '../catalog/catalog.ts';
import { wireError } from '../errors/wire.ts';
import type { Middleware } from '../pipeline/compose.ts';
import type { GatewayRequest } from '../pipeline/context.ts';
import type { TaskIdCodec } from '../tasks/task-ids.ts';
import { callerDeclaresTasks, isTaskMethod, missingTasksCapability } from '../tasks/task-relay.ts';

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * An unknown resource is -32602 with the URI in `data` — the 2026-07-28 code, which the SDK also
 * emits on 2025-era sessions (clients of both eras accept it when `data.uri` is present).
 */
export function resourceNotFound(uri: string): Error {
  return wireError('InvalidParams', `Resource not found: ${uri}`, { uri });
}

function routeCompletion(req: GatewayRequest, catalog: Catalog): void {
  const ref = (req.params.ref ?? {}) as Record<string, unknown>;
  if (ref.type === 'ref/prompt') {
    const entry = catalog.prompt(str(ref.name));
    if (!entry) throw wireError('InvalidParams', `Unknown prompt: ${str(ref.name)}`);
    req.target = { upstream: entry.upstream, original: entry.original, entry };
    return;
  }
  if (ref.type === 'ref/resource') {
    const uri = str(ref.uri);
    const template = catalog.template(uri);
    const upstream = template?.upstream ?? catalog.resourceOwner(uri);
    if (!upstream) throw resourceNotFound(uri);
    req.target = { upstream, original: uri };
    return;
  }
  throw wireError('InvalidParams', 'completion/complete needs ref.type "ref/prompt" or "ref/resource"');
}

/**
 * tasks/* carry a sealed task id naming the owning upstream. The capability gate comes first: a
 * caller that did not declare the tasks extension gets -32021 whatever id it sends.
 */
function routeTask(req: GatewayRequest, catalog: Catalog, taskIds: TaskIdCodec): void {
  if (!callerDeclaresTasks(req)) throw missingTasksCapability(req.method);
  const id = str(req.params.taskId);
  const ref = taskIds.open(id);
  const upstream = ref && catalog.upstreamNamed(ref.upstream);
  if (!ref || !upstream) throw wireError('InvalidParams', `Unknown task: ${id}`, { taskId: id });
  req.target = { upstream, original: ref.taskId };
}

export function route(catalog: Catalog, taskIds: TaskIdCodec): Middleware<GatewayRequest> {
  return async (req, next) => {
    if (isTaskMethod(req.method)) {
      routeTask(req, catalog, taskIds);
      await next();
      return;
    }
    switch (req.method) {
      case 'tools/call': {
        const entry = catalog.tool(str(req.params.name));
        if (!entry) throw wireError('InvalidParams', `Unknown tool: ${str(req.params.name)}`);
        req.target = { upstream: entry.upstream, original: entry.original, entry };
        break;
      }
      case 'prompts/get': {
        const entry = catalog.prompt(str(req.params.name));
        if (!entry) throw wireError('InvalidParams', `Unknown prompt: ${str(req.params.name)}`);
        req.target = { upstream: entry.upstream, original: entry.original, entry };
        break;
      }
      case 'resources/read':
      case 'resources/subscribe':
      case 'resources/unsubscribe': {
        const uri = str(req.params.uri);
        const upstream = catalog.resourceOwner(uri);
        if (!upstream) throw resourceNotFound(uri);
        req.target = { upstream, original: uri };
        break;
      }
      case 'completion/complete':
        routeCompletion(req, catalog);
        break;
    }
    await next();
  };
}
