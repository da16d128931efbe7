/**
 * One upstream MCP server: its SDK client, its connection lifecycle (connect, restart with
 * backoff, reap the process group, evict after failed health probes), the resilience policies
 * every call runs under, and the calls in flight that server→client requests and log messages
 * are attributed to.
 */

import { ChangeFeed, type ListKind } from '@gatehouse/client-edge';
import type {
  LoggingMessageNotificationParams,
  ServerCapabilities,
  Transport,
} from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/client';
import { SpanKind } from '@opentelemetry/api';
import type { UpstreamModel } from '../config/model.ts';
import { wireError } from '../errors/wire.ts';
import type { Logger } from '../observability/logger.ts';
import { endSpan } from '../observability/tracing.ts';
import { backoffDelay } from './backoff.ts';
import { closeClient } from './close-client.ts';
import { ChildReport } from './failure-reason.ts';
import { HealthProbe } from './health-probe.ts';
import { admitUpstreamResults } from './inbound-results.ts';
import { acceptJsonStreams } from './json-stream-fetch.ts';
import { listKind, type UpstreamSnapshot } from './listing.ts';
import { reapGroup } from './process-group.ts';
import { UpstreamResilience } from './resilience.ts';
import { httpTransport, stdioTransport } from './transport-factory.ts';
import type {
  Attempt,
  CallChannel,
  ServerRequestMethod,
  UpstreamHooks,
  UpstreamSignal,
  UpstreamState,
  UseOptions,
} from './upstream-types.ts';

export type { ListKind } from '@gatehouse/client-edge';
export type { UpstreamSnapshot } from './listing.ts';
export type * from './upstream-types.ts';

const EMPTY: UpstreamSnapshot = { tools: [], prompts: [], resources: [], templates: [] };

/**
 * The handshake and listings are the gateway's own background requests, and a stdio handshake
 * includes starting the process: a per-call timeoutMs below this would keep such an upstream
 * from ever connecting.
 */
const HANDSHAKE_TIMEOUT_FLOOR_MS = 10_000;

export class Upstream {
  readonly model: UpstreamModel;
  state: UpstreamState = 'idle';
  snapshot: UpstreamSnapshot = EMPTY;
  lastError: string | null = null;
  /** The stdio child's exit and stderr, for unavailableReason(). */
  private readonly child = new ChildReport();
  restarts = 0;
  /** The first connection attempt has finished (either way): readiness waits for it. */
  settledOnce = false;
  private settle: () => void = () => {};
  /** Resolves when the first connection attempt has finished (either way). */
  readonly firstSettled = new Promise<void>((resolve) => {
    this.settle = resolve;
  });
  /** Evicted after failed probes, and not yet re-admitted (a probe must pass first). */
  private evicted = false;
  readonly resilience: UpstreamResilience;
  private readonly probe: HealthProbe;
  private client: Client | null = null;
  private feed: ChangeFeed | null = null;
  private pgid: number | null = null;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<CallChannel>();
  private readonly hooks: UpstreamHooks;
  private readonly log: Logger;

  constructor(model: UpstreamModel, hooks: UpstreamHooks, log: Logger) {
    this.model = model;
    this.hooks = hooks;
    this.log = log.child({ upstream: model.name });
    const signal = (s: UpstreamSignal) => hooks.onSignal(this, s);
    this.resilience = new UpstreamResilience(model.name, model.resilience, {
      breaker: (state) => signal({ kind: 'breaker', state }),
      retry: (attempt, delayMs) => signal({ kind: 'retry', attempt, delayMs }),
      timeout: (which) => signal({ kind: 'timeout', which }),
      rejected: () => signal({ kind: 'rejected' }),
    });
    this.probe = new HealthProbe(
      model.resilience.health,
      (timeoutMs) => this.probeOnce(timeoutMs),
      (reason) => this.evict(reason),
    );
  }

  get name(): string {
    return this.model.name;
  }

  private get handshakeTimeout(): number {
    return Math.max(this.model.timeoutMs, HANDSHAKE_TIMEOUT_FLOOR_MS);
  }

  get capabilities(): ServerCapabilities {
    return this.client?.getServerCapabilities() ?? {};
  }

  get era(): 'legacy' | 'modern' | undefined {
    return this.client?.getProtocolEra();
  }

  /** The pid of the stdio child (its process-group id), when running. */
  get pid(): number | null {
    return this.pgid;
  }

  /** Why this upstream is not serving, for the operator's CLI (with its stderr); null while ready. */
  unavailableReason(): string | null {
    if (this.state === 'ready') return null;
    if (this.lastError === null) return this.state === 'stopped' ? 'stopped' : 'still connecting';
    const line = this.child.telling();
    return line === undefined ? this.lastError : `${this.lastError}; stderr: ${line}`;
  }

  start(): void {
    if (this.state !== 'idle') return;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.setState('stopped');
    if (this.timer) clearTimeout(this.timer);
    await this.teardown();
  }

  /**
   * Runs `fn` against the live client under this upstream's resilience policies (deadline,
   * bulkhead, retries when `retryable`, breaker, attempt timeout). `fn` must send its request
   * under the signal it is given.
   */
  async use<T>(fn: Attempt<T>, options: UseOptions = {}): Promise<T> {
    this.liveClient(); // fail fast, before queueing, when the upstream is not there
    const token: CallChannel = options.channel ?? {
      request: () => Promise.reject(new Error('no caller')),
      log: () => {},
    };
    let attempt = 0;
    return this.resilience.run(
      async (signal) => {
        const client = this.liveClient(); // again per attempt: it may have restarted in between
        const traced = options.trace
          ? options.trace.tracing.startChild(
              options.trace,
              `mcp.upstream ${options.method ?? 'request'}`,
              { 'gatehouse.upstream': this.name, 'gatehouse.attempt': ++attempt },
              SpanKind.CLIENT,
            )
          : undefined;
        this.inFlight.add(token);
        let failure: unknown;
        try {
          return await fn(client, signal, traced ? traced.scope.tracing.carrierFor(traced.scope) : {});
        } catch (error) {
          failure = error;
          throw error;
        } finally {
          this.inFlight.delete(token);
          if (traced) endSpan(traced.span, failure);
        }
      },
      { retryable: options.retryable ?? false, signal: options.signal },
    );
  }

  private liveClient(): Client {
    const client = this.client;
    if (this.state !== 'ready' || client === null) {
      throw wireError('UpstreamUnavailable', `upstream "${this.name}" is unavailable (${this.state})`, {
        upstream: this.name,
        reason: 'unavailable',
        state: this.state,
      });
    }
    return client;
  }

  private probeOnce(timeoutMs: number, client = this.client): Promise<unknown> {
    if (client === null) return Promise.resolve();
    return client.getProtocolEra() === 'modern'
      ? client.discover({ timeout: timeoutMs })
      : client.ping({ timeout: timeoutMs });
  }

  /**
   * Failed health probes take the upstream out: its entries leave the catalog (clients are told),
   * calls fail fast, and it reconnects with backoff — a stdio child is replaced, since a hung
   * process rarely recovers. A successful reconnection re-admits it.
   */
  private evict(reason: string): void {
    if (this.state !== 'ready') return;
    this.lastError = `evicted: ${reason}`;
    this.log.warn({ reason }, 'upstream evicted');
    this.evicted = true;
    this.hooks.onSignal(this, { kind: 'evicted', reason });
    this.setState('evicted');
    this.snapshot = EMPTY;
    this.hooks.onCatalog(this);
    void this.teardown().then(() => {
      this.restarts++;
      this.hooks.onSignal(this, { kind: 'restart' });
      this.scheduleRestart();
    });
  }

  private setState(state: UpstreamState): void {
    if (this.state === state) return;
    if (state === 'ready') this.probe.start();
    else this.probe.stop();
    this.state = state;
    this.hooks.onStateChange(this, state);
  }

  private async connect(): Promise<void> {
    this.setState('connecting');
    const client = this.createClient();
    const feed = new ChangeFeed(client, {
      relist: (kind) => this.relist(client, kind),
      ackTimeoutMs: this.handshakeTimeout,
      log: this.log,
    });
    try {
      const transport = await this.createTransport(client);
      client.onclose = () => this.onClientClosed(client);
      await client.connect(transport, { timeout: this.handshakeTimeout });
      this.client = client;
      await this.refreshAll(client);
      // After an eviction the upstream must also pass a health probe to be re-admitted: a hung
      // server may still complete a handshake, and re-admitting it would make the catalog flap.
      if (this.evicted) await this.probeOnce(this.model.resilience.health.timeoutMs, client);
      this.evicted = false;
      this.attempt = 0;
      this.settledOnce = true;
      this.settle();
      this.setState('ready');
      this.hooks.onCatalog(this);
      this.feed = feed;
      feed.start();
      this.log.info(
        { era: client.getProtocolEra(), version: client.getNegotiatedProtocolVersion() },
        'upstream ready',
      );
    } catch (error) {
      await this.child.settled(this.pgid !== null);
      this.lastError = this.child.failure(error);
      this.settledOnce = true;
      this.settle();
      this.log.warn({ err: this.lastError }, 'upstream connect failed');
      if (this.client === client) this.client = null;
      feed.close();
      client.onclose = undefined;
      await closeClient(client, this.log);
      await this.reapChildren();
      this.scheduleRestart();
    }
  }

  private async createTransport(client: Client): Promise<Transport> {
    const inbound = {
      modern: () => client.getProtocolEra() === 'modern',
      onMissingResultType: () =>
        this.log.warn('upstream results carry no resultType (2026-07-28 requires it); read as complete'),
    };
    if (this.model.transport === 'http')
      return admitUpstreamResults(await httpTransport(this.model, acceptJsonStreams), inbound);
    const transport = admitUpstreamResults(stdioTransport(this.model), inbound);
    this.child.follow(transport, this.log, (pgid) => {
      this.pgid = pgid;
    });
    return transport;
  }

  private createClient(): Client {
    const protocol = this.model.protocol;
    const client = new Client(
      { name: 'gatehouse', version: '0.1.0' },
      {
        capabilities: { elicitation: { form: {}, url: {} }, sampling: {}, roots: { listChanged: true } },
        versionNegotiation: { mode: protocol === '2026-07-28' ? { pin: protocol } : protocol },
        // No `listChanged` here: the SDK would open a 2026-07-28 listen stream inside connect()
        // and wait on it; the change feed (@gatehouse/client-edge) listens once the upstream is ready.
        inputRequired: { autoFulfill: false },
      },
    );
    const relay = (method: ServerRequestMethod) => (request: { params?: Record<string, unknown> }) =>
      this.relayServerRequest(method, request.params ?? {});
    client.setRequestHandler('elicitation/create', relay('elicitation/create') as never);
    client.setRequestHandler('sampling/createMessage', relay('sampling/createMessage') as never);
    client.setRequestHandler('roots/list', relay('roots/list') as never);
    client.setNotificationHandler('notifications/message', (n) => this.relayLog(n.params));
    client.setNotificationHandler('notifications/resources/updated', (n) =>
      this.hooks.onResourceUpdated(this, n.params.uri),
    );
    return client;
  }

  /**
   * A server→client request belongs to the call that caused it. The protocol does not say which
   * one, so it goes to the single call in flight; with several in flight it is refused rather
   * than risk asking the wrong user.
   */
  private relayServerRequest(
    method: ServerRequestMethod,
    params: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const calls = [...this.inFlight];
    if (calls.length === 1 && calls[0]) return calls[0].request(method, params);
    const reason = calls.length === 0 ? 'no call is in flight' : `${calls.length} calls are in flight`;
    this.log.warn({ method }, `cannot attribute ${method} from upstream: ${reason}`);
    return Promise.reject(wireError('InvalidRequest', `gatehouse cannot relay ${method}: ${reason}`));
  }

  private relayLog(params: LoggingMessageNotificationParams): void {
    const calls = [...this.inFlight];
    if (calls.length === 1 && calls[0]) calls[0].log(params);
    else
      this.log.info(
        { level: params.level, logger: params.logger, data: params.data },
        'upstream log message',
      );
  }

  /** The upstream announced that a list changed: re-list it and tell the catalog. */
  private async relist(client: Client, kind: ListKind): Promise<void> {
    if (client !== this.client) return;
    await this.refresh(client, kind);
    if (client === this.client) this.hooks.onCatalog(this, kind);
  }

  private async refreshAll(client: Client): Promise<void> {
    this.snapshot = EMPTY;
    await Promise.all([
      this.refresh(client, 'tools'),
      this.refresh(client, 'prompts'),
      this.refresh(client, 'resources'),
    ]);
  }

  private async refresh(client: Client, kind: ListKind): Promise<void> {
    // Await before spreading: `{ ...this.snapshot, x: await … }` would spread a stale snapshot.
    const listed = await listKind(client, kind, this.handshakeTimeout);
    this.snapshot = { ...this.snapshot, ...listed };
  }

  private onClientClosed(client: Client): void {
    if (client !== this.client || this.state === 'stopped') return;
    this.lastError = this.child.closed();
    this.log.warn('upstream connection closed; restarting');
    this.client = null;
    this.feed?.close();
    this.feed = null;
    this.snapshot = EMPTY;
    // Not ready while the old process group is reaped (up to its grace period) before the restart.
    this.setState('backoff');
    this.hooks.onCatalog(this);
    void this.reapChildren().then(() => {
      this.restarts++;
      this.hooks.onSignal(this, { kind: 'restart' });
      this.scheduleRestart();
    });
  }

  private scheduleRestart(): void {
    if (this.state === 'stopped') return;
    const max = this.model.transport === 'stdio' ? this.model.restart.maxRestarts : null;
    if (max !== null && this.attempt >= max) {
      this.setState('failed');
      return;
    }
    const { initialDelayMs, maxDelayMs } =
      this.model.transport === 'stdio' ? this.model.restart : { initialDelayMs: 500, maxDelayMs: 30_000 };
    const delay = backoffDelay(this.attempt++, initialDelayMs, maxDelayMs);
    this.setState('backoff');
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.state === 'backoff') void this.connect();
    }, delay);
  }

  private async teardown(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.feed?.close();
    this.feed = null;
    if (client) {
      client.onclose = undefined;
      await closeClient(client, this.log);
    }
    await this.reapChildren();
  }

  private async reapChildren(): Promise<void> {
    const pgid = this.pgid;
    this.pgid = null;
    if (pgid !== null) await reapGroup(pgid);
  }
}
