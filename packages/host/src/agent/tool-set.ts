/**
 * The ToolSource's tools as the AI SDK's tool set: each call goes to `ToolSource.callTool` with
 * the turn's abort signal, the UI's `ask` and a status listener, and leaves a ToolCallRecord
 * (arguments, result size, latency, isError) behind — under the real tool's name when the call
 * is a meta-tool that runs another (ToolSource.resolveCall). The SDK runs the calls of one step
 * concurrently; a tool's error result reaches the model as an error, not as a normal answer.
 */
import { dynamicTool, type JSONSchema7, jsonSchema, type ToolSet } from 'ai';
import type { CallStatus, HostToolResult, ToolSource, UserAnswer, UserQuestion } from '../contract.ts';
import type { AgentEventListener } from './events.ts';
import type { ToolCallRecord } from './transcript.ts';

export interface ToolCallLedger {
  /** The turn's calls in the order they started. */
  readonly records: ToolCallRecord[];
  /** The record of a call, created on first sight (the stream or the execution may come first). */
  recordFor(id: string, name: string, args: unknown): ToolCallRecord;
  /** The model request now running (1-based). */
  step: number;
}

export function toolCallLedger(): ToolCallLedger {
  const byId = new Map<string, ToolCallRecord>();
  const ledger: ToolCallLedger = {
    records: [],
    step: 1,
    recordFor(id, name, args) {
      let record = byId.get(id);
      if (record === undefined) {
        record = {
          id,
          name,
          arguments: args,
          step: ledger.step,
          resultBytes: 0,
          latencyMs: 0,
          isError: false,
        };
        byId.set(id, record);
        ledger.records.push(record);
      }
      return record;
    },
  };
  return ledger;
}

export interface ToolSetOptions {
  source: ToolSource;
  ledger: ToolCallLedger;
  signal: AbortSignal;
  ask(question: UserQuestion): Promise<UserAnswer>;
  emit: AgentEventListener;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function asArguments(input: unknown): Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input)
    ? (input as Record<string, unknown>)
    : {};
}

export function agentToolSet(options: ToolSetOptions): ToolSet {
  const { source, ledger, emit } = options;
  const entries = source.tools().map((tool) => {
    const definition = dynamicTool({
      description: tool.description,
      inputSchema: jsonSchema(tool.inputSchema as JSONSchema7),
      execute: async (input, { toolCallId, abortSignal }) => {
        const real = source.resolveCall?.(tool.name, asArguments(input));
        const name = real?.name ?? tool.name;
        const record = ledger.recordFor(toolCallId, name, real?.arguments ?? input);
        if (real !== undefined) Object.assign(record, { name, arguments: real.arguments, via: real.via });
        emit({ type: 'tool-call', id: toolCallId, name, arguments: record.arguments });
        const started = performance.now();
        const onStatus = (status: CallStatus): void => {
          record.statuses = [...(record.statuses ?? []), status];
          emit({ type: 'tool-status', id: toolCallId, name, status });
        };
        try {
          const result = await source.callTool(tool.name, asArguments(input), {
            signal: abortSignal ?? options.signal,
            ask: options.ask,
            onStatus,
          });
          record.resultBytes = Buffer.byteLength(result.text, 'utf8');
          record.isError = result.isError;
          return result;
        } catch (error) {
          record.isError = true;
          record.error = messageOf(error);
          throw error;
        } finally {
          record.latencyMs = Math.round(performance.now() - started);
          emit({ type: 'tool-result', call: record });
        }
      },
      toModelOutput: ({ output }) => {
        const result = output as HostToolResult;
        return result.isError
          ? { type: 'error-text', value: result.text }
          : { type: 'text', value: result.text };
      },
    });
    return [tool.name, definition] as const;
  });
  return Object.fromEntries(entries);
}
