/**
 * The gateway core, transport-free: upstreams, the merged catalog, the pipeline, and the fan-out
 * of changes to connected clients. Transports (HTTP, stdio) only translate wire ⇄ this object.
 */
import { randomBytes } from 'node:crypto';
import type { McpServer, RequestStateCodec } from '@modelcontextprotocol/server';
import type { Access } from './access.ts';
import { Catalog } from './catalog/catalog.ts';
import type { GatewayModel } from './config/model.ts';
import { ChangeFanout } from './downstream/fanout.ts';
import { createCodec, createDownstreamServer, type ServerOrigin } from './downstream/server-factory.ts';
import { ResourceSubscriptions } from './downstream/subscriptions.ts';
import type { Logger } from './observability/logger.ts';
import { ToolPinning } from './pins/pinning.ts';
import { PinStore } from './pins/store.ts';
import { buildPipeline, type Pipeline } from './pipeline/stages.ts';
import { CatalogView } from './policy/catalog-view.ts';
import { SuspendedCalls } from './relay/suspendable-call.ts';
import { TaskIdCodec } from './tasks/task-ids.ts';
import { upstreamOffersTasks } from './tasks/task-relay.ts';
import { Upstream, type UpstreamHooks } from './upstream/upstream.ts';

export interface GatewayOptions {
  /**
   * HMAC key for multi-round-trip requestState and task ids; replicas that share clients must
   * share it.
   */
  stateKey?: Uint8Array;
  /** How often to look for pin approvals made by another process (default 2000 ms). */
  pinPollMs?: number;
}

export class Gateway {
  readonly model: GatewayModel;
  readonly upstreams: Upstream[];
  readonly catalog: Catalog;
  readonly fanout: ChangeFanout;
  readonly subscriptions = new ResourceSubscriptions();
  readonly suspended = new SuspendedCalls();
  readonly pipeline: Pipeline;
  readonly view: CatalogView;
  readonly access: Access;
  /** Tool-definition pinning; null when no upstream pins its tools. */
  readonly pins: ToolPinning | null;
  private readonly codec: RequestStateCodec;
  private readonly log: Logger;

  constructor(model: GatewayModel, log: Logger, access: Access, options: GatewayOptions = {}) {
    this.model = model;
    this.log = log;
    this.access = access;
    this.fanout = new ChangeFanout(log);
    const hooks: UpstreamHooks = {
      // An upstream's announcement is passed on even when the merged catalog looks the same to
      // the gateway: the upstream may show callers lists the gateway's own view does not reveal.
      onCatalog: (_u, announced) => {
        const changed = this.catalog.rebuild();
        this.fanout.listChanged(
          announced && !changed.includes(announced) ? [...changed, announced] : changed,
        );
      },
      onResourceUpdated: (_u, uri) => this.fanout.resourceUpdated(uri, this.subscriptions.sessionsFor(uri)),
      onStateChange: (u, state) => log.info({ upstream: u.name, state }, 'upstream state'),
    };
    this.upstreams = model.upstreams.map((m) => new Upstream(m, hooks, log));
    const pins = model.upstreams.some((u) => u.pinning.enabled)
      ? new ToolPinning({
          store: new PinStore(model.storage.path),
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
    const stateKey = options.stateKey ?? randomBytes(32);
    this.view = new CatalogView(this.catalog, model.policy);
    this.pipeline = buildPipeline({
      catalog: this.catalog,
      view: this.view,
      policy: model.policy,
      audit: access.audit,
      limits: access.limits,
      approvals: { config: model.approvals, store: access.approvals, redact: access.redact, log },
      subscriptions: this.subscriptions,
      suspended: this.suspended,
      taskIds: new TaskIdCodec(stateKey),
      pageSize: model.server.pageSize,
      log,
    });
    this.codec = createCodec(stateKey);
  }

  start(): void {
    // Approvals made elsewhere (the CLI) re-admit every upstream's tools and tell clients.
    this.pins?.start(() => this.fanout.listChanged(this.catalog.rebuild()));
    for (const upstream of this.upstreams) upstream.start();
  }

  /** Resolves once every upstream has finished its first connection attempt, or after `timeoutMs`. */
  async settled(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (
      Date.now() < deadline &&
      this.upstreams.some((u) => u.state === 'idle' || u.state === 'connecting')
    ) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** A downstream SDK server whose handlers run this gateway's pipeline. */
  createServer(origin: ServerOrigin): McpServer {
    return createDownstreamServer(
      {
        pipeline: this.pipeline,
        listTtlMs: this.model.server.listTtlMs,
        toolInputSchema: (name) => this.catalog.tool(name)?.item.inputSchema,
        offersTasks: () => this.upstreams.some(upstreamOffersTasks),
      },
      origin,
      this.codec,
    );
  }

  health(): {
    ready: boolean;
    upstreams: { name: string; state: string; era?: string; error: string | null }[];
  } {
    const upstreams = this.upstreams.map((u) => ({
      name: u.name,
      state: u.state,
      ...(u.era ? { era: u.era } : {}),
      error: u.lastError,
    }));
    return { ready: this.upstreams.every((u) => u.state === 'ready'), upstreams };
  }

  async stop(): Promise<void> {
    this.suspended.closeAll();
    await Promise.all(this.upstreams.map((u) => u.stop()));
    await this.pins?.close();
    await this.access.close();
    this.log.info('gateway stopped');
  }
}
