/**
 * The knowledge domain server's public surface.
 */
export { BUNDLED_CORPUS, ConfigError, configFromEnv, type KnowledgeConfig } from './config.ts';
export { EmbeddingsClient, type EmbeddingsConfig } from './connectors/embeddings.ts';
export { chunkDocument, MAX_PASSAGE_CHARS, type Passage } from './ingest/chunk.ts';
export { type IngestReport, ingestDirectory } from './ingest/ingest.ts';
export { parseMarkdown } from './ingest/markdown.ts';
export { buildMatchQuery } from './search/query.ts';
export { searchPassages } from './search/search.ts';
export {
  createKnowledgeServer,
  type KnowledgeServer,
  type KnowledgeServerOptions,
  SERVER_NAME,
  SERVER_VERSION,
} from './server.ts';
export { KnowledgeStore } from './store/knowledge-store.ts';
