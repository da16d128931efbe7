/**
 * Prometheus metrics, one registry per gateway (tests run several in one process). Counters and
 * histograms are updated where things happen; gauges that mirror state (upstream up, breaker,
 * bulkhead, audit queue, sessions) are read at scrape time from the sources passed in.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export type { OutcomeLabel as RequestOutcome } from '../errors/registry.ts';

export interface UpstreamGaugeSource {
  name: string;
  up: boolean;
  breaker: 'closed' | 'open' | 'half-open';
  active: number;
  queued: number;
}

/** Where scrape-time gauges read from; each is optional so parts can be wired as they exist. */
export interface GaugeSources {
  upstreams?: () => UpstreamGaugeSource[];
  auditQueueDepth?: () => number;
  /** A query (PostgreSQL with replicas): the reader bounds how long a scrape waits for it. */
  pendingApprovals?: () => number | Promise<number>;
  sessions?: () => number;
  inFlight?: () => number;
  /** Shared rate limits: counting in Redis or failed over to this replica; null without Redis. */
  rateLimitRedis?: () => { state: 'redis' | 'local'; failovers: number } | null;
}

/** Request duration buckets, in seconds (shared by the request histograms). */
export const DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

const BREAKER_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

export class GatewayMetrics {
  readonly registry = new Registry();
  private sources: GaugeSources = {};
  readonly requests: Counter<'method' | 'tool' | 'upstream' | 'outcome'>;
  readonly duration: Histogram<'method' | 'tool' | 'upstream' | 'outcome'>;
  /** The same requests by the caller's role (a caller with two roles counts under each). */
  readonly roleDuration: Histogram<'role' | 'outcome'>;
  readonly retries: Counter<'upstream'>;
  readonly timeouts: Counter<'upstream' | 'kind'>;
  readonly rejections: Counter<'upstream'>;
  readonly breakerTransitions: Counter<'upstream' | 'state'>;
  readonly restarts: Counter<'upstream'>;
  readonly evictions: Counter<'upstream'>;
  readonly rateLimitHits: Counter<'rule'>;
  readonly approvals: Counter<'outcome'>;
  readonly reloads: Counter<'result'>;

  constructor(options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.processMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: 'gatehouse_' });
    const labels = ['method', 'tool', 'upstream', 'outcome'] as const;
    this.requests = new Counter({
      name: 'gatehouse_requests_total',
      help: 'MCP requests handled, by method, tool (or prompt), upstream and outcome.',
      labelNames: labels,
      registers,
    });
    this.duration = new Histogram({
      name: 'gatehouse_request_duration_seconds',
      help: 'Time from arrival to answer, by method, tool (or prompt), upstream and outcome.',
      labelNames: labels,
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.roleDuration = new Histogram({
      name: 'gatehouse_role_request_duration_seconds',
      help: 'Time from arrival to answer, by the caller\'s role ("" without one; a caller with two roles counts under each) and outcome.',
      labelNames: ['role', 'outcome'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new Counter<L>({ name, help, labelNames, registers });
    this.retries = counter('gatehouse_upstream_retries_total', 'Retried upstream attempts.', ['upstream']);
    this.timeouts = counter(
      'gatehouse_upstream_timeouts_total',
      'Upstream calls that ran out of time (kind: attempt or deadline).',
      ['upstream', 'kind'],
    );
    this.rejections = counter(
      'gatehouse_bulkhead_rejections_total',
      'Calls refused because the bulkhead and its queue were full.',
      ['upstream'],
    );
    this.breakerTransitions = counter(
      'gatehouse_breaker_transitions_total',
      'Circuit-breaker state changes, by the state entered.',
      ['upstream', 'state'],
    );
    this.restarts = counter(
      'gatehouse_upstream_restarts_total',
      'Upstream reconnections after a crash, a closed connection or an eviction (stdio: process restarts).',
      ['upstream'],
    );
    this.evictions = counter(
      'gatehouse_upstream_evictions_total',
      'Upstreams taken out after failed health probes.',
      ['upstream'],
    );
    this.rateLimitHits = counter('gatehouse_rate_limit_hits_total', 'Calls refused by a rate limit.', [
      'rule',
    ]);
    this.approvals = counter(
      'gatehouse_approvals_total',
      'Calls that needed approval, by outcome: queued, approved, replayed (an idempotent repeat of an approved call), denied.',
      ['outcome'],
    );
    this.reloads = counter('gatehouse_config_reloads_total', 'Configuration reloads, by result.', ['result']);
    this.scrapeGauges();
    this.rateLimitGauges();
  }

  /** Connects the scrape-time gauges to their sources (replaces earlier ones). */
  observe(sources: GaugeSources): void {
    this.sources = { ...this.sources, ...sources };
  }

  private scrapeGauges(): void {
    const registers = [this.registry];
    const upstreams = () => this.sources.upstreams?.() ?? [];
    new Gauge({
      name: 'gatehouse_upstream_up',
      help: '1 when the upstream is connected and admitted to the catalog.',
      labelNames: ['upstream'],
      registers,
      collect() {
        this.reset();
        for (const u of upstreams()) this.set({ upstream: u.name }, u.up ? 1 : 0);
      },
    });
    new Gauge({
      name: 'gatehouse_breaker_state',
      help: 'Circuit breaker per upstream: 0 closed, 1 half-open, 2 open.',
      labelNames: ['upstream'],
      registers,
      collect() {
        this.reset();
        for (const u of upstreams()) this.set({ upstream: u.name }, BREAKER_VALUE[u.breaker]);
      },
    });
    new Gauge({
      name: 'gatehouse_bulkhead_active',
      help: 'Calls running against each upstream.',
      labelNames: ['upstream'],
      registers,
      collect() {
        this.reset();
        for (const u of upstreams()) this.set({ upstream: u.name }, u.active);
      },
    });
    new Gauge({
      name: 'gatehouse_bulkhead_queue_depth',
      help: 'Calls waiting for a bulkhead slot, per upstream.',
      labelNames: ['upstream'],
      registers,
      collect() {
        this.reset();
        for (const u of upstreams()) this.set({ upstream: u.name }, u.queued);
      },
    });
    const single = (
      name: string,
      help: string,
      read: () => number | undefined | Promise<number | undefined>,
    ) =>
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          this.set((await read()) ?? 0);
        },
      });
    single('gatehouse_audit_queue_depth', 'Audit records accepted and not yet committed.', () =>
      this.sources.auditQueueDepth?.(),
    );
    single('gatehouse_approvals_pending', 'Approval requests waiting for a decision.', () =>
      this.sources.pendingApprovals?.(),
    );
    single('gatehouse_sessions', 'Open 2025-era sessions.', () => this.sources.sessions?.());
    single('gatehouse_requests_in_flight', 'MCP requests being handled right now.', () =>
      this.sources.inFlight?.(),
    );
  }

  /** Reported only when rate limits are shared through Redis. */
  private rateLimitGauges(): void {
    const registers = [this.registry];
    const read = () => this.sources.rateLimitRedis?.() ?? null;
    new Gauge({
      name: 'gatehouse_rate_limit_redis_up',
      help: 'Rate limits: 1 while counting in the shared Redis, 0 while failed over to this replica.',
      registers,
      collect() {
        this.reset();
        const redis = read();
        if (redis !== null) this.set(redis.state === 'redis' ? 1 : 0);
      },
    });
    new Counter({
      name: 'gatehouse_rate_limit_failovers_total',
      help: 'Rate limits: times this replica failed over from Redis to counting on its own.',
      registers,
      collect() {
        this.reset();
        const redis = read();
        if (redis !== null) this.inc(redis.failovers);
      },
    });
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
