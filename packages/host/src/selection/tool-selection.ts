/**
 * The host's own tool selection, for servers it talks to directly (a servers file): a ToolSource
 * that shows the model a small set — its core tools and the gateway's two meta-tools, search_tools
 * and call_tool, with the same names, argument shapes and error sentences (@gatehouse/tool-search)
 * — and ranks the wrapped source's whole catalog with the same tool index as the gateway.
 *
 * `call_tool` runs the real tool through the wrapped source, so its confirmations, status reports
 * and errors name the real tool; `resolveCall` tells the agent loop which tool that is, so the
 * transcript records the real tool (with `via: "call_tool"`), not the meta-tool. Bad arguments and
 * unknown names are error results the model reads and can act on, never a stopped turn.
 *
 * Through a gateway the host never wraps: the gateway decides per role (its toolSearch section).
 */
import {
  buildToolIndex,
  CALL_TOOL,
  CALL_TOOL_DEFINITION,
  checkCallToolArguments,
  checkSearchToolsArguments,
  META_TOOL_NAMES,
  type MetaToolDefinition,
  SEARCH_TOOLS,
  SEARCH_TOOLS_DEFINITION,
  searchToolsAnswer,
  type ToolIndex,
  unknownToolMessage,
} from '@gatehouse/tool-search';
import type { CallToolOptions, HostTool, HostToolResult, ResolvedCall, ToolSource } from '../contract.ts';
import { DEFAULT_SEARCH_LIMIT } from './defaults.ts';

export interface ToolSelectionOptions {
  /** Tools (registry names, e.g. `weather__get_weather`) listed as usual besides the meta-tools. */
  core?: readonly string[];
  /** How many tools one search returns at most (DEFAULT_SEARCH_LIMIT). */
  limit?: number;
}

/** The server name the meta-tools carry: they belong to the host, not to any server. */
const HOST = 'host';

function asHostTool(definition: MetaToolDefinition): HostTool {
  return {
    name: definition.name,
    server: HOST,
    serverToolName: definition.name,
    description: definition.description,
    inputSchema: { ...definition.inputSchema },
  };
}

const META_TOOLS: readonly HostTool[] = [
  asHostTool(SEARCH_TOOLS_DEFINITION),
  asHostTool(CALL_TOOL_DEFINITION),
];

/** A result the model reads as the tool's answer (isError: it failed, and the text says why). */
function textResult(text: string, isError: boolean, structured?: Record<string, unknown>): HostToolResult {
  const raw: Record<string, unknown> = { content: [{ type: 'text', text }] };
  if (structured !== undefined) raw.structuredContent = structured;
  if (isError) raw.isError = true;
  return { text, isError, raw };
}

/** What a found tool looks like in search_tools' answer: as a tools/list would show it. */
function listedTool(tool: HostTool): Record<string, unknown> {
  return { name: tool.name, description: tool.description, inputSchema: tool.inputSchema };
}

export class ToolSelection implements ToolSource {
  readonly #inner: ToolSource;
  readonly #core: ReadonlySet<string>;
  readonly #limit: number;
  readonly #unsubscribe: () => void;
  /** Built on the first search after the wrapped catalog changed (and on the very first). */
  #index: { index: ToolIndex; byName: ReadonlyMap<string, HostTool> } | undefined;

  constructor(inner: ToolSource, options: ToolSelectionOptions = {}) {
    this.#inner = inner;
    this.#core = new Set(options.core ?? []);
    this.#limit = options.limit ?? DEFAULT_SEARCH_LIMIT;
    this.#unsubscribe = inner.onToolsChanged(() => {
      this.#index = undefined;
    });
  }

  /** How many tools search_tools ranks: every tool of the wrapped source. */
  get searchable(): number {
    return this.#inner.tools().length;
  }

  /** The core tools the wrapped source has now, then search_tools and call_tool. */
  tools(): readonly HostTool[] {
    const core = this.#inner.tools().filter((t) => this.#core.has(t.name) && !META_TOOL_NAMES.has(t.name));
    return [...core, ...META_TOOLS];
  }

  onToolsChanged(listener: () => void): () => void {
    return this.#inner.onToolsChanged(listener);
  }

  /** The tool a call_tool call runs, when its arguments name one; undefined otherwise. */
  resolveCall(name: string, args: Record<string, unknown>): ResolvedCall | undefined {
    if (name !== CALL_TOOL) return undefined;
    const checked = checkCallToolArguments(args);
    if (!checked.ok || this.#realTool(checked.value.name) === undefined) return undefined;
    return { name: checked.value.name, arguments: checked.value.arguments, via: CALL_TOOL };
  }

  async callTool(
    name: string,
    args: Record<string, unknown>,
    options: CallToolOptions,
  ): Promise<HostToolResult> {
    if (name === SEARCH_TOOLS) return this.#search(args);
    if (name === CALL_TOOL) {
      const checked = checkCallToolArguments(args);
      if (!checked.ok) return textResult(checked.message, true);
      const inner = checked.value;
      if (this.#realTool(inner.name) === undefined) return textResult(unknownToolMessage(inner.name), true);
      return this.#inner.callTool(inner.name, inner.arguments, options);
    }
    return this.#inner.callTool(name, args, options);
  }

  async close(): Promise<void> {
    this.#unsubscribe();
    await this.#inner.close();
  }

  #realTool(name: string): HostTool | undefined {
    if (META_TOOL_NAMES.has(name)) return undefined;
    return this.#inner.tools().find((t) => t.name === name);
  }

  #search(args: Record<string, unknown>): HostToolResult {
    const checked = checkSearchToolsArguments(args);
    if (!checked.ok) return textResult(checked.message, true);
    if (this.#index === undefined) {
      const tools = this.#inner.tools();
      this.#index = { index: buildToolIndex(tools), byName: new Map(tools.map((t) => [t.name, t])) };
    }
    const { index, byName } = this.#index;
    const found = index.search(checked.value, this.#limit).flatMap((hit) => {
      const tool = byName.get(hit.name);
      return tool === undefined ? [] : [listedTool(tool)];
    });
    const answer = searchToolsAnswer(found);
    return textResult(JSON.stringify(answer), false, answer);
  }
}
