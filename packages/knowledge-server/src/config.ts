/**
 * The knowledge server's configuration, read from the environment and checked with zod. A bad
 * value stops the server at start with every problem named, instead of failing at first use.
 *
 *   KNOWLEDGE_DOCS_DIR    folder of Markdown to index (default: the bundled corpus)
 *   KNOWLEDGE_DB_PATH     SQLite index file (default: .gatehouse/knowledge.db)
 *   EMBEDDINGS_BASE_URL   OpenAI-compatible endpoint; enables vector + hybrid search
 *   EMBEDDINGS_API_KEY    bearer token for it (optional: local servers often need none)
 *   EMBEDDINGS_MODEL      embedding model name (required with EMBEDDINGS_BASE_URL)
 */
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import type { EmbeddingsConfig } from './connectors/embeddings.ts';

export interface KnowledgeConfig {
  docsDir: string;
  dbPath: string;
  embeddings?: EmbeddingsConfig;
}

export const BUNDLED_CORPUS = fileURLToPath(new URL('../corpus', import.meta.url));

export class ConfigError extends Error {
  constructor(problems: string[]) {
    super(`invalid knowledge server configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const blankToUndefined = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

const optionalText = z.preprocess(blankToUndefined, z.string().trim().optional());

const EnvSchema = z
  .object({
    KNOWLEDGE_DOCS_DIR: optionalText,
    KNOWLEDGE_DB_PATH: optionalText,
    EMBEDDINGS_BASE_URL: z.preprocess(
      blankToUndefined,
      z.url({ protocol: /^https?$/, error: 'EMBEDDINGS_BASE_URL must be an http(s) URL' }).optional(),
    ),
    EMBEDDINGS_API_KEY: optionalText,
    EMBEDDINGS_MODEL: optionalText,
  })
  .superRefine((env, ctx) => {
    if (env.EMBEDDINGS_BASE_URL && !env.EMBEDDINGS_MODEL)
      ctx.addIssue({
        code: 'custom',
        path: ['EMBEDDINGS_MODEL'],
        message: 'EMBEDDINGS_MODEL is required when EMBEDDINGS_BASE_URL is set (e.g. text-embedding-3-small)',
      });
    if (!env.EMBEDDINGS_BASE_URL && (env.EMBEDDINGS_MODEL || env.EMBEDDINGS_API_KEY))
      ctx.addIssue({
        code: 'custom',
        path: ['EMBEDDINGS_BASE_URL'],
        message: 'EMBEDDINGS_MODEL / EMBEDDINGS_API_KEY are set but EMBEDDINGS_BASE_URL is not',
      });
  });

export function configFromEnv(env: Record<string, string | undefined> = process.env): KnowledgeConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`),
    );
  }
  const e = parsed.data;
  return {
    docsDir: e.KNOWLEDGE_DOCS_DIR ?? BUNDLED_CORPUS,
    dbPath: e.KNOWLEDGE_DB_PATH ?? '.gatehouse/knowledge.db',
    ...(e.EMBEDDINGS_BASE_URL && e.EMBEDDINGS_MODEL
      ? {
          embeddings: {
            baseUrl: e.EMBEDDINGS_BASE_URL,
            model: e.EMBEDDINGS_MODEL,
            ...(e.EMBEDDINGS_API_KEY ? { apiKey: e.EMBEDDINGS_API_KEY } : {}),
          },
        }
      : {}),
  };
}
