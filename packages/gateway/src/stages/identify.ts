/**
 * identify: every request must carry a principal. HTTP establishes it before the pipeline (a
 * request without valid credentials is answered 401 there, as the MCP authorization spec asks);
 * stdio carries the configured local principal. This stage is the guarantee that no transport
 * reaches policy without an identity — there is no "trusted transport" bypass — and every stage
 * after it receives the principal as a value, not a maybe.
 */
import { wireError } from '../errors/wire.ts';
import type { Stage } from '../pipeline/compose.ts';
import type { GatewayRequest, IdentifiedRequest } from '../pipeline/context.ts';

function isIdentified(req: GatewayRequest): req is IdentifiedRequest {
  return req.principal !== undefined;
}

export function identify(): Stage<GatewayRequest, IdentifiedRequest> {
  return async (req, next) => {
    if (!isIdentified(req)) throw wireError('Unauthenticated', 'This request carries no verified identity');
    return next(req);
  };
}
