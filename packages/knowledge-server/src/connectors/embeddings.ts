/**
 * Client for an OpenAI-compatible embeddings endpoint (`POST /v1/embeddings`: OpenAI, Azure
 * OpenAI-style gateways, Ollama, vLLM, LiteLLM, text-embeddings-inference …), on the kit's
 * HttpClient (timeouts, retries, breaker). The base URL may or may not end in `/v1`:
 * `https://api.openai.com/v1` and `http://127.0.0.1:11434` both work. Vectors come back
 * unit-length, in input order.
 */
import { HttpClient } from '@gatehouse/kit/infra';
import * as z from 'zod';
import { toUnitVector } from '../store/knowledge-store.ts';

export interface EmbeddingsConfig {
  baseUrl: string;
  apiKey?: string;
  model: string;
  timeoutMs?: number;
  /** How long the breaker stays open after repeated failures; default 15 s. */
  breakerCooldownMs?: number;
}

/** Inputs per request; providers cap batch sizes (OpenAI at 2048, many local servers far lower). */
export const EMBEDDING_BATCH = 64;

/** Characters per input; long passages are cut (the passage cap keeps this rare). */
const MAX_INPUT_CHARS = 8_000;

const EmbeddingsResponse = z.object({
  data: z.array(z.object({ index: z.number().int().min(0), embedding: z.array(z.number()).min(1) })).min(1),
  model: z.string().optional(),
});

export class EmbeddingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddingsError';
  }
}

export class EmbeddingsClient {
  readonly model: string;
  private readonly http: HttpClient;
  private readonly path: string;

  constructor(config: EmbeddingsConfig, fetchImpl?: typeof fetch) {
    this.model = config.model;
    this.http = new HttpClient({
      baseUrl: config.baseUrl,
      name: 'embedding provider',
      timeoutMs: config.timeoutMs ?? 10_000,
      maxAttempts: 2,
      breakerFailures: 3,
      halfOpenAfterMs: config.breakerCooldownMs ?? 15_000,
      ...(config.apiKey ? { token: config.apiKey } : {}),
      ...(fetchImpl ? { fetch: fetchImpl } : {}),
    });
    this.path = /\/v1\/?$/.test(new URL(config.baseUrl).pathname) ? 'embeddings' : 'v1/embeddings';
  }

  /** Embeds `texts` (batched), returning one unit vector per text in the same order. */
  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += EMBEDDING_BATCH) {
      const batch = texts.slice(start, start + EMBEDDING_BATCH).map((t) => t.slice(0, MAX_INPUT_CHARS));
      vectors.push(...(await this.embedBatch(batch, signal)));
    }
    return vectors;
  }

  private async embedBatch(input: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const raw = await this.http.post(this.path, {
      body: { model: this.model, input, encoding_format: 'float' },
      idempotent: true,
      ...(signal ? { signal } : {}),
    });
    const parsed = EmbeddingsResponse.safeParse(raw);
    if (!parsed.success) throw new EmbeddingsError('the embedding provider answered in an unexpected shape');
    const byIndex = new Map(parsed.data.data.map((d) => [d.index, d.embedding]));
    const dimensions = parsed.data.data[0]?.embedding.length ?? 0;
    return input.map((_, i) => {
      const embedding = byIndex.get(i);
      if (!embedding || embedding.length !== dimensions)
        throw new EmbeddingsError(`the embedding provider returned no usable vector for input ${i}`);
      return toUnitVector(embedding);
    });
  }
}
