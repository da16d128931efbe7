/**
 * The agent loop: one turn sends the conversation and the ToolSource's tools to the model, streams
 * its text, runs the tool calls it asks for (a step's calls concurrently) and sends the results
 * back, until the model answers, the step limit is reached, the turn is cancelled, the provider
 * fails, or the model makes a malformed tool call. Whatever the end, the turn returns a record;
 * nothing waits forever on a model that is gone.
 *
 * A failed or cancelled turn leaves no trace in what the model sees next (its prompt is not kept
 * in the history); the transcript keeps it.
 */
import { type LanguageModel, type ModelMessage, type StepResult, streamText, type ToolSet } from 'ai';
import type { ToolSource, UserAnswer, UserQuestion } from '../contract.ts';
import { DEFAULT_MAX_RETRIES, DEFAULT_MAX_STEPS } from './defaults.ts';
import { describeMalformedToolCall, describeProviderError } from './errors.ts';
import type { AgentEventListener } from './events.ts';
import { countToolDefinitionTokens } from './tool-definitions.ts';
import { agentToolSet, type ToolCallLedger, toolCallLedger } from './tool-set.ts';
import type { TurnOutcome, TurnRecord } from './transcript.ts';

export { DEFAULT_MAX_RETRIES, DEFAULT_MAX_STEPS };

export interface ConversationOptions {
  model: LanguageModel;
  tools: ToolSource;
  /** Where the model is reached, for error lines (e.g. its base URL). */
  endpoint?: string;
  /** Instructions for the model (the system prompt). */
  instructions?: string;
  /** Model requests per turn at most (DEFAULT_MAX_STEPS). */
  maxSteps?: number;
  /** Retries of a failed model request that may succeed later (429, 5xx): DEFAULT_MAX_RETRIES. */
  maxRetries?: number;
  /** Put a confirmation to the person; a UI that cannot ask declines. */
  ask(question: UserQuestion): Promise<UserAnswer>;
  onEvent?: AgentEventListener;
}

/** What a turn learned from the stream beyond text. */
interface TurnState {
  text: string;
  input: number;
  output: number;
  requests: number;
  providerError?: string;
  malformed?: string;
  lastFinishReason?: string;
}

type AnyStep = StepResult<ToolSet>;

/** The stream's or a step's tool-call part, when the SDK could not run it as asked. */
function malformedLine(part: {
  type: string;
  toolName?: string;
  invalid?: boolean;
  error?: unknown;
}): string | undefined {
  if (part.type !== 'tool-call' || part.invalid !== true) return undefined;
  return (
    describeMalformedToolCall(part.toolName ?? '', part.error) ?? `the model made a tool call that cannot run`
  );
}

/** A step whose tool calls the SDK could not run as the model asked (bad JSON, unknown tool). */
function malformedCallIn(step: AnyStep | undefined): string | undefined {
  for (const part of step?.content ?? []) {
    const line = malformedLine(part);
    if (line !== undefined) return line;
  }
  return undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class Conversation {
  readonly turns: TurnRecord[] = [];
  readonly #messages: ModelMessage[] = [];
  readonly #options: ConversationOptions;

  constructor(options: ConversationOptions) {
    this.#options = options;
  }

  /** The history the model is sent before the next prompt. */
  get messages(): readonly ModelMessage[] {
    return this.#messages;
  }

  /** Runs one turn to its end, however it ends; `signal` cancels it (the conversation goes on). */
  async runTurn(prompt: string, signal: AbortSignal = new AbortController().signal): Promise<TurnRecord> {
    const options = this.#options;
    const emit: AgentEventListener = options.onEvent ?? (() => {});
    const startedAt = new Date();
    const started = performance.now();
    const ledger = toolCallLedger();
    const perRequest = countToolDefinitionTokens(options.tools.tools());
    const tools = agentToolSet({ source: options.tools, ledger, signal, ask: options.ask, emit });
    const state: TurnState = { text: '', input: 0, output: 0, requests: 0 };
    const userMessage: ModelMessage = { role: 'user', content: prompt };
    const responseMessages = await this.#stream(tools, ledger, state, signal, emit, userMessage);
    const outcome = this.#outcome(state, signal);
    if (outcome === 'answered' || outcome === 'step-limit') {
      this.#messages.push(userMessage, ...(responseMessages ?? []));
    }
    const record: TurnRecord = {
      turn: this.turns.length + 1,
      prompt,
      text: state.text,
      toolCalls: ledger.records,
      tokens: {
        input: state.input,
        output: state.output,
        toolDefinitions: perRequest * state.requests,
        toolDefinitionsPerRequest: perRequest,
        toolDefinitionsCountedWith: 'o200k_base',
        requests: state.requests,
      },
      outcome,
      startedAt: startedAt.toISOString(),
      durationMs: Math.round(performance.now() - started),
    };
    const error = this.#errorLine(outcome, state);
    if (error !== undefined) record.error = error;
    this.turns.push(record);
    emit({ type: 'turn-end', turn: record });
    return record;
  }

  /** Streams the turn; returns the response messages when the stream completed normally. */
  async #stream(
    tools: ToolSet,
    ledger: ToolCallLedger,
    state: TurnState,
    signal: AbortSignal,
    emit: AgentEventListener,
    userMessage: ModelMessage,
  ): Promise<ModelMessage[] | undefined> {
    const options = this.#options;
    const endpoint = options.endpoint ?? 'its endpoint';
    const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
    const result = streamText({
      model: options.model,
      instructions: options.instructions,
      messages: [...this.#messages, userMessage],
      tools,
      maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
      abortSignal: signal,
      stopWhen: [
        ({ steps }) => steps.length >= maxSteps,
        ({ steps }) => malformedCallIn(steps.at(-1) as AnyStep | undefined) !== undefined,
      ],
      prepareStep: ({ stepNumber }) => {
        ledger.step = stepNumber + 1;
        return undefined;
      },
      onError: () => {
        // Reported from the stream's error part below; the SDK's default would print it.
      },
    });
    try {
      for await (const part of result.fullStream) {
        switch (part.type) {
          case 'text-delta':
            state.text += part.text;
            emit({ type: 'text-delta', text: part.text });
            break;
          case 'tool-call': {
            const malformed = malformedLine(part);
            if (malformed !== undefined) {
              state.malformed ??= malformed;
              const record = ledger.recordFor(part.toolCallId, part.toolName, part.input);
              record.isError = true;
              record.error = malformed;
              emit({ type: 'tool-result', call: record });
            }
            break;
          }
          case 'finish-step':
            state.requests += 1;
            state.input += part.usage.inputTokens ?? 0;
            state.output += part.usage.outputTokens ?? 0;
            state.lastFinishReason = part.finishReason;
            emit({
              type: 'step-finish',
              step: state.requests,
              inputTokens: part.usage.inputTokens ?? 0,
              outputTokens: part.usage.outputTokens ?? 0,
            });
            break;
          case 'error':
            state.providerError ??= describeProviderError(part.error, endpoint);
            break;
          default:
            break;
        }
      }
    } catch (error) {
      if (!signal.aborted) state.providerError ??= describeProviderError(error, endpoint);
      return undefined;
    }
    if (signal.aborted || state.providerError !== undefined || state.malformed !== undefined)
      return undefined;
    try {
      return (await result.response).messages;
    } catch (error) {
      state.providerError ??= errorMessage(error);
      return undefined;
    }
  }

  #outcome(state: TurnState, signal: AbortSignal): TurnOutcome {
    if (signal.aborted) return 'cancelled';
    if (state.providerError !== undefined) return 'provider-error';
    if (state.malformed !== undefined) return 'malformed-tool-call';
    if (state.lastFinishReason === 'tool-calls') return 'step-limit';
    return 'answered';
  }

  #errorLine(outcome: TurnOutcome, state: TurnState): string | undefined {
    switch (outcome) {
      case 'cancelled':
        return 'the turn was cancelled';
      case 'provider-error':
        return state.providerError;
      case 'malformed-tool-call':
        return `${state.malformed}; the turn stopped`;
      case 'step-limit':
        return `the model was still calling tools after ${state.requests} steps (the step limit); the turn stopped`;
      default:
        return undefined;
    }
  }
}
