/**
 * Tool search in gatehouse.yaml (the `toolSearch` section): which roles see a small core of their
 * tools plus the `search_tools` and `call_tool` meta-tools instead of their whole list, how many
 * tools one search returns, and an optional embedding provider whose similarity is combined with
 * the word ranking. Part of the one zod schema in schema.ts; normalize-search.ts turns it into the
 * runtime model (model-search.ts).
 */
import { z } from 'zod';
import { roleName } from './schema-access.ts';

/** How many tools one search returns: the section's default, or a role's own. */
const limit = z.number().int().min(1).max(50);

export const ToolSearchRoleSchema = z
  .object({
    core: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Tools listed as usual besides the meta-tools (exposed tool names, globs: * and ?, as in policy rules). Only tools the role may see are listed.',
      ),
    limit: limit
      .optional()
      .describe('How many tools one search returns at most (default: toolSearch.limit).'),
  })
  .strict();

export const EmbeddingsSchema = z
  .object({
    baseUrl: z
      .url()
      .describe(
        'An OpenAI-compatible API (its /embeddings endpoint is used), e.g. https://api.openai.com/v1.',
      ),
    model: z.string().min(1).describe('The embedding model, e.g. text-embedding-3-small.'),
    apiKeyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
      .optional()
      .describe('Environment variable holding the API key (none sent when absent).'),
    weight: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe('Share of the embedding similarity in the combined rank (the word ranking has the rest).'),
  })
  .strict();

export const ToolSearchSchema = z
  .object({
    limit: limit.default(5).describe('How many tools one search_tools call returns at most.'),
    roles: z
      .record(roleName, ToolSearchRoleSchema)
      .default({})
      .describe(
        'Roles in search mode: their tools/list is their core tools plus search_tools and call_tool. A caller holding any of these roles is in search mode.',
      ),
    embeddings: EmbeddingsSchema.optional().describe(
      'Rank with an embedding model as well as by words, when configured.',
    ),
  })
  .strict();

export type ToolSearchParsed = z.output<typeof ToolSearchSchema>;
