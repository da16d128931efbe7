/**
 * A stand-in embedding provider for tests: a real HTTP server on loopback that implements the
 * OpenAI-compatible `POST /v1/embeddings`, the same interface the knowledge server uses against a
 * real model provider. Its "model" is deterministic: a hashed bag of words in 256 dimensions,
 * with a few synonyms folded onto one word so that, as with a real model, texts about the same
 * thing in different words end up close. It records every request and can be switched into an
 * outage (HTTP 503), into answering garbage, or into never answering.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export const DIMENSIONS = 256;

const SYNONYMS: Record<string, string> = {
  datastore: 'database',
  db: 'database',
  unavailable: 'down',
  outage: 'down',
  dead: 'down',
  standby: 'replica',
  follower: 'replica',
  elevate: 'promote',
};

function fnv1a(word: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) {
    hash ^= word.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The stand-in model: hashed bag of words (synonyms folded), not normalised. */
export function embedText(text: string): number[] {
  const vector = new Array<number>(DIMENSIONS).fill(0);
  for (const [raw] of text.toLowerCase().matchAll(/[a-z0-9]+/g)) {
    const word = SYNONYMS[raw] ?? raw;
    if (word.length < 3) continue;
    const slot = fnv1a(word) % DIMENSIONS;
    vector[slot] = (vector[slot] ?? 0) + 1;
  }
  return vector;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: { model?: string; input?: string[]; encoding_format?: string };
}

export interface EmbeddingProvider {
  /** Base URL without `/v1`, e.g. http://127.0.0.1:PORT */
  url: string;
  requests: RecordedRequest[];
  mode: 'ok' | 'outage' | 'garbage' | 'hang';
  close(): Promise<void>;
}

/** What the stand-in answers to one recorded request: [status, JSON body], or undefined (hang). */
function answer(mode: EmbeddingProvider['mode'], request: RecordedRequest): [number, unknown] | undefined {
  if (mode === 'hang') return undefined;
  if (mode === 'outage') return [503, { error: { message: 'overloaded' } }];
  if (request.method !== 'POST' || request.url !== '/v1/embeddings') return [404, { error: 'not found' }];
  const input = request.body.input;
  if (!Array.isArray(input)) return [400, { error: { message: 'input must be an array' } }];
  if (mode === 'garbage') return [200, { object: 'list', data: 'nonsense' }];
  return [
    200,
    {
      object: 'list',
      model: request.body.model,
      data: input.map((text, index) => ({ object: 'embedding', index, embedding: embedText(text) })),
      usage: { prompt_tokens: 0, total_tokens: 0 },
    },
  ];
}

function parseBody(raw: Buffer): RecordedRequest['body'] {
  try {
    return JSON.parse(raw.toString('utf8')) as RecordedRequest['body'];
  } catch {
    return {};
  }
}

export async function startEmbeddingProvider(): Promise<EmbeddingProvider> {
  const provider: EmbeddingProvider = { url: '', requests: [], mode: 'ok', close: async () => {} };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: parseBody(Buffer.concat(chunks)),
      };
      provider.requests.push(request);
      const reply = answer(provider.mode, request);
      if (!reply) return;
      res.writeHead(reply[0], { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply[1]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  provider.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider.close = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return provider;
}
