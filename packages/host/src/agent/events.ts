/**
 * What the agent loop tells a UI while a turn runs. The terminal chat renders them; a later UI
 * can do the same from the same events.
 */
import type { CallStatus } from '../contract.ts';
import type { ToolCallRecord, TurnRecord } from './transcript.ts';

export type AgentEvent =
  /** A piece of the model's answer, as it streams. */
  | { type: 'text-delta'; text: string }
  /** The model asked for a tool; it runs now (several may run at once). */
  | { type: 'tool-call'; id: string; name: string; arguments: unknown }
  /** A running call reported something: an approval wait, progress, a retry. */
  | { type: 'tool-status'; id: string; name: string; status: CallStatus }
  /** A call finished (with a result, an error result, or a failure). */
  | { type: 'tool-result'; call: ToolCallRecord }
  /** One model request finished; `usage` is the provider's, for that request. */
  | { type: 'step-finish'; step: number; inputTokens: number; outputTokens: number }
  /** The turn is over, however it ended. */
  | { type: 'turn-end'; turn: TurnRecord };

export type AgentEventListener = (event: AgentEvent) => void;
