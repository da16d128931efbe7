/**
 * How the terminal shows a turn: the model's text as it streams, each tool call as it starts
 * (`→ name {arguments}`) and ends (`← 1.2 KB in 34 ms`), an approval wait as a wait, and the
 * turn's tokens.
 */
import type { AgentEvent } from '../agent/events.ts';
import type { ToolCallRecord, TurnRecord } from '../agent/transcript.ts';
import type { CallStatus } from '../contract.ts';

const MAX_ARGUMENTS_SHOWN = 160;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function shortArguments(args: unknown): string {
  const text = JSON.stringify(args ?? {}) ?? '{}';
  return text.length > MAX_ARGUMENTS_SHOWN ? `${text.slice(0, MAX_ARGUMENTS_SHOWN - 1)}…` : text;
}

export function callLine(name: string, args: unknown): string {
  return `→ ${name} ${shortArguments(args)}`;
}

export function resultLine(call: ToolCallRecord): string {
  if (call.error !== undefined) return `← ${call.name} failed in ${call.latencyMs} ms: ${call.error}`;
  const size = `${formatBytes(call.resultBytes)} in ${call.latencyMs} ms`;
  return call.isError ? `← error from ${call.name}: ${size}` : `← ${size}`;
}

export function statusLine(name: string, status: CallStatus): string {
  switch (status.kind) {
    case 'awaiting-approval':
      return `… ${name} is waiting for approval: ${status.message}${status.approvalId === undefined ? '' : ` (request ${status.approvalId})`}`;
    case 'progress': {
      const of = status.total === undefined ? '' : `/${status.total}`;
      return `… ${name} ${status.progress}${of}${status.message === undefined ? '' : ` ${status.message}`}`;
    }
    default:
      return `… ${name}: ${status.message}`;
  }
}

export function tokensLine(turn: TurnRecord): string {
  const t = turn.tokens;
  const n = (value: number): string => value.toLocaleString('en-US');
  return `[tokens: ${n(t.input)} in (tool definitions ${n(t.toolDefinitions)}, o200k count) · ${n(t.output)} out · ${t.requests} model request${t.requests === 1 ? '' : 's'}]`;
}

export interface RenderTarget {
  /** Where the model's text goes. */
  text: NodeJS.WritableStream | undefined;
  /** Where tool lines, waits and the token line go. */
  info: NodeJS.WritableStream;
}

/** An event listener that writes the turn to the terminal; lines never split the model's text. */
export function terminalRenderer(target: RenderTarget): (event: AgentEvent) => void {
  let midLine = false;
  const line = (text: string): void => {
    if (midLine && target.text === target.info) target.info.write('\n');
    if (midLine) midLine = false;
    target.info.write(`${text}\n`);
  };
  return (event) => {
    switch (event.type) {
      case 'text-delta':
        if (target.text === undefined) return;
        target.text.write(event.text);
        midLine = !event.text.endsWith('\n');
        return;
      case 'tool-call':
        line(callLine(event.name, event.arguments));
        return;
      case 'tool-status':
        line(statusLine(event.name, event.status));
        return;
      case 'tool-result':
        line(resultLine(event.call));
        return;
      case 'turn-end':
        if (midLine && target.text !== undefined) target.text.write('\n');
        midLine = false;
        return;
      default:
        return;
    }
  };
}
