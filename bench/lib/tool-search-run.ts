/**
 * The part of bench/tool-search.ts that runs through the gateway: install the registry servers,
 * start the setup (tool-search-setup.ts), read the catalog as the `full` role and hold it against
 * the committed snapshot, then — when this gateway has search mode — the search-mode role's
 * tools/list, search_tools quality end to end, its latency at 1,000 tools, and the scripted
 * conversation's tokens per turn.
 */
import type { Client, Tool } from '@modelcontextprotocol/client';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { connectClient, listAllTools } from './scale-harness.ts';
import {
  type CatalogSnapshot,
  type ServerInfo,
  snapshotDifferences,
  snapshotOf,
  type ToolQuery,
  writeSnapshot,
} from './tool-search-catalog.ts';
import {
  fullListTokens,
  type ScriptedTurn,
  searchModeTokens,
  type TurnTokens,
} from './tool-search-conversation.ts';
import {
  callSearchTools,
  foundToolNames,
  type Latency,
  latency,
  type Quality,
  type QueryOutcome,
  quality,
  rankQueries,
} from './tool-search-measure.ts';
import {
  DEMO_SERVERS,
  installRegistryServers,
  pinnedVersion,
  REGISTRY_SERVERS,
} from './tool-search-servers.ts';
import { GATEWAY_HAS_SEARCH_MODE, type Role, startToolSearchSetup } from './tool-search-setup.ts';

/** The scripted conversation: the first query of the set for each of these tools, in this order. */
export const CONVERSATION_TOOLS = [
  'customer_get_customer_profile',
  'github_create_issue',
  'kubernetes_kubectl_logs',
  'playwright_browser_take_screenshot',
  'wallet_transfer',
] as const;

export interface Listing {
  tools: number;
  tokens: number;
}

export interface SearchModeFigures {
  list: Listing;
  listNames: string[];
  /** The search-mode role with a core of five tools (CORE_TOOLS). */
  coreList: Listing;
  /** Each tool of that list with its own tokens. */
  coreTools: { name: string; tokens: number }[];
  outcomes: QueryOutcome[];
  quality: Quality;
  latency: Latency;
  conversation: { turns: ScriptedTurn[]; full: TurnTokens[]; search: TurnTokens[] };
}

export interface GatewayFigures {
  full: Listing;
  full1000: Listing;
  /** Undefined when this checkout's gateway has no search mode yet. */
  search: SearchModeFigures | undefined;
}

export interface RunOptions {
  dir: string;
  cache: string;
  snapshot: CatalogSnapshot;
  queries: readonly ToolQuery[];
  allQueries: readonly ToolQuery[];
  rounds: number;
  padTools: number;
  writeCatalog: boolean;
  log: (line: string) => void;
}

const listing = (tools: readonly Tool[]): Listing => ({
  tools: tools.length,
  tokens: countTokens(JSON.stringify(tools)),
});

function serverInfos(): ServerInfo[] {
  return [
    ...REGISTRY_SERVERS.map((s) => ({ name: s.name, package: s.package, version: pinnedVersion(s) })),
    ...DEMO_SERVERS.map((name) => ({ name })),
  ];
}

export function conversationTurns(queries: readonly ToolQuery[]): ScriptedTurn[] {
  return CONVERSATION_TOOLS.map((tool) => {
    const query = queries.find((q) => q.tool === tool);
    if (query === undefined) throw new Error(`the query set has no question for ${tool}`);
    return { question: query.query, tool };
  });
}

function searchText(result: Record<string, unknown>): string {
  return ((result.content ?? []) as { type: string; text?: string }[])
    .filter((b) => b.type === 'text')
    .map((b) => b.text ?? '')
    .join('\n');
}

async function searchMode(
  clients: Map<Role, Client>,
  fullTools: readonly Tool[],
  opts: RunOptions,
): Promise<SearchModeFigures> {
  const search = clients.get('search') as Client;
  const searchTools = (await listAllTools(search)).tools;
  const coreTools = (await listAllTools(clients.get('search-core') as Client)).tools;
  const outcomes = await rankQueries(opts.queries, async (q) =>
    foundToolNames(await callSearchTools(search, q)),
  );
  const big = clients.get('search-1000') as Client;
  const timing = await latency(
    opts.queries.map((q) => q.query),
    opts.rounds,
    (q) => callSearchTools(big, q),
  );
  const turns = conversationTurns(opts.allQueries);
  for (const turn of turns) {
    const answer = await callSearchTools(search, turn.question);
    const rank = foundToolNames(answer).indexOf(turn.tool);
    turn.searchResult = searchText(answer);
    turn.searchRank = rank < 0 ? undefined : rank + 1;
  }
  return {
    list: listing(searchTools),
    listNames: searchTools.map((t) => t.name),
    coreList: listing(coreTools),
    coreTools: coreTools.map((t) => ({ name: t.name, tokens: countTokens(JSON.stringify(t)) })),
    outcomes,
    quality: quality(outcomes),
    latency: timing,
    conversation: {
      turns,
      full: fullListTokens(fullTools, turns),
      search: searchModeTokens(searchTools, turns),
    },
  };
}

/** Everything measured through the gateway; with writeCatalog, only rewrites the snapshot. */
export async function measureThroughGateway(opts: RunOptions): Promise<GatewayFigures | undefined> {
  const modules = installRegistryServers(opts.cache, opts.log);
  opts.log(
    `starting the gateway with ${REGISTRY_SERVERS.length} registry servers, ${DEMO_SERVERS.length} demo servers and ${opts.padTools} padding tools …`,
  );
  const setup = await startToolSearchSetup(opts.dir, modules, opts.padTools);
  const clients = new Map<Role, Client>();
  try {
    for (const [role, key] of setup.keys)
      clients.set(
        role,
        await connectClient(setup.url, 'modern', { headers: { authorization: `Bearer ${key}` } }),
      );
    const fullTools = (await listAllTools(clients.get('full') as Client)).tools;
    const live = snapshotOf(fullTools, serverInfos());
    if (opts.writeCatalog) {
      writeSnapshot(live);
      opts.log(`wrote the catalog snapshot: ${live.tools.length} tools`);
      for (const s of live.servers)
        opts.log(`  ${s.name}: ${s.package ?? 'demo'} ${s.version ?? ''} ${s.tools} tools`);
      return undefined;
    }
    const differences = snapshotDifferences(opts.snapshot, live);
    if (differences.length > 0)
      throw new Error(
        `the catalog differs from bench/tool-search/catalog.json:\n  ${differences.join('\n  ')}\n` +
          'Refresh it with `node bench/tool-search.ts --write-catalog` and check the queries against it.',
      );
    const full1000 = (await listAllTools(clients.get('full-1000') as Client)).tools;
    return {
      full: listing(fullTools),
      full1000: listing(full1000),
      search: GATEWAY_HAS_SEARCH_MODE ? await searchMode(clients, fullTools, opts) : undefined,
    };
  } finally {
    for (const client of clients.values()) await client.close().catch(() => undefined);
    await setup.stop();
  }
}
