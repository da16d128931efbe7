/**
 * What a conversation leaves behind: each turn with its text, each tool call (name, arguments,
 * result size, latency, isError) and its tokens. `gatehouse chat --json` prints it as it is.
 */
import type { CallStatus } from '../contract.ts';

/** How a turn ended. Anything but `answered` carries an `error` line saying why. */
export type TurnOutcome = 'answered' | 'step-limit' | 'cancelled' | 'provider-error' | 'malformed-tool-call';

export interface ToolCallRecord {
  /** The provider's id of the call. */
  id: string;
  /** The tool that ran: the real tool when the model called it through `call_tool`. */
  name: string;
  /** Its arguments (through `call_tool`: the real tool's, not call_tool's). */
  arguments: unknown;
  /** The meta-tool the model called to run it (`call_tool`), when it did not call it by name. */
  via?: string;
  /** 1-based: the model request that asked for it. */
  step: number;
  /** UTF-8 bytes of the result text the model received (0 when the call failed before one). */
  resultBytes: number;
  latencyMs: number;
  isError: boolean;
  /** Why the call failed, when it did not reach a result (malformed, cancelled, transport). */
  error?: string;
  /** What the call reported while it ran (approval waits, progress). */
  statuses?: CallStatus[];
}

export interface TurnTokens {
  /** Input tokens over all the turn's model requests, as the provider reported them. */
  input: number;
  /** Output tokens over all the turn's model requests, as the provider reported them. */
  output: number;
  /** Of `input`: the tool definitions, counted by us (o200k) once per model request. */
  toolDefinitions: number;
  /** The tool definitions of one request, counted by us (o200k). */
  toolDefinitionsPerRequest: number;
  /** How `toolDefinitions` was counted: the o200k encoding, not the provider's tokenizer. */
  toolDefinitionsCountedWith: 'o200k_base';
  /** Model requests made in the turn (each carries the tool definitions). */
  requests: number;
}

export interface TurnRecord {
  /** 1-based. */
  turn: number;
  prompt: string;
  /** The model's text over all steps of the turn. */
  text: string;
  toolCalls: ToolCallRecord[];
  tokens: TurnTokens;
  outcome: TurnOutcome;
  error?: string;
  startedAt: string;
  durationMs: number;
}

export interface Transcript {
  provider: string;
  model: string;
  /**
   * Where the tools came from (the gateway URL or the servers file) and how many the model was
   * shown; with the host's own selection, `searchable` tools behind search_tools and call_tool.
   */
  tools: { source: string; count: number; searchable?: number };
  turns: TurnRecord[];
  totals: { input: number; output: number; toolDefinitions: number; toolCalls: number };
}

export function transcriptTotals(turns: readonly TurnRecord[]): Transcript['totals'] {
  return {
    input: turns.reduce((sum, t) => sum + t.tokens.input, 0),
    output: turns.reduce((sum, t) => sum + t.tokens.output, 0),
    toolDefinitions: turns.reduce((sum, t) => sum + t.tokens.toolDefinitions, 0),
    toolCalls: turns.reduce((sum, t) => sum + t.toolCalls.length, 0),
  };
}
