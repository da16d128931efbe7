/**
 * An embedding model behind one small interface, and its one implementation: any
 * OpenAI-compatible `/embeddings` endpoint (OpenAI, Ollama, vLLM, llama.cpp server, …) through the
 * Vercel AI SDK. The key, when there is one, is sent as a Bearer token and never appears in an
 * error this module raises.
 *
 * The AI SDK is loaded on the first embedding, not when this module is: a gateway without an
 * embedding model configured (the usual case) never loads it, and its memory stays as it was.
 */
import type { EmbeddingModel } from 'ai';

export interface Embedder {
  /** One vector per value, in order. */
  embed(values: readonly string[], options?: { signal?: AbortSignal; retries?: number }): Promise<number[][]>;
}

export interface OpenAiCompatibleEmbedderOptions {
  /** The API's base URL, e.g. https://api.openai.com/v1 (its `/embeddings` is called). */
  baseUrl: string;
  model: string;
  apiKey?: string;
}

export function openAiCompatibleEmbedder(options: OpenAiCompatibleEmbedderOptions): Embedder {
  let model: Promise<EmbeddingModel> | undefined;
  const loadModel = async (): Promise<EmbeddingModel> => {
    const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
    const provider = createOpenAICompatible({
      name: 'gatehouse-embeddings',
      baseURL: options.baseUrl,
      ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
    });
    return provider.embeddingModel(options.model);
  };
  return {
    async embed(values, { signal, retries = 0 } = {}) {
      if (values.length === 0) return [];
      model ??= loadModel();
      const [{ embedMany }, loaded] = await Promise.all([import('ai'), model]);
      const { embeddings } = await embedMany({
        model: loaded,
        values: [...values],
        maxRetries: retries,
        ...(signal === undefined ? {} : { abortSignal: signal }),
      });
      return embeddings;
    },
  };
}
