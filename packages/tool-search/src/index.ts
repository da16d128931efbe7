/**
 * @gatehouse/tool-search: the tool index the gateway's search mode and the host's own tool
 * selection rank with, and the two meta-tools (search_tools, call_tool) both list. It knows nothing of callers, policy or transports: it ranks the tools it is
 * given, and whoever builds it decides which tools those are.
 */
export { type Embedder, type OpenAiCompatibleEmbedderOptions, openAiCompatibleEmbedder } from './embedder.ts';
export { HybridRanking, type HybridRankingOptions, toolText } from './hybrid-ranking.ts';
export {
  CALL_TOOL,
  CALL_TOOL_DEFINITION,
  type Checked,
  checkCallToolArguments,
  checkSearchToolsArguments,
  type InnerCall,
  MAX_QUERY_CHARS,
  META_TOOL_DEFINITIONS,
  META_TOOL_NAMES,
  type MetaToolDefinition,
  NOTHING_FOUND,
  SEARCH_TOOLS,
  SEARCH_TOOLS_DEFINITION,
  searchToolsAnswer,
  unknownToolMessage,
} from './meta-tools.ts';
export { type SchemaText, schemaText } from './schema-text.ts';
export { searchTerms, toolNameWords, words } from './terms.ts';
export {
  buildToolIndex,
  type SearchableTool,
  type ToolHit,
  type ToolIndex,
  type ToolSearchOptions,
} from './tool-index.ts';
