/**
 * The health model of the sandbox platform API: a service's signals follow the daily traffic
 * curve of a European retailer (quiet in the early morning, busiest in the evening, UTC), with
 * seeded noise that changes once a minute of sandbox time; an ongoing scenario (a bad release,
 * an overloaded search cluster) pushes them over the thresholds; a restart or rollback puts the
 * service in "recovering" for a while and ends the scenario.
 */
import { derive } from '../random.ts';
import { BASELINES, type CatalogEntry, PAST_INCIDENTS, type Scenario } from '../seed/platform.ts';

export type HealthStatus = 'healthy' | 'degraded' | 'down' | 'recovering';

export interface Incident {
  id: string;
  title: string;
  severity: 'SEV1' | 'SEV2' | 'SEV3';
  status: 'investigating' | 'resolved';
  started_at: string;
  resolved_at: string | null;
}

export interface Health {
  service: string;
  status: HealthStatus;
  observed_at: string;
  metrics: {
    error_rate: number;
    latency_p50_ms: number;
    latency_p99_ms: number;
    saturation: number;
    requests_per_second: number;
  };
  active_alerts: { name: string; severity: 'critical' | 'warning'; started_at: string; summary: string }[];
  last_incident: Incident | null;
  recovering_until: string | null;
}

/** What the world knows about a service besides its catalog entry. */
export interface ServiceCondition {
  /** The problem the service started with, if any. */
  scenario: Scenario | undefined;
  /** When an action ended that problem (its incident is then resolved); undefined while it lasts. */
  scenarioEndedAt: number | undefined;
  /** A restart or rollback keeps the service recovering until then. */
  recoveringUntil: number | undefined;
}

const MINUTE = 60_000;
export const RECOVERY_MS = 90_000;
/** Above this share of failed requests a service is degraded; above DOWN_ERROR_RATE, down. */
const DEGRADED_ERROR_RATE = 0.02;
const DOWN_ERROR_RATE = 0.5;
const DEGRADED_SATURATION = 0.85;

/** Share of peak traffic at this time of day: 1 around 19:00 UTC, 0.55 around 07:00 UTC. */
export function trafficLoad(at: number): number {
  const hour = (at % (24 * 60 * MINUTE)) / (60 * MINUTE);
  return 0.55 + 0.45 * (0.5 + 0.5 * Math.cos((2 * Math.PI * (hour - 19)) / 24));
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

function pastIncident(seed: number, service: string, now: number): Incident | null {
  const past = PAST_INCIDENTS[service];
  if (past === undefined) return null;
  const rng = derive(seed, `incident:${service}`);
  const started = now - rng.int(4, 80) * 24 * 60 * MINUTE - rng.int(0, 600) * MINUTE;
  return {
    id: `INC-${rng.int(1900, 2280)}`,
    title: past.title,
    severity: past.severity,
    status: 'resolved',
    started_at: new Date(started).toISOString(),
    resolved_at: new Date(started + rng.int(20, 240) * MINUTE).toISOString(),
  };
}

function scenarioIncident(scenario: Scenario, now: number, endedAt: number | undefined): Incident {
  return {
    id: scenario.incident.id,
    title: scenario.incident.title,
    severity: scenario.incident.severity,
    status: endedAt === undefined ? 'investigating' : 'resolved',
    started_at: new Date(now - scenario.incident.minutesAgo * MINUTE).toISOString(),
    resolved_at: endedAt === undefined ? null : new Date(endedAt).toISOString(),
  };
}

export function computeHealth(
  seed: number,
  entry: CatalogEntry,
  condition: ServiceCondition,
  now: number,
  at: number,
): Health {
  const base = BASELINES[entry.name];
  if (base === undefined) throw new Error(`no baseline for ${entry.name}`);
  const rng = derive(seed, `health:${entry.name}:${Math.floor(at / MINUTE)}`);
  const load = trafficLoad(at);
  const recovering = condition.recoveringUntil !== undefined && at < condition.recoveringUntil;
  const scenario = condition.scenarioEndedAt === undefined ? condition.scenario : undefined;
  const latencyFactor = (scenario?.latencyFactor ?? 1) * (recovering ? 1.3 : 1);
  const errorRate = scenario
    ? scenario.errorRate * (0.9 + 0.2 * rng.next())
    : base.errorRate * (0.7 + 0.6 * rng.next());
  const metrics = {
    error_rate: round(errorRate, 4),
    latency_p50_ms: Math.round(
      base.latencyP50Ms * (0.85 + 0.3 * load) * (0.95 + 0.1 * rng.next()) * latencyFactor,
    ),
    latency_p99_ms: Math.round(
      base.latencyP99Ms * (0.8 + 0.4 * load) * (0.9 + 0.2 * rng.next()) * latencyFactor,
    ),
    saturation: round(
      scenario
        ? scenario.saturation
        : Math.min(0.95, base.saturation * (0.6 + 0.6 * load) * (0.95 + 0.1 * rng.next())),
      2,
    ),
    requests_per_second: round(
      base.requestsPerSecond * load * (0.9 + 0.2 * rng.next()) * (recovering ? 0.7 : 1),
      1,
    ),
  };
  let status: HealthStatus = 'healthy';
  if (recovering) status = 'recovering';
  else if (metrics.error_rate >= DOWN_ERROR_RATE) status = 'down';
  else if (
    metrics.error_rate > DEGRADED_ERROR_RATE ||
    metrics.latency_p99_ms > entry.slo.latency_p99_target_ms ||
    metrics.saturation > DEGRADED_SATURATION
  )
    status = 'degraded';
  const incidentSource = condition.scenario;
  return {
    service: entry.name,
    status,
    observed_at: new Date(at).toISOString(),
    metrics,
    active_alerts: (scenario?.alerts ?? []).map((alert) => ({
      name: alert.name,
      severity: alert.severity,
      started_at: new Date(now - alert.minutesAgo * MINUTE).toISOString(),
      summary: alert.summary,
    })),
    last_incident: incidentSource
      ? scenarioIncident(incidentSource, now, scenario ? undefined : condition.scenarioEndedAt)
      : pastIncident(seed, entry.name, now),
    recovering_until:
      recovering && condition.recoveringUntil !== undefined
        ? new Date(condition.recoveringUntil).toISOString()
        : null,
  };
}
