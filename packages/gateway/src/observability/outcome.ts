/** One word for how a request ended, shared by logs and metrics (the audit keeps its own status). */
import { type OutcomeLabel, wireErrorEntry } from '../errors/registry.ts';
import { errorCode } from '../errors/wire.ts';
import type { GatewayRequest } from '../pipeline/context.ts';

export function outcomeOf(req: GatewayRequest): OutcomeLabel {
  if (req.error !== undefined) {
    const code = errorCode(req.error);
    return code === undefined ? 'error' : (wireErrorEntry(code)?.metric ?? 'error');
  }
  if (req.approval?.state === 'pending') return 'awaiting_approval';
  return req.inputRequired ? 'input_required' : 'ok';
}
