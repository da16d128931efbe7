/**
 * The contract between the host's two halves: the MCP side (servers, their tools, calls through
 * them) and the model side (providers, the agent loop, the transcript). The agent loop sees only
 * a `ToolSource`; it never knows whether the tools come from one gateway or many servers.
 */

/** A tool as the model sees it: the registry's namespaced name, never the server's own. */
export interface HostTool {
  /** Unique across the registry, e.g. `crm__get_deal`, or the gateway's name as listed. */
  name: string;
  /** The server that owns it (its key in the servers file, or `gateway`). */
  server: string;
  /** The tool's name on its server. */
  serverToolName: string;
  description: string;
  /** JSON Schema of the arguments (an object schema). */
  inputSchema: Record<string, unknown>;
  /** The server's hints about the tool (read-only, destructive, …), when it gave any. */
  annotations?: ToolHints;
}

/** MCP tool annotations the host acts on: a UI may confirm a destructive call before it runs. */
export interface ToolHints {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

/** One question the host must put to the person in the chat (an in-band confirmation). */
export interface UserQuestion {
  /** Why the question is asked, e.g. the gateway's confirmation message. */
  message: string;
  /** The tool call it is about. */
  tool: string;
  /** JSON Schema of the answer the server asked for, when it asked for a form (elicitation). */
  requestedSchema?: Record<string, unknown>;
}

/** The person's answer: accept (with form content when one was asked for), decline or cancel. */
export type UserAnswer =
  | { action: 'accept'; content?: Record<string, unknown> }
  | { action: 'decline' }
  | { action: 'cancel' };

/** What a call reports while it runs, so a wait is shown as a wait and not as a hang. */
export type CallStatus =
  | { kind: 'awaiting-approval'; message: string; approvalId?: string }
  | { kind: 'progress'; message?: string; progress: number; total?: number }
  | { kind: 'retrying'; message: string };

export interface CallToolOptions {
  signal: AbortSignal;
  /** Put a confirmation to the person; resolve with their answer. */
  ask(question: UserQuestion): Promise<UserAnswer>;
  onStatus?(status: CallStatus): void;
}

/** What the model receives back from a tool call, and what the transcript records of it. */
export interface HostToolResult {
  /** The text the model sees (the tool's content; structured content as JSON when no text). */
  text: string;
  isError: boolean;
  /** The full MCP result, for the transcript and UIs. */
  raw: Record<string, unknown>;
}

/** The tool a call really runs when the model called a meta-tool that runs another (call_tool). */
export interface ResolvedCall {
  name: string;
  arguments: Record<string, unknown>;
  /** The meta-tool the model called, e.g. `call_tool`. */
  via: string;
}

/** The tools the agent loop may use: a registry over servers, or one gateway. */
export interface ToolSource {
  /** The tools available now (refreshed on list_changed by the implementation). */
  tools(): readonly HostTool[];
  /** Subscribe to catalog changes; returns an unsubscribe function. */
  onToolsChanged(listener: () => void): () => void;
  callTool(name: string, args: Record<string, unknown>, options: CallToolOptions): Promise<HostToolResult>;
  /**
   * When `name` with `args` runs another tool (a selection's call_tool naming a tool it has), that
   * tool and its arguments, so the transcript, the events and the UI name the real tool; else
   * undefined. Optional: a source without meta-tools leaves it out.
   */
  resolveCall?(name: string, args: Record<string, unknown>): ResolvedCall | undefined;
  close(): Promise<void>;
}
