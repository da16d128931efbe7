/**
 * Typed client of Northwind's internal platform API (`/v1/services`, `/v1/deploys`,
 * `/v1/runbooks`, `/v1/events` and the restart / rollback actions). Every answer is parsed with
 * zod, so a change in the API's shape fails loudly here instead of leaking odd values to a model;
 * fields this server does not use are dropped. Transport, retries, timeouts and the breaker come
 * from the kit's HttpClient; actions carry an `Idempotency-Key`, which is what makes retrying
 * them safe.
 */
import { HttpClient } from '@gatehouse/kit/infra';
import * as z from 'zod';

export const CatalogEntrySchema = z.object({
  name: z.string(),
  description: z.string(),
  team: z.string(),
  tier: z.number().int(),
  language: z.string(),
  repo: z.string(),
  on_call: z.object({ rotation: z.string(), escalation_policy: z.string(), slack_channel: z.string() }),
  dependencies: z.array(z.string()),
  slo: z.object({ availability_target_pct: z.number(), latency_p99_target_ms: z.number() }),
  dashboard_url: z.string(),
  restartable: z.boolean(),
});
export type CatalogEntry = z.infer<typeof CatalogEntrySchema>;

export const HealthSchema = z.object({
  service: z.string(),
  status: z.enum(['healthy', 'degraded', 'down', 'recovering']),
  observed_at: z.string(),
  metrics: z.object({
    error_rate: z.number(),
    latency_p50_ms: z.number(),
    latency_p99_ms: z.number(),
    saturation: z.number(),
    requests_per_second: z.number(),
  }),
  active_alerts: z.array(
    z.object({ name: z.string(), severity: z.string(), started_at: z.string(), summary: z.string() }),
  ),
  last_incident: z
    .object({
      id: z.string(),
      title: z.string(),
      severity: z.string(),
      status: z.string(),
      started_at: z.string(),
      resolved_at: z.string().nullable(),
    })
    .nullable(),
  recovering_until: z.string().nullable(),
});
export type Health = z.infer<typeof HealthSchema>;

export const DeploySchema = z.object({
  id: z.string(),
  service: z.string(),
  version: z.string(),
  commit_sha: z.string(),
  author: z.string(),
  started_at: z.string(),
  finished_at: z.string(),
  status: z.enum(['succeeded', 'failed', 'rolled_back']),
  summary: z.string(),
  rollback_of: z.string().nullable(),
});
export type Deploy = z.infer<typeof DeploySchema>;

const DeployPageSchema = z.object({
  data: z.array(DeploySchema),
  has_more: z.boolean(),
  next_cursor: z.string().nullable(),
});

export const RunbookSchema = z.object({
  id: z.string(),
  title: z.string(),
  service: z.string().nullable(),
  tags: z.array(z.string()),
  summary: z.string(),
  steps: z.array(z.string()),
  url: z.string(),
  score: z.number(),
});
export type Runbook = z.infer<typeof RunbookSchema>;

export const EventSchema = z.object({
  id: z.string(),
  type: z.enum(['restart', 'rollback']),
  service: z.string(),
  at: z.string(),
  requested_by: z.string(),
  reason: z.string(),
  idempotency_key: z.string(),
  deploy_id: z.string().nullable(),
  rolled_back_deploy_id: z.string().nullable(),
});
export type PlatformEvent = z.infer<typeof EventSchema>;

const RestartAnswerSchema = z.object({
  event: EventSchema,
  service: z.string(),
  health_status: z.string(),
  recovering_until: z.string(),
});
export type RestartAnswer = z.infer<typeof RestartAnswerSchema>;

const RollbackAnswerSchema = z.object({
  event: EventSchema,
  deploy: DeploySchema,
  rolled_back: z.object({ id: z.string(), version: z.string(), status: z.string() }),
});
export type RollbackAnswer = z.infer<typeof RollbackAnswerSchema>;

/** Who asked for an action and why; recorded by the platform's action log. */
export interface ActionBody {
  reason: string;
  requested_by: string;
}

export interface PlatformApiOptions {
  baseUrl: string;
  token: string;
  timeoutMs?: number;
  maxAttempts?: number;
  breakerFailures?: number;
}

const path = (...parts: string[]): string => `/v1/${parts.map(encodeURIComponent).join('/')}`;

export class PlatformApi {
  private readonly http: HttpClient;

  constructor(options: PlatformApiOptions) {
    this.http = new HttpClient({
      baseUrl: options.baseUrl,
      token: options.token,
      name: 'platform API',
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
      ...(options.breakerFailures === undefined ? {} : { breakerFailures: options.breakerFailures }),
    });
  }

  async listServices(signal?: AbortSignal): Promise<CatalogEntry[]> {
    const answer = await this.http.get('/v1/services', { signal });
    return z.object({ data: z.array(CatalogEntrySchema) }).parse(answer).data;
  }

  async getService(name: string, signal?: AbortSignal): Promise<CatalogEntry> {
    return CatalogEntrySchema.parse(await this.http.get(path('services', name), { signal }));
  }

  async getHealth(name: string, signal?: AbortSignal): Promise<Health> {
    return HealthSchema.parse(await this.http.get(path('services', name, 'health'), { signal }));
  }

  async listDeploys(
    query: { service?: string; since?: string; status?: string; limit?: number; cursor?: string },
    signal?: AbortSignal,
  ): Promise<z.infer<typeof DeployPageSchema>> {
    return DeployPageSchema.parse(await this.http.get('/v1/deploys', { query, signal }));
  }

  async getDeploy(id: string, signal?: AbortSignal): Promise<Deploy> {
    return DeploySchema.parse(await this.http.get(path('deploys', id), { signal }));
  }

  async searchRunbooks(
    query: { q: string; service?: string; limit?: number },
    signal?: AbortSignal,
  ): Promise<{ data: Runbook[]; total: number }> {
    const answer = await this.http.get('/v1/runbooks', { query, signal });
    return z.object({ data: z.array(RunbookSchema), total: z.number() }).parse(answer);
  }

  async listEvents(service?: string, signal?: AbortSignal): Promise<PlatformEvent[]> {
    const answer = await this.http.get('/v1/events', { query: { service }, signal });
    return z.object({ data: z.array(EventSchema) }).parse(answer).data;
  }

  async restart(
    name: string,
    body: ActionBody,
    idempotencyKey: string,
    signal?: AbortSignal,
  ): Promise<RestartAnswer> {
    const answer = await this.http.post(path('services', name, 'restart'), {
      body,
      headers: { 'idempotency-key': idempotencyKey },
      idempotent: true,
      signal,
    });
    return RestartAnswerSchema.parse(answer);
  }

  async rollback(
    deployId: string,
    body: ActionBody,
    idempotencyKey: string,
    signal?: AbortSignal,
  ): Promise<RollbackAnswer> {
    const answer = await this.http.post(path('deploys', deployId, 'rollback'), {
      body,
      headers: { 'idempotency-key': idempotencyKey },
      idempotent: true,
      signal,
    });
    return RollbackAnswerSchema.parse(answer);
  }
}
