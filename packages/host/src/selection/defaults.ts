/**
 * The host's tool-selection defaults, in a module without dependencies so `gatehouse chat --help`
 * can show them without loading the tool index.
 */

export type ToolSearchChoice = 'auto' | 'on' | 'off';

export const TOOL_SEARCH_CHOICES: readonly ToolSearchChoice[] = ['auto', 'on', 'off'];

/**
 * `auto` switches search on above this many tools: where the whole list stops being the better
 * deal. Accuracy: 40 is the ceiling Cursor put on the MCP tools it sends a model, past which tool
 * choice is widely reported to degrade. Cost: a definition as the host sends it costs a median of
 * 89 o200k tokens (53–183 from the first to the third quartile; measured over the 25 tools of the
 * weather, knowledge and wallet servers and server-everything), so 40 tools are ~3,500–7,000
 * tokens on every model request, against 219 for search_tools and call_tool. Below that the whole
 * list costs about what search mode adds: one more model request (search, then call), re-sending
 * the conversation, for each tool the model has to find.
 */
export const SEARCH_THRESHOLD = 40;

/** How many tools one search_tools call returns: the gateway's default (toolSearch.limit). */
export const DEFAULT_SEARCH_LIMIT = 5;
