/**
 * An Anthropic-compatible Messages server on loopback (`POST /v1/messages`), playing a script
 * (see loopback-script.ts) as the Messages API's streaming events: message_start, text and
 * tool_use content blocks with their deltas, message_delta with the stop reason, message_stop.
 * Errors carry Anthropic's error body.
 */
import type { ServerResponse } from 'node:http';
import {
  contentText,
  deltas,
  type LoopbackModel,
  type ResolvedStep,
  type ScriptStep,
  sse,
  startLoopbackModel,
  startSse,
  type WireFormat,
  writeError,
} from './loopback-script.ts';

/** The tool_result blocks of the last user message: the results of the last step's calls. */
function toolResults(body: Record<string, unknown>): string[] {
  const messages = (body.messages ?? []) as { role: string; content: unknown }[];
  const last = messages.at(-1);
  if (last?.role !== 'user' || !Array.isArray(last.content)) return [];
  return (last.content as { type: string; content?: unknown }[])
    .filter((block) => block.type === 'tool_result')
    .map((block) => contentText(block.content));
}

function errorBody(status: number, message: string): string {
  const type =
    status === 429
      ? 'rate_limit_error'
      : status === 529
        ? 'overloaded_error'
        : status >= 500
          ? 'api_error'
          : status === 401
            ? 'authentication_error'
            : 'invalid_request_error';
  return JSON.stringify({ type: 'error', error: { type, message } });
}

function messageStart(res: ServerResponse, model: unknown, input: number): void {
  sse(res, 'message_start', {
    type: 'message_start',
    message: {
      id: 'msg_loopback',
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: input, output_tokens: 1 },
    },
  });
}

function textBlock(res: ServerResponse, index: number, text: string): void {
  sse(res, 'content_block_start', {
    type: 'content_block_start',
    index,
    content_block: { type: 'text', text: '' },
  });
  for (const piece of deltas(text)) {
    sse(res, 'content_block_delta', {
      type: 'content_block_delta',
      index,
      delta: { type: 'text_delta', text: piece },
    });
  }
}

function streamAnswer(
  res: ServerResponse,
  step: Extract<ResolvedStep, { kind: 'answer' }>,
  model: unknown,
): void {
  startSse(res);
  messageStart(res, model, step.usage.input);
  let index = 0;
  if (step.text !== '') {
    textBlock(res, index, step.text);
    sse(res, 'content_block_stop', { type: 'content_block_stop', index });
    index += 1;
  }
  for (const call of step.toolCalls) {
    sse(res, 'content_block_start', {
      type: 'content_block_start',
      index,
      content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} },
    });
    for (const piece of deltas(call.arguments)) {
      sse(res, 'content_block_delta', {
        type: 'content_block_delta',
        index,
        delta: { type: 'input_json_delta', partial_json: piece },
      });
    }
    sse(res, 'content_block_stop', { type: 'content_block_stop', index });
    index += 1;
  }
  sse(res, 'message_delta', {
    type: 'message_delta',
    delta: { stop_reason: step.toolCalls.length > 0 ? 'tool_use' : 'end_turn', stop_sequence: null },
    usage: { output_tokens: step.usage.output },
  });
  sse(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

const ANTHROPIC_FORMAT: WireFormat = {
  path: '/v1/messages',
  toolResults,
  respond(res, step, body) {
    if (step.kind === 'error') {
      writeError(res, step.status, errorBody(step.status, step.message));
      return;
    }
    if (step.kind === 'stall') {
      startSse(res);
      messageStart(res, body.model, 10);
      textBlock(res, 0, step.text);
      return;
    }
    streamAnswer(res, step, body.model);
  },
};

export function startAnthropicLoopback(script: ScriptStep[]): Promise<LoopbackModel> {
  return startLoopbackModel(ANTHROPIC_FORMAT, script);
}
