/**
 * Intercom connector (api.intercom.io, bearer access token, `Intercom-Version: 2.11`): contact and
 * conversation search with Intercom's query language and cursor paging, single conversation
 * reads and `/me` for health — the real public API paths and shapes.
 */
import { HttpClient } from '@gatehouse/kit/infra';
import type { ConnectorOptions } from './hubspot.ts';

export type IntercomOperator = '=' | '!=' | 'IN' | 'NIN' | '<' | '>' | '~' | '!~' | '^' | '$';
type Scalar = string | number | boolean | null;

export type IntercomQuery =
  | { field: string; operator: IntercomOperator; value: Scalar | Scalar[] }
  | { operator: 'AND' | 'OR'; value: IntercomQuery[] };

export interface IntercomContact {
  type: 'contact';
  id: string;
  external_id: string | null;
  email: string | null;
  name: string | null;
  [field: string]: unknown;
}

export interface IntercomConversation {
  type: 'conversation';
  id: string;
  title: string | null;
  created_at: number;
  updated_at: number;
  state: 'open' | 'closed' | 'snoozed';
  open: boolean;
  priority: 'priority' | 'not_priority';
  snoozed_until: number | null;
  source: { subject?: string | null; body?: string | null; author?: { email?: string | null } };
  contacts: { contacts: { id: string; external_id?: string | null }[] };
  tags?: { tags: { name: string }[] };
  [field: string]: unknown;
}

/** A page of search results: the items sit under `data` (contacts) or `conversations`. */
interface SearchPage {
  total_count: number;
  pages?: { next?: { starting_after?: string | null } | null };
  [key: string]: unknown;
}

const PER_PAGE = 150;

export class IntercomConnector {
  readonly http: HttpClient;

  constructor(options: ConnectorOptions & { token: string }) {
    this.http = new HttpClient({
      baseUrl: options.baseUrl,
      token: options.token,
      headers: { 'Intercom-Version': '2.11' },
      name: 'Intercom',
      timeoutMs: options.timeoutMs ?? 5_000,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  private async searchAll<T>(
    path: string,
    key: string,
    query: IntercomQuery,
    options: {
      signal?: AbortSignal;
      sort?: { field: string; order: 'ascending' | 'descending' };
      maxPages?: number;
    },
  ): Promise<{ items: T[]; total: number }> {
    const items: T[] = [];
    let cursor: string | undefined;
    let total = 0;
    for (let page = 0; page < (options.maxPages ?? 20); page++) {
      const answer = await this.http.post<SearchPage>(path, {
        body: {
          query,
          pagination: { per_page: PER_PAGE, ...(cursor ? { starting_after: cursor } : {}) },
          ...(options.sort ? { sort: options.sort } : {}),
        },
        idempotent: true,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      items.push(...((answer[key] as T[] | undefined) ?? []));
      total = answer.total_count;
      cursor = answer.pages?.next?.starting_after ?? undefined;
      if (!cursor) break;
    }
    return { items, total };
  }

  /** Every contact matching the query (`POST /contacts/search`). */
  async searchContacts(query: IntercomQuery, signal?: AbortSignal): Promise<IntercomContact[]> {
    return (
      await this.searchAll<IntercomContact>('/contacts/search', 'data', query, signal ? { signal } : {})
    ).items;
  }

  /** Every conversation matching the query (`POST /conversations/search`), newest update first. */
  async searchConversations(query: IntercomQuery, signal?: AbortSignal): Promise<IntercomConversation[]> {
    const options = {
      sort: { field: 'updated_at', order: 'descending' as const },
      ...(signal ? { signal } : {}),
    };
    return (
      await this.searchAll<IntercomConversation>('/conversations/search', 'conversations', query, options)
    ).items;
  }

  getConversation(id: string, signal?: AbortSignal): Promise<IntercomConversation> {
    return this.http.get<IntercomConversation>(
      `/conversations/${encodeURIComponent(id)}`,
      signal ? { signal } : {},
    );
  }

  async check(signal: AbortSignal): Promise<string> {
    const me = await this.http.get<{ app?: { name?: string } }>('/me', { signal });
    return `workspace ${me.app?.name ?? 'answered'}`;
  }
}
