/**
 * identify: every request must carry a principal. HTTP establishes it before the pipeline (a
 * request without valid credentials is answered 401 there, as the MCP authorization spec asks);
 * stdio carries the configured local principal. This stage is the guarantee that no transport
 * reaches policy without an identity — there is no "trusted transport" bypass.
 */
import { wireError } from '../errors/wire.ts';
import type { Middleware } from '../pipeline/compose.ts';
import type { GatewayRequest } from '../pipeline/context.ts';

export function identify(): Middleware<GatewayRequest> {
  return async (req, next) => {
    if (req.principal === undefined) {
      throw wireError('Unauthenticated', 'This request carries no verified identity');
    }
    await next();
  };
}
