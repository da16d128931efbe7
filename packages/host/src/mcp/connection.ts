/**
 * One server: its SDK client (both protocol eras, stdio or Streamable HTTP), its lists kept fresh
 * on list_changed, and its connection kept up — a connection that drops is re-made with backoff
 * (reconnect.ts) while the last lists stay, so a blip does not empty the model's tool list.
 * Closing ends a 2025-era HTTP session (DELETE) before the client closes.
 */

import { ChangeFeed, deliverInReadOrder } from '@gatehouse/client-edge';
import type { Transport } from '@modelcontextprotocol/client';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { httpConnectError, negotiationError, type Peer, stdioStartError } from './connect-errors.ts';
import { HostError } from './errors.ts';
import { InFlightCalls } from './in-flight.ts';
import { type ListKind, NO_LISTS, readAll, readKind, type ServerLists } from './lists.ts';
import { type ReconnectOptions, reconnectPolicy } from './reconnect.ts';
import type { ProtocolChoice, ServerConfig } from './servers-file.ts';
import { type ChildReport, httpTransport, stdioTransport } from './transports.ts';

export type ConnectionState = 'connecting' | 'ready' | 'reconnecting' | 'failed' | 'closed';

export interface ConnectionSettings {
  /** Each call's limit (and each list's). */
  timeoutMs: number;
  /** The handshake's limit (a stdio handshake includes starting the process). */
  connectTimeoutMs: number;
  protocol: ProtocolChoice;
  reconnect: ReconnectOptions;
}

export interface ConnectionHooks {
  /** The lists changed (re-read after list_changed, or after a reconnection). */
  onLists(connection: ServerConnection): void;
  /** The state changed (ready, reconnecting, failed, …). */
  onState(connection: ServerConnection): void;
  /** The server asked the user something (2025-era elicitation/create). */
  onElicitation(
    connection: ServerConnection,
    params: Record<string, unknown>,
  ): Promise<Record<string, unknown>>;
}

/** How long closing waits for the server to acknowledge the end of its session. */
const END_SESSION_TIMEOUT_MS = 1000;

function negotiation(protocol: ProtocolChoice, stdio: boolean, connectTimeoutMs: number) {
  if (protocol === '2025-11-25') return { mode: 'legacy' as const };
  if (protocol === '2026-07-28') return { mode: { pin: '2026-07-28' } };
  // A legacy stdio server that ignores the probe is found out by the probe's timeout: keep it short.
  return {
    mode: 'auto' as const,
    ...(stdio ? { probe: { timeoutMs: Math.min(connectTimeoutMs, 5000) } } : {}),
  };
}

export class ServerConnection {
  readonly name: string;
  readonly config: ServerConfig;
  readonly settings: ConnectionSettings;
  readonly peer: Peer;
  state: ConnectionState = 'connecting';
  lists: ServerLists = NO_LISTS;
  /** Why the server is not ready (one line), when it is not. */
  lastError: string | null = null;
  reconnects = 0;
  /** The calls running on this connection (a server's question belongs to one of them). */
  readonly inFlight = new InFlightCalls();
  private client: Client | null = null;
  private feed: ChangeFeed | null = null;
  private readonly closing = new AbortController();
  private readyWaiters = new Set<() => void>();

  private readonly hooks: ConnectionHooks;

  constructor(config: ServerConfig, settings: ConnectionSettings, peer: Peer, hooks: ConnectionHooks) {
    this.hooks = hooks;
    this.name = config.name;
    this.config = config;
    this.settings = settings;
    this.peer = peer;
  }

  get era(): 'legacy' | 'modern' | undefined {
    return this.client?.getProtocolEra();
  }

  get protocolVersion(): string | undefined {
    return this.client?.getNegotiatedProtocolVersion();
  }

  /** The stdio child's pid, while one runs. */
  get pid(): number | undefined {
    const transport = this.client?.transport;
    return transport instanceof StdioClientTransport ? (transport.pid ?? undefined) : undefined;
  }

  /**
   * The first connection: one attempt, its failure thrown as a HostError. A server that fails it
   * is left `failed` (its message in lastError) and is not retried: its tools are never listed.
   */
  async open(): Promise<void> {
    let client: Client;
    try {
      client = await this.attempt();
    } catch (error) {
      this.lastError = error instanceof HostError ? error.userMessage : String(error);
      this.setState('failed');
      throw error;
    }
    await this.adopt(client);
  }

  /** The live client once ready; waits while reconnecting; fails when closed or given up on. */
  async ready(signal: AbortSignal, onWait?: (message: string) => void): Promise<Client> {
    for (;;) {
      if (this.state === 'ready' && this.client !== null) return this.client;
      if (this.state === 'closed') throw new HostError('unavailable', `${this.peer.label} is closed`);
      if (this.state === 'failed')
        throw new HostError(
          'unavailable',
          `${this.peer.label} is unavailable: ${this.lastError ?? 'gave up reconnecting'}`,
        );
      onWait?.(`reconnecting to ${this.peer.label}${this.lastError ? ` (${this.lastError})` : ''}`);
      await new Promise<void>((resolve, reject) => {
        const done = () => {
          signal.removeEventListener('abort', aborted);
          resolve();
        };
        const aborted = () => {
          this.readyWaiters.delete(done);
          reject(signal.reason);
        };
        if (signal.aborted) return aborted();
        this.readyWaiters.add(done);
        signal.addEventListener('abort', aborted, { once: true });
      });
    }
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.closing.abort();
    this.setState('closed');
    const client = this.client;
    this.client = null;
    this.feed?.close();
    if (client !== null) await closeClient(client);
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    if (state !== 'connecting' && state !== 'reconnecting') {
      for (const wake of this.readyWaiters) wake();
      this.readyWaiters.clear();
    }
    this.hooks.onState(this);
  }

  private createClient(): Client {
    const client = new Client(
      { name: 'gatehouse-host', version: '0.1.0' },
      {
        capabilities: { elicitation: { form: {} } },
        versionNegotiation: negotiation(
          this.settings.protocol,
          this.config.type === 'stdio',
          this.settings.connectTimeoutMs,
        ),
        // input_required answers come back to the call (call.ts asks the person and re-sends).
        inputRequired: { autoFulfill: false },
      },
    );
    client.setRequestHandler(
      'elicitation/create',
      (request) => this.hooks.onElicitation(this, (request.params ?? {}) as Record<string, unknown>) as never,
    );
    return client;
  }

  private makeTransport(): { transport: Transport; child?: ChildReport } {
    const config = this.config;
    if (config.type !== 'stdio') return { transport: deliverInReadOrder(httpTransport(config)) };
    const { transport, child } = stdioTransport(config);
    deliverInReadOrder(transport);
    const start = transport.start.bind(transport);
    transport.start = async () => {
      await start();
      child.watchExit(transport);
    };
    return { transport, child };
  }

  /** One connection attempt: handshake and lists; any failure is a HostError. */
  private async attempt(): Promise<Client> {
    const client = this.createClient();
    const { transport, child } = this.makeTransport();
    try {
      await client.connect(transport, {
        timeout: this.settings.connectTimeoutMs,
        signal: this.closing.signal,
      });
      this.lists = await readAll(client, this.settings.connectTimeoutMs);
      return client;
    } catch (error) {
      // Read before closing: the exit that closing causes is not the server's failure.
      const failure =
        negotiationError(this.peer, error) ??
        (child === undefined
          ? undefined
          : await stdioStartError(this.peer, child, error, this.settings.connectTimeoutMs));
      await client.close().catch(() => {});
      if (failure !== undefined) throw failure;
      throw httpConnectError(
        this.peer,
        this.config.type === 'stdio' ? '' : this.config.url,
        error,
        this.settings.connectTimeoutMs,
      );
    }
  }

  private async adopt(client: Client): Promise<void> {
    if (this.closing.signal.aborted) {
      await closeClient(client);
      return;
    }
    this.client = client;
    this.lastError = null;
    client.onclose = () => this.dropped(client);
    this.feed = new ChangeFeed(client, {
      relist: (kind) => this.reread(client, kind),
      ackTimeoutMs: this.settings.connectTimeoutMs,
    });
    this.feed.start();
    this.setState('ready');
    this.hooks.onLists(this);
  }

  private async reread(client: Client, kind: ListKind): Promise<void> {
    const part = await readKind(client, kind, this.settings.connectTimeoutMs);
    if (client !== this.client) return;
    this.lists = { ...this.lists, ...part };
    this.hooks.onLists(this);
  }

  /**
   * A call found the connection broken (the server is gone, or no longer knows the session):
   * re-make it as if it had dropped. Over HTTP nothing else tells the client.
   */
  lost(client: Client): void {
    this.dropped(client);
  }

  /** The connection dropped: keep the lists, re-make it with backoff. */
  private dropped(client: Client): void {
    if (client !== this.client || this.closing.signal.aborted) return;
    this.client = null;
    client.onclose = undefined;
    void closeClient(client);
    this.feed?.close();
    this.feed = null;
    this.lastError = 'the connection dropped';
    this.setState('reconnecting');
    void this.reconnect();
  }

  private async reconnect(): Promise<void> {
    const policy = reconnectPolicy(this.settings.reconnect);
    policy.onRetry(({ attempt }) => {
      this.reconnects = attempt;
    });
    try {
      const client = await policy.execute(async () => {
        try {
          return await this.attempt();
        } catch (error) {
          if (error instanceof HostError) this.lastError = error.userMessage;
          throw error;
        }
      }, this.closing.signal);
      await this.adopt(client);
    } catch {
      if (this.closing.signal.aborted) return;
      this.setState('failed');
      this.lists = NO_LISTS;
      this.hooks.onLists(this);
    }
  }
}

/** Closes `client`, ending first the 2025-era HTTP session it opened (the SDK's close sends no DELETE). */
export async function closeClient(client: Client): Promise<void> {
  const transport = client.transport;
  if (transport instanceof StreamableHTTPClientTransport && transport.sessionId !== undefined) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      transport.terminateSession().catch(() => {}),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, END_SESSION_TIMEOUT_MS);
      }),
    ]);
    clearTimeout(timer);
  }
  await client.close().catch(() => {});
}
