/**
 * HubSpot CRM connector (api.hubapi.com, private-app bearer token): CRM v3 object reads, batch
 * reads and search, v4 batch associations, owners, deal pipelines and property definitions —
 * the real public API paths and shapes, so the same code talks to HubSpot or the sandbox.
 * Pipelines and property names change rarely and are cached for ten minutes.
 */
import { HttpClient } from '@gatehouse/kit/infra';

export type CrmObjectType = 'companies' | 'contacts' | 'deals';

/** A CRM object as HubSpot returns it: every property value a string or null. */
export interface CrmObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  associations?: Record<string, { results: { id: string; type: string }[] }>;
}

export type FilterOperator =
  | 'EQ'
  | 'NEQ'
  | 'LT'
  | 'LTE'
  | 'GT'
  | 'GTE'
  | 'BETWEEN'
  | 'IN'
  | 'NOT_IN'
  | 'HAS_PROPERTY'
  | 'NOT_HAS_PROPERTY'
  | 'CONTAINS_TOKEN'
  | 'NOT_CONTAINS_TOKEN';

export interface CrmFilter {
  propertyName: string;
  operator: FilterOperator;
  value?: string;
  highValue?: string;
  values?: string[];
}

export interface CrmSearchRequest {
  filterGroups?: { filters: CrmFilter[] }[];
  sorts?: { propertyName: string; direction: 'ASCENDING' | 'DESCENDING' }[];
  query?: string;
  properties?: string[];
  limit?: number;
  after?: string;
}

export interface CrmSearchResponse {
  total: number;
  results: CrmObject[];
  paging?: { next?: { after: string } };
}

export interface HubSpotOwner {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  userId: number;
  teams?: { id: string; name: string; primary: boolean }[];
}

export interface PipelineStage {
  id: string;
  label: string;
  metadata: { isClosed?: string; probability?: string };
}

interface Page<T> {
  results: T[];
  paging?: { next?: { after: string } };
}

interface BatchAssociations {
  results: { from: { id: string }; to: { toObjectId: number | string }[] }[];
}

export interface ConnectorOptions {
  baseUrl: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const CACHE_MS = 10 * 60_000;

export class HubSpotConnector {
  readonly http: HttpClient;
  private stages: { at: number; value: Promise<Map<string, PipelineStage>> } | undefined;
  private readonly propertyNames = new Map<CrmObjectType, { at: number; value: Promise<string[]> }>();

  constructor(options: ConnectorOptions & { token: string }) {
    this.http = new HttpClient({
      baseUrl: options.baseUrl,
      token: options.token,
      name: 'HubSpot',
      timeoutMs: options.timeoutMs ?? 5_000,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  getObject(
    type: CrmObjectType,
    id: string,
    options: { properties?: string[]; associations?: CrmObjectType[]; signal?: AbortSignal } = {},
  ): Promise<CrmObject> {
    return this.http.get<CrmObject>(`/crm/v3/objects/${type}/${encodeURIComponent(id)}`, {
      query: {
        properties: options.properties?.join(','),
        associations: options.associations?.join(','),
      },
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** One page of a CRM search (≤ 200 results). Search is read-only, so it is retried like a GET. */
  search(type: CrmObjectType, request: CrmSearchRequest, signal?: AbortSignal): Promise<CrmSearchResponse> {
    return this.http.post<CrmSearchResponse>(`/crm/v3/objects/${type}/search`, {
      body: request,
      idempotent: true,
      ...(signal ? { signal } : {}),
    });
  }

  /** Every result of a search, following `paging.next.after` (at most `maxPages` pages). */
  async searchAll(
    type: CrmObjectType,
    request: CrmSearchRequest,
    signal?: AbortSignal,
    maxPages = 50,
  ): Promise<CrmObject[]> {
    const out: CrmObject[] = [];
    let after: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const answer = await this.search(type, { limit: 200, ...request, ...(after ? { after } : {}) }, signal);
      out.push(...answer.results);
      after = answer.paging?.next?.after;
      if (after === undefined) break;
    }
    return out;
  }

  /** Objects by id, 100 per request (HubSpot's batch limit); unknown ids are left out. */
  async batchRead(
    type: CrmObjectType,
    ids: string[],
    properties: string[],
    signal?: AbortSignal,
  ): Promise<CrmObject[]> {
    const chunks = chunk([...new Set(ids)], 100);
    const answers = await Promise.all(
      chunks.map((part) =>
        this.http.post<{ results: CrmObject[] }>(`/crm/v3/objects/${type}/batch/read`, {
          body: { properties, inputs: part.map((id) => ({ id })) },
          idempotent: true,
          ...(signal ? { signal } : {}),
        }),
      ),
    );
    return answers.flatMap((a) => a.results);
  }

  /** Associated ids per object (v4 batch read, 1,000 ids per request). */
  async associations(
    from: CrmObjectType,
    to: CrmObjectType,
    ids: string[],
    signal?: AbortSignal,
  ): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const part of chunk([...new Set(ids)], 1_000)) {
      const answer = await this.http.post<BatchAssociations>(
        `/crm/v4/associations/${from}/${to}/batch/read`,
        {
          body: { inputs: part.map((id) => ({ id })) },
          idempotent: true,
          ...(signal ? { signal } : {}),
        },
      );
      for (const row of answer.results)
        out.set(
          String(row.from.id),
          row.to.map((t) => String(t.toObjectId)),
        );
    }
    return out;
  }

  getOwner(id: string, signal?: AbortSignal): Promise<HubSpotOwner> {
    return this.http.get<HubSpotOwner>(`/crm/v3/owners/${encodeURIComponent(id)}`, signal ? { signal } : {});
  }

  async listOwners(signal?: AbortSignal): Promise<HubSpotOwner[]> {
    const out: HubSpotOwner[] = [];
    let after: string | undefined;
    do {
      const page = await this.http.get<Page<HubSpotOwner>>('/crm/v3/owners', {
        query: { limit: 500, after },
        ...(signal ? { signal } : {}),
      });
      out.push(...page.results);
      after = page.paging?.next?.after;
    } while (after !== undefined);
    return out;
  }

  /** Deal stages of every deal pipeline, by stage id (cached). */
  dealStages(signal?: AbortSignal): Promise<Map<string, PipelineStage>> {
    if (this.stages === undefined || Date.now() - this.stages.at > CACHE_MS) {
      const value = this.http
        .get<Page<{ id: string; stages: PipelineStage[] }>>(
          '/crm/v3/pipelines/deals',
          signal ? { signal } : {},
        )
        .then((page) => new Map(page.results.flatMap((p) => p.stages.map((s) => [s.id, s] as const))));
      value.catch(() => {
        this.stages = undefined;
      });
      this.stages = { at: Date.now(), value };
    }
    return this.stages.value;
  }

  /** The names of every property of an object type (cached), for reads that want them all. */
  allPropertyNames(type: CrmObjectType, signal?: AbortSignal): Promise<string[]> {
    const cached = this.propertyNames.get(type);
    if (cached && Date.now() - cached.at <= CACHE_MS) return cached.value;
    const value = this.http
      .get<Page<{ name: string }>>(`/crm/v3/properties/${type}`, signal ? { signal } : {})
      .then((page) => page.results.map((p) => p.name));
    value.catch(() => this.propertyNames.delete(type));
    this.propertyNames.set(type, { at: Date.now(), value });
    return value;
  }

  async check(signal: AbortSignal): Promise<string> {
    await this.http.get('/crm/v3/owners', { query: { limit: 1 }, signal });
    return 'owners API answered';
  }
}

export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
