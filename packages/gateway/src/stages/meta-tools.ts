/**
 * meta-tools: for a caller in search mode (policy/search-mode.ts), the two tools it is listed
 * instead of its whole catalog.
 * - `search_tools` is answered here, from the caller's view: the best matching tools it may see,
 *   with their definitions as listed to it.
 * - `call_tool` is unwrapped here, once: from this stage on the request IS the call of the real
 *   tool (its name, its arguments; the caller's `_meta` and everything else kept), so route,
 *   policy, rate limits, approvals, shaping and dispatch see only the real tool, and audit and
 *   observe, which read the request when it comes back, record the real tool. A hidden or unknown
 *   name then fails in route exactly as when called by name.
 * Any other request, and every request of a caller not in search mode, passes unchanged. A
 * caller in search mode can still call a tool it may use by its real name.
 */

import { innerCall, searchQuery } from '../meta-tools/arguments.ts';
import { CALL_TOOL, SEARCH_TOOLS } from '../meta-tools/definitions.ts';
import { searchAnswer } from '../meta-tools/search-answer.ts';
import type { Stage } from '../pipeline/compose.ts';
import type { IdentifiedRequest, UnwrappedRequest } from '../pipeline/context.ts';
import { resultOutcome } from '../pipeline/outcome.ts';
import type { CatalogView } from '../policy/catalog-view.ts';

export interface MetaToolsDeps {
  view: CatalogView;
}

export function metaTools(deps: MetaToolsDeps): Stage<IdentifiedRequest, UnwrappedRequest> {
  return async (req, next) => {
    const mode = req.method === 'tools/call' ? deps.view.searchMode(req.principal) : null;
    if (mode !== null && req.params.name === SEARCH_TOOLS) {
      const query = searchQuery(req.params);
      const found = await deps.view.searchTools(req.principal, query, mode.limit, req.signal);
      return resultOutcome(searchAnswer(found, req.era));
    }
    if (mode !== null && req.params.name === CALL_TOOL) {
      const inner = innerCall(req.params);
      const params = { ...req.params, name: inner.name, arguments: inner.arguments };
      const via: UnwrappedRequest['via'] = CALL_TOOL;
      return next(Object.assign(req, { params, via }));
    }
    return next(Object.assign(req, { via: undefined }));
  };
}

/**
 * The stage when no role is in search mode: every request passes as it came (no lookup, no span,
 * so a gateway without search mode pays nothing for it).
 */
export function withoutMetaTools(): Stage<IdentifiedRequest, UnwrappedRequest> {
  return (req, next) => next(Object.assign(req, { via: undefined }));
}
