/**
 * `connectToolSource`: the MCP side of the host behind the contract's `ToolSource` — one gateway
 * (one Streamable HTTP connection with the caller's key, tools as the gateway lists them) or the
 * servers of a servers file (one connection each, tools as `<server>__<tool>`).
 */
import type { GetPromptResult, ReadResourceResult } from '@modelcontextprotocol/client';
import type { CallToolOptions, HostTool, HostToolResult, ToolSource } from '../contract.ts';
import { type ApprovalWaitOptions, callThrough } from './call.ts';
import type { Peer } from './connect-errors.ts';
import { type ConnectionState, ServerConnection } from './connection.ts';
import { HostError } from './errors.ts';
import { askElicitation } from './questions.ts';
import type { ReconnectOptions } from './reconnect.ts';
import {
  buildCatalog,
  type Catalog,
  type HostPrompt,
  type HostResource,
  type HostResourceTemplate,
  toolsFingerprint,
} from './registry.ts';
import { type ProtocolChoice, readServersFile, type ServerConfig } from './servers-file.ts';

export interface CommonSourceOptions extends ApprovalWaitOptions {
  /** Each call's limit without an answer, per server unless the servers file sets one (default 60 s). */
  timeoutMs?: number;
  /** The handshake's limit (default 30 s). */
  connectTimeoutMs?: number;
  /** Which protocol era to speak (default `auto`: 2026-07-28 when the server offers it). */
  protocol?: ProtocolChoice;
  reconnect?: ReconnectOptions;
}

export type ToolSourceOptions =
  | ({ kind: 'gateway'; url: string; key: string } & CommonSourceOptions)
  | ({ kind: 'servers'; file: string; env?: NodeJS.ProcessEnv } & CommonSourceOptions)
  | ({ kind: 'servers'; servers: ServerConfig[] } & CommonSourceOptions);

export interface ServerStatus {
  name: string;
  state: ConnectionState;
  /** `legacy` (2025-11-25 handshake) or `modern` (2026-07-28), once connected. */
  era?: 'legacy' | 'modern';
  protocolVersion?: string;
  /** Why it is not ready, one line. */
  lastError?: string;
  /** The stdio child's pid, while one runs. */
  pid?: number;
}

/** A ToolSource over MCP connections, with the rest of what servers offer. */
export interface McpToolSource extends ToolSource {
  readonly mode: 'gateway' | 'servers';
  prompts(): readonly HostPrompt[];
  resources(): readonly HostResource[];
  resourceTemplates(): readonly HostResourceTemplate[];
  readResource(uri: string, options?: { server?: string; signal?: AbortSignal }): Promise<ReadResourceResult>;
  getPrompt(
    name: string,
    args?: Record<string, string>,
    options?: { signal?: AbortSignal },
  ): Promise<GetPromptResult>;
  servers(): ServerStatus[];
  /** Subscribe to server state changes (ready, reconnecting, failed); returns an unsubscribe function. */
  onServersChanged(listener: () => void): () => void;
}

const DEFAULTS = { timeoutMs: 60_000, connectTimeoutMs: 30_000 };

/** The URL as it may be shown: no user, password, query or fragment. */
export function shownUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

function gatewayConfig(options: Extract<ToolSourceOptions, { kind: 'gateway' }>): {
  config: ServerConfig;
  peer: Peer;
} {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new HostError('connect-failed', `not a valid gateway URL: ${options.url}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new HostError('connect-failed', `not an http:// or https:// gateway URL: ${shownUrl(url)}`);
  if (options.key.trim() === '')
    throw new HostError('refused-key', 'no key for the gateway: the key is empty');
  return {
    config: {
      name: 'gateway',
      type: 'http',
      url: url.href,
      headers: { Authorization: `Bearer ${options.key}` },
    },
    peer: { label: `the gateway at ${shownUrl(url)}`, gateway: true },
  };
}

class Source implements McpToolSource {
  readonly mode: 'gateway' | 'servers';
  private catalog: Catalog;
  private fingerprint = '';
  private readonly toolListeners = new Set<() => void>();
  private readonly serverListeners = new Set<() => void>();

  private readonly connections: ServerConnection[];
  private readonly wait: ApprovalWaitOptions;

  constructor(connections: ServerConnection[], mode: 'gateway' | 'servers', wait: ApprovalWaitOptions) {
    this.connections = connections;
    this.wait = wait;
    this.mode = mode;
    this.catalog = buildCatalog([], false);
  }

  /** Rebuilds the catalog; tells tool listeners when what the model sees changed. */
  rebuild(): void {
    this.catalog = buildCatalog(this.connections, this.mode === 'servers');
    const fingerprint = toolsFingerprint(this.catalog.tools);
    if (fingerprint === this.fingerprint) return;
    this.fingerprint = fingerprint;
    for (const listener of this.toolListeners) listener();
  }

  stateChanged(): void {
    for (const listener of this.serverListeners) listener();
  }

  tools(): readonly HostTool[] {
    return this.catalog.tools;
  }
  prompts(): readonly HostPrompt[] {
    return this.catalog.prompts;
  }
  resources(): readonly HostResource[] {
    return this.catalog.resources;
  }
  resourceTemplates(): readonly HostResourceTemplate[] {
    return this.catalog.templates;
  }

  onToolsChanged(listener: () => void): () => void {
    this.toolListeners.add(listener);
    return () => this.toolListeners.delete(listener);
  }

  onServersChanged(listener: () => void): () => void {
    this.serverListeners.add(listener);
    return () => this.serverListeners.delete(listener);
  }

  servers(): ServerStatus[] {
    return this.connections.map((c) => ({
      name: c.name,
      state: c.state,
      ...(c.era === undefined ? {} : { era: c.era }),
      ...(c.protocolVersion === undefined ? {} : { protocolVersion: c.protocolVersion }),
      ...(c.lastError === null ? {} : { lastError: c.lastError }),
      ...(c.pid === undefined ? {} : { pid: c.pid }),
    }));
  }

  callTool(name: string, args: Record<string, unknown>, options: CallToolOptions): Promise<HostToolResult> {
    const connection = this.catalog.toolOwners.get(name);
    const tool = this.catalog.tools.find((t) => t.name === name);
    if (connection === undefined || tool === undefined)
      return Promise.reject(new HostError('unknown-tool', `no tool named ${name}`));
    return callThrough(connection, tool, args, options, this.wait);
  }

  async readResource(
    uri: string,
    options: { server?: string; signal?: AbortSignal } = {},
  ): Promise<ReadResourceResult> {
    const owner =
      this.connections.find((c) => c.name === options.server) ??
      this.connections.find((c) => c.lists.resources.some((r) => r.uri === uri)) ??
      (this.connections.length === 1 ? this.connections[0] : undefined);
    if (owner === undefined) throw new HostError('unknown-tool', `no server lists the resource ${uri}`);
    const client = await owner.ready(options.signal ?? AbortSignal.timeout(owner.settings.timeoutMs));
    return client.readResource(
      { uri },
      { timeout: owner.settings.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) },
    );
  }

  async getPrompt(
    name: string,
    args: Record<string, string> = {},
    options: { signal?: AbortSignal } = {},
  ): Promise<GetPromptResult> {
    const owner = this.catalog.promptOwners.get(name);
    const prompt = this.catalog.prompts.find((p) => p.name === name);
    if (owner === undefined || prompt === undefined)
      throw new HostError('unknown-tool', `no prompt named ${name}`);
    const client = await owner.ready(options.signal ?? AbortSignal.timeout(owner.settings.timeoutMs));
    return client.getPrompt(
      { name: prompt.serverPromptName, arguments: args },
      { timeout: owner.settings.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) },
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.connections.map((c) => c.close()));
  }
}

/** A 2025-era server's question during a call, put to the person through that call's `ask`. */
async function elicit(
  connection: ServerConnection,
  params: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const owner = connection.inFlight.attribute();
  if (owner === undefined) return { action: 'decline' }; // nobody is calling: nobody to ask
  return askElicitation(params, owner.tool, owner.call.ask);
}

/**
 * Connects to the gateway, or to every server of a servers file (in parallel). Resolves once all
 * are connected and listed; the first that cannot be reached or started rejects it with a
 * HostError (and the others are closed).
 */
export async function connectToolSource(options: ToolSourceOptions): Promise<McpToolSource> {
  const specs: { config: ServerConfig; peer: Peer }[] =
    options.kind === 'gateway'
      ? [gatewayConfig(options)]
      : ('servers' in options ? options.servers : await readServersFile(options.file, options.env)).map(
          (config) => ({
            config,
            peer: { label: `server "${config.name}"`, gateway: false },
          }),
        );
  let source: Source | undefined;
  const connections = specs.map(
    ({ config, peer }) =>
      new ServerConnection(
        config,
        {
          timeoutMs: config.timeoutMs ?? options.timeoutMs ?? DEFAULTS.timeoutMs,
          connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
          protocol: config.protocol ?? options.protocol ?? 'auto',
          reconnect: options.reconnect ?? {},
        },
        peer,
        {
          onLists: () => source?.rebuild(),
          onState: () => source?.stateChanged(),
          onElicitation: elicit,
        },
      ),
  );
  source = new Source(connections, options.kind, options);
  const opened = await Promise.allSettled(connections.map((c) => c.open()));
  const failed = opened.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  // A servers file carries on with the servers that started (as desktop hosts do); the others
  // show as `failed` in servers(), with their one line in lastError. The gateway, or a file none
  // of whose servers started, is a failure.
  const carryOn = options.kind === 'servers' && opened.some((o) => o.status === 'fulfilled');
  if (failed !== undefined && !carryOn) {
    await source.close();
    throw failed.reason;
  }
  source.rebuild();
  return source;
}
