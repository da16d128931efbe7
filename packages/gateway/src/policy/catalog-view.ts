/**
 * What one caller may see of the merged catalog. Visibility depends only on the caller's roles
 * (conditions on arguments never hide a target), so each role set's filtered lists are computed
 * once per catalog version and shared by every caller holding those roles — lists stay as cheap
 * as the unfiltered catalog. Pages are answered the same way: each page of a role set's list is
 * built once per catalog version (the same object for every such caller), so a list request costs
 * a lookup, not a filter, a slice and a copy. The same decide() answers single lookups for routing.
 *
 * A role set in search mode (policy/search-mode.ts) is LISTED its core tools and the meta-tools,
 * and searches a tool index built over exactly the tools it may see (once per role set and catalog
 * version, when it first searches): a hidden tool is not in it, so it is never found, never
 * suggested, and does not even weigh in the ranking of the others.
 */
import { buildToolIndex, type HybridRanking, type ToolIndex } from '@gatehouse/tool-search';
import type { Prompt, Resource, ResourceTemplateType, Tool } from '@modelcontextprotocol/client';
import { canonicalJson } from '../audit/chain.ts';
import type { Principal } from '../auth/principal.ts';
import type { Catalog, Routed } from '../catalog/catalog.ts';
import { pageAt, pageStart } from '../catalog/pagination.ts';
import type { PolicyModel } from '../config/model-access.ts';
import type { ToolSearchModel } from '../config/model-search.ts';
import { META_TOOL_DEFINITIONS, META_TOOL_NAMES } from '../meta-tools/definitions.ts';
import type { ListKind, Upstream } from '../upstream/upstream.ts';
import { type Decision, decide, type Target } from './decide.ts';
import { isCoreTool, NO_TOOL_SEARCH, type SearchMode, searchModeOf } from './search-mode.ts';

interface Lists {
  version: number;
  /** Every tool the caller may see. */
  tools: Routed<Tool>[];
  /** What tools/list answers: every tool it may see, or in search mode its core and the meta-tools. */
  listedTools: readonly Listed[];
  searchMode: SearchMode | null;
  /** Built on the first search: an index of the tools this role set may see, and only those. */
  search: { index: ToolIndex; items: Tool[]; byName: Map<string, Tool> } | undefined;
  prompts: Routed<Prompt>[];
  resources: Routed<Resource>[];
  templates: Routed<ResourceTemplateType>[];
  /** Upstreams that are down and exposed something this caller could see when they were up. */
  missing: Upstream[];
  /** Pages already answered, by list, page size and start index (not by cursor text). */
  pages: Map<string, ListPage>;
  /** fingerprint() per list kind, computed once per catalog version. */
  fingerprints: Map<ListKind, string>;
}

/** The lists a client pages through, by the field their result carries them in. */
export type ListName = 'tools' | 'prompts' | 'resources' | 'resourceTemplates';

/** One page of a list as answered: `{ tools: [...], nextCursor? }` and the like. Never mutated. */
export type ListPage = Readonly<Record<string, unknown>>;

type Listed = { readonly item: { name?: string; uri?: string; uriTemplate?: string } };

const PAGE_KEYS: Record<ListName, (r: Listed) => string> = {
  tools: (r) => r.item.name ?? '',
  prompts: (r) => r.item.name ?? '',
  resources: (r) => r.item.uri ?? '',
  resourceTemplates: (r) => r.item.uriTemplate ?? '',
};

const MAX_CACHED_ROLE_SETS = 1024;

export class CatalogView {
  private readonly catalog: Catalog;
  private readonly policy: PolicyModel;
  private readonly toolSearch: ToolSearchModel;
  /** Mixes an embedding model's similarity into the ranking; null: words alone. */
  private readonly ranking: HybridRanking | null;
  private readonly cache = new Map<string, Lists>();

  constructor(
    catalog: Catalog,
    policy: PolicyModel,
    toolSearch: ToolSearchModel = NO_TOOL_SEARCH,
    ranking: HybridRanking | null = null,
  ) {
    this.catalog = catalog;
    this.policy = policy;
    this.toolSearch = toolSearch;
    this.ranking = ranking;
  }

  /** The listing decision for one target: may this caller know it exists? */
  decision(principal: Principal, target: Target): Decision {
    return decide(this.policy, principal.roles, target);
  }

  canSee(principal: Principal, target: Target): boolean {
    return this.decision(principal, target).visible;
  }

  private lists(principal: Principal): Lists {
    const key = [...principal.roles].sort().join('\n');
    const cached = this.cache.get(key);
    const version = this.catalog.version;
    if (cached && cached.version === version) return cached;
    const roles = principal.roles;
    const sees = (target: Target) => decide(this.policy, roles, target).visible;
    const tools = this.catalog.tools().filter((r) => sees({ kind: 'tool', name: r.item.name }));
    const searchMode = searchModeOf(this.toolSearch, roles);
    const lists: Lists = {
      version,
      tools,
      listedTools: searchMode === null ? tools : listedInSearchMode(tools, searchMode),
      searchMode,
      search: undefined,
      prompts: this.catalog.prompts().filter((r) => sees({ kind: 'prompt', name: r.item.name })),
      resources: this.catalog.resources().filter((r) => sees({ kind: 'resource', name: r.item.uri })),
      templates: this.catalog.templates().filter((r) => sees({ kind: 'resource', name: r.item.uriTemplate })),
      missing: this.catalog.missing.filter((m) => m.lastSeen.some(sees)).map((m) => m.upstream),
      pages: new Map(),
      fingerprints: new Map(),
    };
    if (this.cache.size >= MAX_CACHED_ROLE_SETS) this.cache.clear();
    this.cache.set(key, lists);
    return lists;
  }

  /**
   * The page of `list` after `cursor` (the first page without one) for this caller, built once per
   * role set, page size and catalog version. A malformed or expired cursor is refused (-32602).
   */
  page(principal: Principal, list: ListName, cursor: string | undefined, pageSize: number): ListPage {
    const lists = this.lists(principal);
    const items: readonly Listed[] =
      list === 'resourceTemplates' ? lists.templates : list === 'tools' ? lists.listedTools : lists[list];
    const key = PAGE_KEYS[list];
    const start = pageStart(items, key, cursor);
    const cacheKey = `${list}:${pageSize}:${start}`;
    const cached = lists.pages.get(cacheKey);
    if (cached) return cached;
    const page = pageAt(items, key, pageSize, start);
    const answer: ListPage = Object.freeze({
      [list]: Object.freeze(page.items.map((r) => r.item)),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    });
    lists.pages.set(cacheKey, answer);
    return answer;
  }

  /**
   * What this caller sees of one list kind (every item as listed), as text: equal before and after
   * a rebuild exactly when the caller's list did not change, so it need not be told.
   */
  fingerprint(principal: Principal, kind: ListKind): string {
    const lists = this.lists(principal);
    let text = lists.fingerprints.get(kind);
    if (text === undefined) {
      const items = (listed: readonly { item: unknown }[]) => listed.map((r) => r.item);
      const listedItems =
        kind === 'resources'
          ? [items(lists.resources), items(lists.templates)]
          : items(kind === 'tools' ? lists.listedTools : lists[kind]);
      text = canonicalJson(listedItems);
      lists.fingerprints.set(kind, text);
    }
    return text;
  }

  /** Every tool this caller may see (in search mode too: its list shows fewer). */
  tools(principal: Principal): Routed<Tool>[] {
    return this.lists(principal).tools;
  }

  /** The caller's search mode (core and result limit), or null when it is listed everything. */
  searchMode(principal: Principal): SearchMode | null {
    return this.lists(principal).searchMode;
  }

  /**
   * The tools this caller may see that best match `query`, best first, as listed to it (their
   * full definitions), at most `limit`.
   */
  async searchTools(
    principal: Principal,
    query: string,
    limit: number,
    signal?: AbortSignal,
  ): Promise<Tool[]> {
    const lists = this.lists(principal);
    if (lists.search === undefined) {
      const items = lists.tools.map((r) => r.item);
      lists.search = { index: buildToolIndex(items), items, byName: new Map(items.map((t) => [t.name, t])) };
    }
    const { index, items, byName } = lists.search;
    const hits =
      this.ranking === null
        ? index.search(query, limit)
        : await this.ranking.search(index, items, query, limit, signal);
    return hits.flatMap((hit) => byName.get(hit.name) ?? []);
  }

  prompts(principal: Principal): Routed<Prompt>[] {
    return this.lists(principal).prompts;
  }

  resources(principal: Principal): Routed<Resource>[] {
    return this.lists(principal).resources;
  }

  templates(principal: Principal): Routed<ResourceTemplateType>[] {
    return this.lists(principal).templates;
  }

  /** Down upstreams whose entries this caller would otherwise see: lists say they are missing. */
  missing(principal: Principal): readonly Upstream[] {
    return this.lists(principal).missing;
  }
}

/** A search-mode caller's tools/list: the core tools it may see, then the meta-tools. */
function listedInSearchMode(tools: readonly Routed<Tool>[], mode: SearchMode): Listed[] {
  // A tool of an upstream named like a meta-tool is shadowed in the list (call_tool still runs it).
  const core = tools.filter((r) => isCoreTool(mode, r.item.name) && !META_TOOL_NAMES.has(r.item.name));
  return [...core, ...META_TOOL_DEFINITIONS.map((item) => ({ item }))];
}
