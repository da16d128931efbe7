/**
 * The gateway core, transport-free: upstreams, the merged catalog, the pipeline, and the fan-out
 * of changes to connected clients. Transports (HTTP, stdio) only translate wire ⇄ this object.
 * A reload swaps upstreams, policy and limits in place; requests already running finish on the
 * pipeline they started on.
 */
import { randomBytes } from 'node:crypto';
import { HybridRanking, openAiCompatibleEmbedder } from '@gatehouse/tool-search';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { Access } from './access.ts';
import { policyVersion } from './approvals/approval-call.ts';
import { pendingCountReader } from './approvals/pending-count.ts';
import { Catalog } from './catalog/catalog.ts';
import type { GatewayModel } from './config/model.ts';
import type { EmbeddingsModel } from './config/model-search.ts';
import { ChangeFanout, type SeenBy } from './downstream/fanout.ts';
import { createRequestStateSealer, type RequestStateSealer } from './downstream/request-state.ts';
import {
  createDownstreamServer,
  type GatewayMcpServer,
  type ServerOrigin,
} from './downstream/server-factory.ts';
import { ResourceSubscriptions } from './downstream/subscriptions.ts';
import { buildPipeline } from './gateway-pipeline.ts';
import { planUpstreams, restartOnlyChanges } from './lifecycle/reload-plan.ts';
import { type DrainReport, InFlightRequests } from './lifecycle/requests.ts';
import { RateLimits } from './limits/rate-limits.ts';
import type { Logger } from './observability/logger.ts';
import { GatewayMetrics } from './observability/metrics.ts';
import { Tracing } from './observability/tracing.ts';
import { openPinStore } from './pins/open-store.ts';
import { ToolPinning } from './pins/pinning.ts';
import type { GatewayRequest } from './pipeline/context.ts';
import type { Pipeline } from './pipeline/outcome.ts';
import { CatalogView } from './policy/catalog-view.ts';
import { SuspendedCalls } from './relay/suspendable-call.ts';
import type { ContinuationStore } from './shaping/continuations.ts';
import { openContinuations } from './storage/continuations-pg.ts';
import { TaskIdCodec } from './tasks/task-ids.ts';
import { upstreamOffersTasks } from './tasks/task-relay.ts';
import { type ListKind, Upstream, type UpstreamHooks, type UpstreamSignal } from './upstream/upstream.ts';

export interface GatewayOptions {
  /**
   * HMAC key for multi-round-trip requestState and task ids; replicas that share clients must
   * share it.
   */
  stateKey?: Uint8Array;
  /** How often to look for pin approvals made by another process or replica (default 1000 ms). */
  pinPollMs?: number;
  /** Where spans go when tracing is on (tests collect them); default: OTLP when configured. */
  spanExporter?: SpanExporter;
}

export type ReloadResult = { ok: true; summary: string } | { ok: false; error: string };

export interface Readiness {
  ready: boolean;
  checks: { config: boolean; audit: boolean; sharedState: boolean; upstreams: boolean };
  upstreams: {
    name: string;
    state: string;
    required: boolean;
    breaker: string;
    era?: string;
    error: string | null;
  }[];
}

export class Gateway {
  model: GatewayModel;
  upstreams: Upstream[];
  readonly catalog: Catalog;
  readonly fanout: ChangeFanout;
  readonly subscriptions = new ResourceSubscriptions();
  readonly suspended = new SuspendedCalls();
  /** Result pages held back by shaping token budgets (kept across reloads; shared with storage.postgres). */
  readonly continuations: ContinuationStore;
  pipeline!: Pipeline<GatewayRequest>;
  view!: CatalogView;
  readonly access: Access;
  readonly metrics: GatewayMetrics | null;
  readonly tracing: Tracing | null;
  readonly requests = new InFlightRequests();
  /** Tool-definition pinning; null when no upstream pins its tools. */
  readonly pins: ToolPinning | null;
  /** Seals the requestState of multi-round-trip answers (any driver may encode one). */
  readonly requestStates: RequestStateSealer;
  private readonly taskIds: TaskIdCodec;
  private readonly hooks: UpstreamHooks;
  private readonly log: Logger;
  /** The embedding ranking of `toolSearch.embeddings` (kept, with its vectors, across reloads). */
  private ranking: { config: string; ranking: HybridRanking } | null = null;

  constructor(model: GatewayModel, log: Logger, access: Access, options: GatewayOptions = {}) {
    this.model = model;
    this.log = log;
    this.access = access;
    this.continuations = openContinuations(access.shared, (error) =>
      log.warn({ err: error instanceof Error ? error.message : String(error) }, 'shared continuation store'),
    );
    this.fanout = new ChangeFanout(log);
    this.metrics = model.observability.metrics.enabled ? new GatewayMetrics() : null;
    this.tracing = model.observability.tracing.enabled
      ? new Tracing(model.observability.tracing, options.spanExporter)
      : null;
    this.hooks = {
      // An upstream's announcement is passed on even when the merged catalog looks the same to
      // the gateway — except an announcement of tools from an upstream under pinning: there the
      // pins decide what is served, and a change they hold back changes no one's list.
      onCatalog: (u, announced) =>
        this.rebuildAndTell(
          announced === undefined || (announced === 'tools' && u.model.pinning.enabled) ? [] : [announced],
        ),
      onResourceUpdated: (_u, uri) => this.fanout.resourceUpdated(uri, this.subscriptions.sessionsFor(uri)),
      onStateChange: (u, state) => log.info({ upstream: u.name, state }, 'upstream state'),
      onSignal: (u, signal) => this.onUpstreamSignal(u, signal),
    };
    this.upstreams = model.upstreams.map((m) => new Upstream(m, this.hooks, log));
    const pins = model.upstreams.some((u) => u.pinning.enabled)
      ? new ToolPinning({
          store: openPinStore(model, access.shared),
          audit: access.audit,
          log,
          ...(options.pinPollMs === undefined ? {} : { pollMs: options.pinPollMs }),
        })
      : null;
    this.pins = pins;
    this.catalog = new Catalog(
      this.upstreams,
      model.server.maxNameLength,
      log,
      pins === null ? undefined : (upstream, tools) => pins.admit(upstream, tools),
    );
    // Replicas share the key (storage.postgres), so any of them reads what another sealed.
    const stateKey = options.stateKey ?? access.stateKey ?? randomBytes(32);
    this.taskIds = new TaskIdCodec(stateKey);
    this.requestStates = createRequestStateSealer(stateKey);
    this.rebuildPipeline();
    this.metrics?.observe({
      upstreams: () =>
        this.upstreams.map((u) => ({
          name: u.name,
          up: u.state === 'ready',
          breaker: u.resilience.breakerState,
          ...u.resilience.load,
        })),
      auditQueueDepth: () => access.audit?.queueDepth ?? 0,
      pendingApprovals: pendingCountReader(() => access.approvals),
      inFlight: () => this.requests.size,
      rateLimitRedis: () => {
        const state = access.limits?.sharedState ?? null;
        return state === null ? null : { state, failovers: access.limits?.failovers ?? 0 };
      },
    });
  }

  /** The pipeline and the caller's view of the catalog, from the current model. */
  private rebuildPipeline(): void {
    const model = this.model;
    this.view = new CatalogView(this.catalog, model.policy, model.toolSearch, this.embeddingRanking());
    this.pipeline = buildPipeline({
      catalog: this.catalog,
      view: this.view,
      policy: model.policy,
      audit: this.access.audit,
      limits: this.access.limits,
      shaping: model.upstreams.some((u) => u.shaping.length > 0) ? this.continuations : null,
      approvals: {
        config: model.approvals,
        store: this.access.approvals,
        redact: this.access.redact,
        log: this.log,
        policyVersion: policyVersion(model.policy, model.approvals),
      },
      subscriptions: this.subscriptions,
      suspended: this.suspended,
      taskIds: this.taskIds,
      pageSize: model.server.pageSize,
      log: this.log,
      metrics: this.metrics,
      tracing: this.tracing,
      requests: this.requests,
      searchMode: Object.keys(model.toolSearch.roles).length > 0,
    });
  }

  /** The ranking for the configured embedding model; the same one while its settings stay. */
  private embeddingRanking(): HybridRanking | null {
    const embeddings = this.model.toolSearch.embeddings;
    if (embeddings === null) {
      this.ranking = null;
      return null;
    }
    const config = JSON.stringify(embeddings);
    if (this.ranking?.config !== config)
      this.ranking = { config, ranking: hybridRanking(embeddings, this.log) };
    return this.ranking.ranking;
  }

  private onUpstreamSignal(u: Upstream, signal: UpstreamSignal): void {
    const m = this.metrics;
    const upstream = u.name;
    switch (signal.kind) {
      case 'breaker':
        m?.breakerTransitions.inc({ upstream, state: signal.state });
        this.log.warn({ upstream, breaker: signal.state }, 'circuit breaker');
        return;
      case 'retry':
        m?.retries.inc({ upstream });
        this.log.debug(
          { upstream, attempt: signal.attempt, delayMs: signal.delayMs },
          'retrying upstream call',
        );
        return;
      case 'timeout':
        m?.timeouts.inc({ upstream, kind: signal.which });
        return;
      case 'rejected':
        m?.rejections.inc({ upstream });
        return;
      case 'restart':
        m?.restarts.inc({ upstream });
        return;
      case 'evicted':
        m?.evictions.inc({ upstream });
        return;
    }
  }

  start(): void {
    // Approvals made elsewhere (the CLI) re-admit every upstream's tools and tell clients.
    this.pins?.start(() => this.rebuildAndTell());
    for (const upstream of this.upstreams) upstream.start();
  }

  /**
   * Rebuilds the catalog and tells each client whose lists it changed — a session whose caller is
   * known only when what that caller sees changed. `announced` kinds an upstream announced
   * without a change the gateway can see go to every client.
   */
  private rebuildAndTell(announced: readonly ListKind[] = []): void {
    const seen: SeenBy = (principal, kind) => this.view.fingerprint(principal, kind);
    const before = this.fanout.seenNow(seen);
    const changed = this.catalog.rebuild();
    const passedOn = announced.filter((kind) => !changed.includes(kind));
    this.fanout.listChanged([...changed, ...passedOn], { seen, before, announced: passedOn });
  }

  /** Resolves once every upstream has finished its first connection attempt, or after `timeoutMs`. */
  async settled(timeoutMs = 30_000, upstreams: readonly Upstream[] = this.upstreams): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && upstreams.some((u) => u.state === 'idle' || u.state === 'connecting')) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** A downstream SDK server whose handlers run this gateway's (current) pipeline. */
  createServer(origin: ServerOrigin): GatewayMcpServer {
    return createDownstreamServer(
      {
        pipeline: (req) => this.pipeline(req),
        shutdown: this.requests.shutdown,
        listTtlMs: this.model.server.listTtlMs,
        toolInputSchema: (name) => this.catalog.tool(name)?.item.inputSchema,
        offersTasks: () => this.upstreams.some(upstreamOffersTasks),
      },
      origin,
      this.requestStates,
    );
  }

  /**
   * Ready when the configuration is loaded (it is, once constructed), the audit store took its
   * last batch, and every upstream marked `required` is serving. Other upstreams being down
   * degrade the catalog, not readiness.
   */
  readiness(): Readiness {
    const upstreams = this.upstreams.map((u) => ({
      name: u.name,
      state: u.state,
      required: u.model.required,
      breaker: u.resilience.breakerState,
      ...(u.era ? { era: u.era } : {}),
      error: u.lastError,
    }));
    const checks = {
      config: true,
      audit: this.access.audit?.writable ?? true,
      // The shared state (storage.postgres) answers: keys, approvals, pins, sessions live there.
      sharedState: this.access.shared?.health.reachable ?? true,
      // Every upstream has had its first try (a fresh replica never serves a half-built catalog),
      // and every required one is serving.
      upstreams:
        this.upstreams.every((u) => u.settledOnce) &&
        upstreams.every((u) => !u.required || u.state === 'ready'),
    };
    return {
      ready: checks.config && checks.audit && checks.sharedState && checks.upstreams,
      checks,
      upstreams,
    };
  }

  /**
   * Swaps in a new configuration without dropping connections: unchanged upstreams keep their
   * connection, new or changed ones connect before they replace the old, removed ones are retired
   * once their calls finish; policy, approvals and rate limits apply to the next request.
   */
  async reload(next: GatewayModel): Promise<ReloadResult> {
    const restart = restartOnlyChanges(this.model, next);
    if (restart.length > 0) {
      return { ok: false, error: `these settings need a restart, not a reload: ${restart.join(', ')}` };
    }
    if (this.pins === null && next.upstreams.some((u) => u.pinning.enabled)) {
      return { ok: false, error: 'turning tool pinning on needs a restart, not a reload' };
    }
    const plan = planUpstreams(this.model.upstreams, next.upstreams);
    const started = plan.start.map((m) => new Upstream(m, this.hooks, this.log));
    for (const u of started) u.start();
    await this.settled(10_000, started);
    const retired = this.upstreams.filter((u) => plan.retire.includes(u.name));
    const byName = new Map([...this.upstreams, ...started].map((u) => [u.name, u]));
    // A replaced upstream's new connection wins over the old one of the same name.
    for (const u of started) byName.set(u.name, u);
    this.upstreams = next.upstreams.map((m) => byName.get(m.name) as Upstream);
    const limitsChanged = JSON.stringify(this.model.rateLimits) !== JSON.stringify(next.rateLimits);
    const oldLimits = this.access.limits;
    if (limitsChanged) this.access.limits = RateLimits.create(next.rateLimits, this.log);
    this.model = next;
    this.log.level = next.logging.level;
    this.catalog.setUpstreams(this.upstreams);
    this.rebuildPipeline();
    this.catalog.rebuild();
    // Policy may have changed what each caller sees even where the catalog did not change.
    this.fanout.listChanged(['tools', 'prompts', 'resources']);
    void Promise.all(retired.map((u) => this.retire(u)));
    if (limitsChanged) void oldLimits?.close();
    const summary = `kept ${plan.keep.length}, started ${started.length}, retired ${retired.length} upstream(s)`;
    this.log.info(
      { kept: plan.keep, started: plan.start.map((u) => u.name), retired: plan.retire },
      'config reloaded',
    );
    return { ok: true, summary };
  }

  /** Stops an upstream that left the configuration once its calls in flight have finished. */
  private async retire(upstream: Upstream): Promise<void> {
    const deadline = Date.now() + this.model.server.drainTimeoutMs;
    while (upstream.resilience.load.active > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await upstream.stop();
  }

  /** Lets in-flight requests finish up to `deadlineMs`, then cancels the rest (SIGTERM). */
  drain(deadlineMs = this.model.server.drainTimeoutMs): Promise<DrainReport> {
    return this.requests.drain(deadlineMs);
  }

  async stop(): Promise<void> {
    this.suspended.closeAll();
    await Promise.all(this.upstreams.map((u) => u.stop()));
    await this.pins?.close();
    await this.access.close();
    await this.tracing?.shutdown();
    this.log.info('gateway stopped');
  }
}

/** How often a failing embedding model is logged, at most (searches go on by words alone). */
const EMBEDDING_WARNING_INTERVAL_MS = 60_000;

/** The embedding ranking for `toolSearch.embeddings`, with its key read from the environment now. */
function hybridRanking(embeddings: EmbeddingsModel, log: Logger): HybridRanking {
  const apiKey = embeddings.apiKeyEnv === null ? undefined : process.env[embeddings.apiKeyEnv];
  if (embeddings.apiKeyEnv !== null && !apiKey)
    log.warn({ variable: embeddings.apiKeyEnv }, 'toolSearch.embeddings: the API key variable is not set');
  let warnedAt = Number.NEGATIVE_INFINITY;
  return new HybridRanking({
    embedder: openAiCompatibleEmbedder({ baseUrl: embeddings.baseUrl, model: embeddings.model, apiKey }),
    weight: embeddings.weight,
    onFailure: (error) => {
      if (Date.now() - warnedAt < EMBEDDING_WARNING_INTERVAL_MS) return;
      warnedAt = Date.now();
      const reason = error instanceof Error ? error.message : String(error);
      log.warn(
        { model: embeddings.model, err: reason },
        'embedding model failed; searching tools by words alone',
      );
    },
  });
}
