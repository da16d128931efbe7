/** One word for how a request ended, shared by logs and metrics (the audit keeps its own status). */
import { type OutcomeLabel, wireErrorEntry } from '../errors/registry.ts';
import type { Trail } from '../pipeline/context.ts';
import { failureOf, isToolError, type Outcome } from '../pipeline/outcome.ts';

export function outcomeLabel(trail: Trail, outcome: Outcome): OutcomeLabel {
  const failure = failureOf(outcome);
  if (failure !== undefined) return wireErrorEntry(failure.code)?.metric ?? 'error';
  if (trail.approval?.state === 'pending') return 'awaiting_approval';
  if (outcome.kind === 'input_required') return 'input_required';
  return outcome.kind === 'result' && isToolError(outcome.result) ? 'tool_error' : 'ok';
}
