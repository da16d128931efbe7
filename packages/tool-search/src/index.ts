/**
 * @gatehouse/tool-search: the tool index the gateway's search mode and the host's own tool
 * selection rank with. It knows nothing of callers, policy or transports: it ranks the tools it is
 * given, and whoever builds it decides which tools those are.
 */
export { type Embedder, type OpenAiCompatibleEmbedderOptions, openAiCompatibleEmbedder } from './embedder.ts';
export { HybridRanking, type HybridRankingOptions, toolText } from './hybrid-ranking.ts';
export { type SchemaText, schemaText } from './schema-text.ts';
export { searchTerms, toolNameWords, words } from './terms.ts';
export {
  buildToolIndex,
  type SearchableTool,
  type ToolHit,
  type ToolIndex,
  type ToolSearchOptions,
} from './tool-index.ts';
