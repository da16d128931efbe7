/** One word for how a request ended, shared by logs and metrics (the audit keeps its own status). */
import { WireErrors } from '../errors/registry.ts';
import { errorCode } from '../errors/wire.ts';
import type { GatewayRequest } from '../pipeline/context.ts';
import type { RequestOutcome } from './metrics.ts';

const BY_CODE = new Map<number, RequestOutcome>([
  [WireErrors.PolicyDenied.code, 'denied'],
  [WireErrors.ApprovalDenied.code, 'denied'],
  [WireErrors.Unauthenticated.code, 'denied'],
  [WireErrors.ApprovalRequired.code, 'awaiting_approval'],
  [WireErrors.RateLimited.code, 'rate_limited'],
  [WireErrors.UpstreamUnavailable.code, 'unavailable'],
  [WireErrors.UpstreamTimeout.code, 'timeout'],
  [WireErrors.UpstreamOverloaded.code, 'overloaded'],
  [WireErrors.CircuitOpen.code, 'circuit_open'],
  [WireErrors.Cancelled.code, 'cancelled'],
  [WireErrors.InvalidParams.code, 'invalid'],
  [WireErrors.MethodNotFound.code, 'invalid'],
  [WireErrors.InputRequestExpired.code, 'invalid'],
]);

export function outcomeOf(req: GatewayRequest): RequestOutcome {
  if (req.error !== undefined) {
    const code = errorCode(req.error);
    return code === undefined ? 'error' : (BY_CODE.get(code) ?? 'error');
  }
  if (req.approval?.state === 'pending') return 'awaiting_approval';
  return req.inputRequired ? 'input_required' : 'ok';
}
