/**
 * An OpenAI-compatible chat-completions server on loopback (`POST /v1/chat/completions`), playing
 * a script (see loopback-script.ts): streaming SSE with tool_call deltas when the request asks for
 * `stream`, a chat.completion object otherwise; errors with OpenAI's error body.
 */
import type { ServerResponse } from 'node:http';
import {
  contentText,
  deltas,
  type LoopbackModel,
  type ResolvedStep,
  type ScriptStep,
  type StepContext,
  sse,
  startLoopbackModel,
  startSse,
  type WireFormat,
  writeError,
} from './loopback-script.ts';

export type { LoopbackModel, ScriptStep, StepContext };

/** The tool messages after the last assistant message: the results of the last step's calls. */
function toolResults(body: Record<string, unknown>): string[] {
  const messages = (body.messages ?? []) as { role: string; content: unknown }[];
  const results: string[] = [];
  for (let i = messages.length - 1; i >= 0 && messages[i]?.role === 'tool'; i--) {
    results.unshift(contentText(messages[i]?.content));
  }
  return results;
}

function errorBody(status: number, message: string): string {
  const type =
    status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error';
  return JSON.stringify({ error: { message, type, param: null, code: type } });
}

function chunk(model: unknown, delta: Record<string, unknown>, finish: string | null = null): unknown {
  return {
    id: 'chatcmpl-loopback',
    object: 'chat.completion.chunk',
    created: 0,
    model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
}

function streamAnswer(
  res: ServerResponse,
  step: Extract<ResolvedStep, { kind: 'answer' }>,
  model: unknown,
): void {
  startSse(res);
  sse(res, undefined, chunk(model, { role: 'assistant', content: '' }));
  for (const text of deltas(step.text)) sse(res, undefined, chunk(model, { content: text }));
  if (step.wholeCalls === true) {
    const calls = step.toolCalls.map((call, index) => ({
      index,
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: call.arguments },
    }));
    if (calls.length > 0) sse(res, undefined, chunk(model, { tool_calls: calls }));
  } else {
    step.toolCalls.forEach((call, index) => {
      sse(
        res,
        undefined,
        chunk(model, {
          tool_calls: [
            { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } },
          ],
        }),
      );
      for (const piece of deltas(call.arguments)) {
        sse(res, undefined, chunk(model, { tool_calls: [{ index, function: { arguments: piece } }] }));
      }
    });
  }
  sse(res, undefined, chunk(model, {}, step.toolCalls.length > 0 ? 'tool_calls' : 'stop'));
  const usage = {
    prompt_tokens: step.usage.input,
    completion_tokens: step.usage.output,
    total_tokens: step.usage.input + step.usage.output,
  };
  sse(res, undefined, {
    id: 'chatcmpl-loopback',
    object: 'chat.completion.chunk',
    created: 0,
    model,
    choices: [],
    usage,
  });
  sse(res, undefined, '[DONE]');
  res.end();
}

function completeAnswer(
  res: ServerResponse,
  step: Extract<ResolvedStep, { kind: 'answer' }>,
  model: unknown,
): void {
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: step.text === '' ? null : step.text,
  };
  if (step.toolCalls.length > 0) {
    message.tool_calls = step.toolCalls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: call.arguments },
    }));
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      id: 'chatcmpl-loopback',
      object: 'chat.completion',
      created: 0,
      model,
      choices: [{ index: 0, message, finish_reason: step.toolCalls.length > 0 ? 'tool_calls' : 'stop' }],
      usage: {
        prompt_tokens: step.usage.input,
        completion_tokens: step.usage.output,
        total_tokens: step.usage.input + step.usage.output,
      },
    }),
  );
}

const OPENAI_FORMAT: WireFormat = {
  path: '/v1/chat/completions',
  toolResults,
  respond(res, step, body) {
    if (step.kind === 'error') {
      writeError(res, step.status, errorBody(step.status, step.message));
      return;
    }
    if (step.kind === 'stall') {
      startSse(res);
      sse(res, undefined, chunk(body.model, { role: 'assistant', content: step.text }));
      return;
    }
    if (body.stream === true) streamAnswer(res, step, body.model);
    else completeAnswer(res, step, body.model);
  },
};

export function startOpenAiLoopback(script: ScriptStep[]): Promise<LoopbackModel> {
  return startLoopbackModel(OPENAI_FORMAT, script);
}
