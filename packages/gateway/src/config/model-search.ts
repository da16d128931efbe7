/** The runtime model of `toolSearch` (see schema-search.ts). */

/** One role in search mode. */
export interface ToolSearchRoleModel {
  /** Globs over exposed tool names: the tools listed besides the meta-tools. */
  core: string[];
  /** How many tools one search returns at most. */
  limit: number;
}

export interface EmbeddingsModel {
  baseUrl: string;
  model: string;
  /** The environment variable holding the key, read when the gateway starts; null: no key. */
  apiKeyEnv: string | null;
  /** Share of the embedding similarity in the combined rank, 0–1. */
  weight: number;
}

export interface ToolSearchModel {
  /** Roles in search mode, by name. */
  roles: Record<string, ToolSearchRoleModel>;
  embeddings: EmbeddingsModel | null;
}
