/**
 * The scripted model behind the loopback model servers: each request to the server plays the
 * next step of the script. A step answers with text, or with one or more tool calls (parallel),
 * and may build its output from the tool results the client sent (so a test proves the real
 * result reached the model); or it fails the way a provider fails (an HTTP error with the
 * provider's error body), sends a malformed tool call, or stalls mid-stream until the client
 * goes away. The server records every request it received.
 *
 * These servers are the only doubles in the host's tests: no model runs here, and the AI SDK's
 * real provider code talks to them over HTTP.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StepContext {
  /** The results of the tool calls the client answered in this request (the last step's). */
  toolResults: string[];
  /** The last of them, or undefined. */
  lastToolResult: string | undefined;
  /** The request body as sent. */
  body: Record<string, unknown>;
}

export interface ScriptedToolCall {
  name: string;
  /** The arguments; a string is sent as is (so malformed JSON can be sent). */
  arguments: Record<string, unknown> | string;
}

export interface Usage {
  input: number;
  output: number;
}

export type ScriptStep =
  | { text: string | ((ctx: StepContext) => string); usage?: Usage }
  | {
      toolCalls: ScriptedToolCall[] | ((ctx: StepContext) => ScriptedToolCall[]);
      text?: string;
      usage?: Usage;
      /** Each call complete in one delta, as Ollama and vLLM stream them (OpenAI: piece by piece). */
      wholeCalls?: boolean;
    }
  | { error: { status: number; message: string } }
  /** Streams this text, then holds the response open until the client disconnects. */
  | { stall: string };

export const DEFAULT_USAGE: Usage = { input: 100, output: 20 };

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

/** What a step resolved to, for a wire format to write. */
export type ResolvedStep =
  | {
      kind: 'answer';
      text: string;
      toolCalls: { id: string; name: string; arguments: string }[];
      usage: Usage;
      wholeCalls?: boolean;
    }
  | { kind: 'error'; status: number; message: string }
  | { kind: 'stall'; text: string };

export interface WireFormat {
  /** The path the provider posts to, e.g. /v1/chat/completions. */
  path: string;
  /** The tool results the client sent in this request, in order. */
  toolResults(body: Record<string, unknown>): string[];
  /** Writes a resolved step as the provider would. */
  respond(
    res: ServerResponse,
    step: ResolvedStep,
    body: Record<string, unknown>,
    closed: Promise<void>,
  ): void;
}

export interface LoopbackModel {
  /** The base URL to give the provider (ends in /v1). */
  baseUrl: string;
  readonly requests: RecordedRequest[];
  /** Steps not played yet. */
  remaining(): number;
  close(): Promise<void>;
}

let callCounter = 0;

function resolveStep(step: ScriptStep | undefined, ctx: StepContext): ResolvedStep {
  if (step === undefined)
    return { kind: 'error', status: 500, message: 'loopback model: the script has no more steps' };
  if ('error' in step) return { kind: 'error', ...step.error };
  if ('stall' in step) return { kind: 'stall', text: step.stall };
  if ('toolCalls' in step) {
    const calls = typeof step.toolCalls === 'function' ? step.toolCalls(ctx) : step.toolCalls;
    return {
      kind: 'answer',
      text: step.text ?? '',
      toolCalls: calls.map((call) => ({
        id: `call_${++callCounter}`,
        name: call.name,
        arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
      })),
      usage: step.usage ?? DEFAULT_USAGE,
      wholeCalls: step.wholeCalls === true,
    };
  }
  const text = typeof step.text === 'function' ? step.text(ctx) : step.text;
  return { kind: 'answer', text, toolCalls: [], usage: step.usage ?? DEFAULT_USAGE };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      data += chunk;
    });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

/** Splits text into a few deltas, so streaming is streaming. */
export function deltas(text: string): string[] {
  if (text === '') return [];
  const size = Math.max(1, Math.ceil(text.length / 3));
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}

export async function startLoopbackModel(format: WireFormat, script: ScriptStep[]): Promise<LoopbackModel> {
  const steps = [...script];
  const requests: RecordedRequest[] = [];
  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req);
    if (req.method !== 'POST' || req.url !== format.path) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
      return;
    }
    const body = JSON.parse(raw) as Record<string, unknown>;
    requests.push({ path: req.url, headers: req.headers, body });
    const toolResults = format.toolResults(body);
    const ctx: StepContext = { toolResults, lastToolResult: toolResults.at(-1), body };
    const closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
    format.respond(res, resolveStep(steps.shift(), ctx), body, closed);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    remaining: () => steps.length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Writes server-sent events; `event` names are used by Anthropic, not by OpenAI. */
export function sse(res: ServerResponse, event: string | undefined, data: unknown): void {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  res.write(`${event === undefined ? '' : `event: ${event}\n`}data: ${payload}\n\n`);
}

/** An error step as a provider answers it: its status, a short retry hint on 429, `body` (the API's error shape). */
export function writeError(res: ServerResponse, status: number, body: string): void {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (status === 429) headers['retry-after-ms'] = '10';
  res.writeHead(status, headers);
  res.end(body);
}

export function startSse(res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
}

/** The text of a tool result's content: a string, or an array of text parts. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (typeof part === 'object' && part !== null && 'text' in part ? String(part.text) : ''))
      .join('');
  }
  return '';
}
