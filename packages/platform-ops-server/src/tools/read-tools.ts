/**
 * The read-only platform-ops tools: one service's health (status, the metrics that matter, SLO
 * breaches, alerts, the latest deploy), runbook search, and the recent deploy log. Outputs are
 * shaped for a model: a handful of named fields, percentages instead of fractions, short SHAs.
 */
import { defineTool, ToolError } from '@gatehouse/kit';
import * as z from 'zod';
import type { Deploy, Health, PlatformApi } from '../connectors/platform-api.ts';
import {
  isStatus,
  minutesBetween,
  platformFailure,
  SERVICE_NAME,
  type ServiceDirectory,
  unknownService,
} from './shared.ts';

export interface ToolDeps {
  api: PlatformApi;
  directory: ServiceDirectory;
  now: () => number;
}

const serviceArg = z
  .string()
  .min(1)
  .max(100)
  .describe('Service name from the catalog, e.g. "checkout-api" (see the service://catalog resources)');

export const DeployOutput = z.object({
  id: z.string(),
  service: z.string(),
  version: z.string(),
  commit: z.string().describe('First 12 characters of the commit SHA'),
  author: z.string(),
  status: z.enum(['succeeded', 'failed', 'rolled_back']),
  startedAt: z.string(),
  minutesAgo: z.number(),
  summary: z.string(),
  rollbackOf: z.string().nullable(),
});

export function shapeDeploy(deploy: Deploy, now: number): z.infer<typeof DeployOutput> {
  return {
    id: deploy.id,
    service: deploy.service,
    version: deploy.version,
    commit: deploy.commit_sha.slice(0, 12),
    author: deploy.author,
    status: deploy.status,
    startedAt: deploy.started_at,
    minutesAgo: minutesBetween(deploy.started_at, now),
    summary: deploy.summary,
    rollbackOf: deploy.rollback_of,
  };
}

/** A burn rate above this pages (it spends 2% of a 30-day budget in one hour). */
export const FAST_BURN_RATE = 14.4;

/** Current error rate over the rate the availability target allows. */
export function errorBudgetBurnRate(errorRate: number, availabilityTargetPct: number): number {
  const allowed = 1 - availabilityTargetPct / 100;
  return allowed <= 0 ? 0 : Number((errorRate / allowed).toFixed(1));
}

export const HealthOutput = z.object({
  service: z.string(),
  status: z.enum(['healthy', 'degraded', 'down', 'recovering']),
  team: z.string(),
  tier: z.number(),
  observedAt: z.string(),
  metrics: z.object({
    errorRatePct: z.number(),
    errorBudgetBurnRate: z
      .number()
      .describe(
        'How many times faster than the SLO allows the error budget is being spent right now (1 = on budget)',
      ),
    latencyP50Ms: z.number(),
    latencyP99Ms: z.number(),
    saturationPct: z.number(),
    requestsPerSecond: z.number(),
  }),
  sloBreaches: z.array(z.string()).describe('Targets the service misses right now'),
  activeAlerts: z.array(
    z.object({ name: z.string(), severity: z.string(), since: z.string(), summary: z.string() }),
  ),
  lastIncident: z
    .object({
      id: z.string(),
      title: z.string(),
      severity: z.string(),
      status: z.string(),
      startedAt: z.string(),
    })
    .nullable(),
  recentDeploy: DeployOutput.nullable().describe('The latest deploy of this service'),
  recoveringUntil: z.string().nullable(),
});

export function shapeHealth(
  health: Health,
  entry: {
    team: string;
    tier: number;
    slo: { availability_target_pct: number; latency_p99_target_ms: number };
  },
  latest: Deploy | undefined,
  now: number,
): z.infer<typeof HealthOutput> {
  const m = health.metrics;
  const burnRate = errorBudgetBurnRate(m.error_rate, entry.slo.availability_target_pct);
  const breaches: string[] = [];
  if (burnRate > FAST_BURN_RATE)
    breaches.push(
      `error budget burning ${burnRate}x (availability target ${entry.slo.availability_target_pct}%, fast-burn threshold ${FAST_BURN_RATE}x)`,
    );
  if (m.latency_p99_ms > entry.slo.latency_p99_target_ms)
    breaches.push(`p99 latency ${m.latency_p99_ms} ms > ${entry.slo.latency_p99_target_ms} ms target`);
  return {
    service: health.service,
    status: health.status,
    team: entry.team,
    tier: entry.tier,
    observedAt: health.observed_at,
    metrics: {
      errorRatePct: Number((m.error_rate * 100).toFixed(2)),
      errorBudgetBurnRate: burnRate,
      latencyP50Ms: m.latency_p50_ms,
      latencyP99Ms: m.latency_p99_ms,
      saturationPct: Math.round(m.saturation * 100),
      requestsPerSecond: m.requests_per_second,
    },
    sloBreaches: breaches,
    activeAlerts: health.active_alerts.map((a) => ({
      name: a.name,
      severity: a.severity,
      since: a.started_at,
      summary: a.summary,
    })),
    lastIncident: health.last_incident
      ? {
          id: health.last_incident.id,
          title: health.last_incident.title,
          severity: health.last_incident.severity,
          status: health.last_incident.status,
          startedAt: health.last_incident.started_at,
        }
      : null,
    recentDeploy: latest ? shapeDeploy(latest, now) : null,
    recoveringUntil: health.recovering_until,
  };
}

/** Health, catalog entry and latest deploy of one service, fetched together. */
export async function serviceHealth(deps: ToolDeps, service: string, signal?: AbortSignal) {
  if (!SERVICE_NAME.test(service)) throw await unknownService(deps.directory, service, signal);
  try {
    const [health, entry, deploys] = await Promise.all([
      deps.api.getHealth(service, signal),
      deps.api.getService(service, signal),
      deps.api.listDeploys({ service, limit: 1 }, signal),
    ]);
    return shapeHealth(health, entry, deploys.data[0], deps.now());
  } catch (error) {
    if (isStatus(error, 404)) throw await unknownService(deps.directory, service, signal);
    throw platformFailure(error);
  }
}

export function readTools(deps: ToolDeps) {
  const getServiceHealth = defineTool({
    name: 'get_service_health',
    title: 'Service health',
    description:
      'Current health of one production service: status (healthy, degraded, down, recovering), error rate, p50/p99 latency, saturation, which SLO targets it misses, active alerts, the last incident and its latest deploy. Use it first when someone reports a problem with a service.',
    input: z.object({ service: serviceArg }),
    output: HealthOutput,
    annotations: { readOnlyHint: true, openWorldHint: true },
    handler: ({ service }, ctx) => serviceHealth(deps, service.trim(), ctx.signal),
  });

  const searchRunbooks = defineTool({
    name: 'search_runbooks',
    title: 'Search runbooks',
    description:
      "Searches the operational runbooks by keywords (symptoms, alert names, components) and returns the best matches with their steps and a link. Give `service` to get that service's runbooks plus the general procedures.",
    input: z.object({
      query: z.string().min(2).max(200).describe('Keywords, e.g. "checkout 5xx after deploy"'),
      service: serviceArg.optional(),
      limit: z.number().int().min(1).max(10).default(5),
    }),
    output: z.object({
      results: z.array(
        z.object({
          id: z.string(),
          title: z.string(),
          service: z.string().nullable(),
          summary: z.string(),
          steps: z.array(z.string()),
          url: z.string(),
        }),
      ),
      totalMatches: z.number(),
    }),
    annotations: { readOnlyHint: true, openWorldHint: true },
    async handler({ query, service, limit }, ctx) {
      if (service !== undefined && !SERVICE_NAME.test(service))
        throw await unknownService(deps.directory, service, ctx.signal);
      try {
        const found = await deps.api.searchRunbooks(
          { q: query, limit, ...(service === undefined ? {} : { service }) },
          ctx.signal,
        );
        return {
          results: found.data.map(({ id, title, service: s, summary, steps, url }) => ({
            id,
            title,
            service: s,
            summary,
            steps,
            url,
          })),
          totalMatches: found.total,
        };
      } catch (error) {
        if (service !== undefined && isStatus(error, 404))
          throw await unknownService(deps.directory, service, ctx.signal);
        throw platformFailure(error);
      }
    },
  });

  const listRecentDeploys = defineTool({
    name: 'list_recent_deploys',
    title: 'Recent deploys',
    description:
      'Lists deploys newest first, across all services or for one, within the last `sinceHours` hours (default 72, up to 30 days). Use it to see what changed before a problem started. Pass `nextCursor` back as `cursor` for the next page.',
    input: z.object({
      service: serviceArg.optional(),
      sinceHours: z.number().int().min(1).max(720).default(72),
      status: z.enum(['succeeded', 'failed', 'rolled_back']).optional(),
      limit: z.number().int().min(1).max(50).default(10),
      cursor: z.string().max(500).optional(),
    }),
    output: z.object({ deploys: z.array(DeployOutput), nextCursor: z.string().nullable() }),
    annotations: { readOnlyHint: true, openWorldHint: true },
    async handler({ service, sinceHours, status, limit, cursor }, ctx) {
      if (service !== undefined && !SERVICE_NAME.test(service))
        throw await unknownService(deps.directory, service, ctx.signal);
      const now = deps.now();
      try {
        const page = await deps.api.listDeploys(
          {
            since: new Date(now - sinceHours * 3_600_000).toISOString(),
            limit,
            ...(service === undefined ? {} : { service }),
            ...(status === undefined ? {} : { status }),
            ...(cursor === undefined ? {} : { cursor }),
          },
          ctx.signal,
        );
        return { deploys: page.data.map((d) => shapeDeploy(d, now)), nextCursor: page.next_cursor };
      } catch (error) {
        if (service !== undefined && isStatus(error, 404))
          throw await unknownService(deps.directory, service, ctx.signal);
        if (cursor !== undefined && isStatus(error, 400))
          throw new ToolError(
            'invalid_cursor',
            'That cursor is not valid; call again without `cursor` to start over.',
          );
        throw platformFailure(error);
      }
    },
  });

  return [getServiceHealth, searchRunbooks, listRecentDeploys];
}
