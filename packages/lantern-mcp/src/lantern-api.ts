/**
 * The REST API of one Lantern (`<LANTERN_URL>/api/v1`) as the user whose token this server holds:
 * one method per route the tools use, through the kit's HTTP client (timeouts, retries of reads,
 * a breaker). Every failure leaves here as the tool error the model should see (errors.ts).
 */
import { HttpClient, type RequestOptions } from '@gatehouse/kit/infra';
import type { LanternMcpConfig } from './config.ts';
import { toolErrorOf } from './errors.ts';
import type { Incident, IncidentWithNotes, Me, Service } from './schemas.ts';

export interface IncidentFilter {
  status?: string | undefined;
  service?: string | undefined;
  severity?: string | undefined;
  limit?: number | undefined;
}

export interface NewIncident {
  title: string;
  service: string;
  severity: string;
  summary?: string | undefined;
}

export interface LanternApiOptions {
  /** Stands in for global fetch (tests). */
  fetch?: typeof fetch;
  /** Consecutive failures that open the breaker (default 5). */
  breakerFailures?: number;
}

/** The path of one incident: the ref is encoded, so it can only ever name an incident. */
const incidentPath = (ref: string) => `incidents/${encodeURIComponent(ref)}`;

export class LanternApi {
  readonly url: string;
  private readonly http: HttpClient;
  private readonly root: HttpClient;

  constructor(config: LanternMcpConfig, options: LanternApiOptions = {}) {
    this.url = config.url;
    const common = {
      name: 'Lantern',
      timeoutMs: config.timeoutMs,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.breakerFailures === undefined ? {} : { breakerFailures: options.breakerFailures }),
    };
    this.http = new HttpClient({ ...common, baseUrl: `${config.url}/api/v1/`, token: config.token });
    // /healthz needs no token: the product's liveness, not the user's access.
    this.root = new HttpClient({ ...common, baseUrl: `${config.url}/`, maxAttempts: 1 });
  }

  private async call<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    try {
      return await this.http.request<T>(method, path, options);
    } catch (error) {
      throw toolErrorOf(error, this.url);
    }
  }

  me(signal?: AbortSignal): Promise<Me> {
    return this.call('GET', 'me', { signal });
  }

  async services(signal?: AbortSignal): Promise<Service[]> {
    return (await this.call<{ services: Service[] }>('GET', 'services', { signal })).services;
  }

  async incidents(filter: IncidentFilter, signal?: AbortSignal): Promise<Incident[]> {
    const query = {
      status: filter.status,
      service: filter.service,
      severity: filter.severity,
      limit: filter.limit,
    };
    return (await this.call<{ incidents: Incident[] }>('GET', 'incidents', { query, signal })).incidents;
  }

  incident(ref: string, signal?: AbortSignal): Promise<IncidentWithNotes> {
    return this.call('GET', incidentPath(ref), { signal });
  }

  open(incident: NewIncident, signal?: AbortSignal): Promise<Incident> {
    return this.call('POST', 'incidents', { body: incident, signal });
  }

  addNote(ref: string, body: string, signal?: AbortSignal): Promise<IncidentWithNotes> {
    return this.call('POST', `${incidentPath(ref)}/notes`, { body: { body }, signal });
  }

  setStatus(ref: string, status: string, signal?: AbortSignal): Promise<Incident> {
    return this.call('POST', `${incidentPath(ref)}/status`, { body: { status }, signal });
  }

  remove(ref: string, signal?: AbortSignal): Promise<Incident> {
    return this.call('DELETE', incidentPath(ref), { signal });
  }

  /** The `health` check: Lantern's `/healthz`. */
  async health(signal: AbortSignal): Promise<string> {
    try {
      await this.root.get('healthz', { signal });
    } catch (error) {
      const failure = toolErrorOf(error, this.url);
      throw failure instanceof Error ? new Error(failure.message) : failure;
    }
    return `${this.url} is up`;
  }
}
