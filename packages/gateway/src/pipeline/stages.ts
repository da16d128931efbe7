/**
 * THE STAGE ORDER. Every request from every transport runs these stages, outermost first. The
 * order is written here and nowhere else; each line says why its stage sits where it does.
 */
import type { Catalog } from '../catalog/catalog.ts';
import type { Logger } from '../observability/logger.ts';
import { type DispatchDeps, dispatch } from '../stages/dispatch.ts';
import { observe } from '../stages/observe.ts';
import { route } from '../stages/route.ts';
import { compose } from './compose.ts';
import type { GatewayRequest } from './context.ts';

export interface PipelineDeps extends DispatchDeps {
  catalog: Catalog;
  log: Logger;
}

export type Pipeline = (req: GatewayRequest) => Promise<void>;

export function buildPipeline(deps: PipelineDeps): Pipeline {
  const run = compose<GatewayRequest>([
    // observe is outermost so that every request is timed and logged — including those a later
    // stage refuses or that fail — and so an unexpected exception becomes InternalError here.
    observe(deps.log),
    // route runs before anything touches an upstream: it resolves the owning upstream and the
    // upstream's own name, and fails unknown targets with the spec's error for their kind.
    route(deps.catalog, deps.taskIds),
  ]);
  // dispatch is the innermost step: answer lists from the catalog, forward everything else.
  const terminal = dispatch(deps);
  return (req) => run(req, terminal);
}
