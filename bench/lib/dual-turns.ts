/**
 * One question answered on one path, through the host library's agent loop (`Conversation`) with
 * the loopback model of the host's tests (packages/host/test/helpers/openai-loopback.ts, behind
 * the real OpenAI-compatible provider client) playing the question's tool plan — so the tool
 * calls, their latency and their results are real; only the model's choices are scripted.
 *
 * Per turn: the wall time of `runTurn`; the tool calls and their summed latency (the host's
 * transcript); the tokens the model would read — the tool definitions of each model request
 * (o200k, `countToolDefinitionTokens`, from the transcript) plus every tool result's text (o200k).
 * The loopback's own usage figures are made up and not used.
 *
 * Also the plain per-call latency of the same read on each path without the model loop, next to
 * the REST API alone and the domain call in-process: what the REST hop costs.
 */
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import {
  type CallToolOptions,
  Conversation,
  chooseModel,
  type HostToolResult,
  type McpToolSource,
  type ToolSource,
} from '../../packages/host/src/index.ts';
import type { ScriptStep } from '../../packages/host/test/helpers/loopback-script.ts';
import { startOpenAiLoopback } from '../../packages/host/test/helpers/openai-loopback.ts';
import type { PathPlan, PlannedCall, ToolOutcome } from './dual-questions.ts';

const INSTRUCTIONS = 'You help with Lantern, an incident desk. Answer from the tools, name incidents by ref.';

/** The source the conversation sees: the path's tools, every result kept for counting. */
class RecordingSource implements ToolSource {
  readonly outcomes: ToolOutcome[] = [];
  readonly #source: McpToolSource;

  constructor(source: McpToolSource) {
    this.#source = source;
  }
  tools() {
    return this.#source.tools();
  }
  onToolsChanged(listener: () => void) {
    return this.#source.onToolsChanged(listener);
  }
  async callTool(
    name: string,
    args: Record<string, unknown>,
    options: CallToolOptions,
  ): Promise<HostToolResult> {
    const result = await this.#source.callTool(name, args, options);
    const structured = result.raw.structuredContent as Record<string, unknown> | undefined;
    this.outcomes.push({ name, text: result.text, isError: result.isError, structured });
    return result;
  }
  close() {
    return Promise.resolve(); // the path's source outlives the turn
  }
}

export interface TurnMeasure {
  latencyMs: number;
  /** Summed latency of the turn's tool calls (the host's transcript). */
  toolMs: number;
  toolCalls: number;
  requests: number;
  definitionTokens: number;
  definitionTokensPerRequest: number;
  resultTokens: number;
  answer: string;
}

/** The host's name of each server tool name (`list_incidents` → `lantern__list_incidents`). */
function hostNames(source: McpToolSource): Map<string, string> {
  return new Map(source.tools().map((t) => [t.serverToolName, t.name]));
}

function scriptFor(plan: PathPlan, recording: RecordingSource, names: Map<string, string>): ScriptStep[] {
  const toHost = (call: PlannedCall) => ({
    name: names.get(call.tool) ?? `not-listed__${call.tool}`,
    arguments: call.args,
  });
  return [
    ...plan.steps.map((step) => ({ toolCalls: () => step(recording.outcomes).map(toHost) })),
    { text: () => plan.answer(recording.outcomes) },
  ];
}

/** Plays `plan` for `prompt` on `source`; throws when the turn did not go as planned. */
export async function runTurn(source: McpToolSource, prompt: string, plan: PathPlan): Promise<TurnMeasure> {
  const recording = new RecordingSource(source);
  const loopback = await startOpenAiLoopback(scriptFor(plan, recording, hostNames(source)));
  try {
    const { model } = chooseModel({
      provider: 'openai',
      baseUrl: loopback.baseUrl,
      model: 'loopback-1',
      env: {},
    });
    const conversation = new Conversation({
      model,
      tools: recording,
      endpoint: loopback.baseUrl,
      instructions: INSTRUCTIONS,
      maxRetries: 0,
      // A destructive call is confirmed, as the user in the built-in chat would.
      ask: async () => ({ action: 'accept' }),
    });
    const started = performance.now();
    const record = await conversation.runTurn(prompt);
    const latencyMs = performance.now() - started;
    const failed = record.toolCalls.find((c) => c.isError);
    if (record.outcome !== 'answered' || loopback.remaining() !== 0 || failed !== undefined) {
      const why =
        record.error ??
        (failed
          ? `${failed.name} failed: ${recording.outcomes.find((o) => o.isError)?.text ?? failed.error}`
          : `${loopback.remaining()} plan steps left`);
      throw new Error(`"${prompt}" did not go as planned (${record.outcome}): ${why}`);
    }
    return {
      latencyMs,
      toolMs: record.toolCalls.reduce((sum, c) => sum + c.latencyMs, 0),
      toolCalls: record.toolCalls.length,
      requests: record.tokens.requests,
      definitionTokens: record.tokens.toolDefinitions,
      definitionTokensPerRequest: record.tokens.toolDefinitionsPerRequest,
      resultTokens: recording.outcomes.reduce((sum, o) => sum + countTokens(o.text), 0),
      answer: record.text,
    };
  } finally {
    await loopback.close();
  }
}

/** One timed read: resolves when it answered, throws when it failed. */
export type TimedCall = () => Promise<void>;

/** A read through a host source, as the agent loop would make it (no model). */
export function hostCall(source: McpToolSource, tool: string, args: Record<string, unknown>): TimedCall {
  const name = hostNames(source).get(tool);
  if (name === undefined) throw new Error(`the path lists no ${tool}`);
  const options: CallToolOptions = {
    signal: new AbortController().signal,
    ask: async () => ({ action: 'decline' }),
  };
  return async () => {
    const result = await source.callTool(name, args, options);
    if (result.isError) throw new Error(`${tool}: ${result.text}`);
  };
}

/**
 * Latency in ms of `calls` calls of each setup, interleaved (each call of one setup is followed
 * by one of every other, the order rotating), after `warmup` untimed calls each.
 */
export async function interleavedLatencies(
  setups: Record<string, TimedCall>,
  calls: number,
  warmup: number,
): Promise<Record<string, Float64Array>> {
  const names = Object.keys(setups);
  const out = Object.fromEntries(names.map((n) => [n, new Float64Array(calls)]));
  for (let i = 0; i < warmup; i++) for (const n of names) await (setups[n] as TimedCall)();
  for (let i = 0; i < calls; i++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(i + k) % names.length] as string;
      const started = performance.now();
      await (setups[name] as TimedCall)();
      (out[name] as Float64Array)[i] = performance.now() - started;
    }
  }
  for (const series of Object.values(out)) series.sort();
  return out;
}
