/**
 * The committed snapshot of the tool-search catalog (bench/tool-search/catalog.json): every tool
 * the gateway lists for a role that sees everything, as name, description and input schema, with
 * the server and pinned version each came from. The query set is checked against it (every
 * query's tool exists), and each run compares the live listing with it: a server whose tool list
 * changed under its pinned version fails the run with what changed, so recall is never measured
 * against a catalog the queries were not written for.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';

export const CATALOG_FILE = fileURLToPath(new URL('../tool-search/catalog.json', import.meta.url));
export const QUERIES_FILE = fileURLToPath(new URL('../tool-search/queries.json', import.meta.url));

const SnapshotTool = z.object({
  name: z.string(),
  server: z.string(),
  /** The tool's display title, when its server gives one (the index ranks it with the name). */
  title: z.string().optional(),
  description: z.string(),
  inputSchema: z.record(z.string(), z.unknown()),
});
export type SnapshotTool = z.infer<typeof SnapshotTool>;

const Snapshot = z.object({
  servers: z.array(
    z.object({
      name: z.string(),
      /** The npm package and its pinned version; absent for the demo servers (this repository). */
      package: z.string().optional(),
      version: z.string().optional(),
      tools: z.number(),
    }),
  ),
  tools: z.array(SnapshotTool),
});
export type CatalogSnapshot = z.infer<typeof Snapshot>;

const Query = z.object({ query: z.string().min(1), tool: z.string().min(1) });
export type ToolQuery = z.infer<typeof Query>;

export function readSnapshot(file = CATALOG_FILE): CatalogSnapshot {
  return Snapshot.parse(JSON.parse(readFileSync(file, 'utf8')));
}

export function readQueries(file = QUERIES_FILE): ToolQuery[] {
  return z.array(Query).parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** Writes the snapshot, formatted as the project's formatter (biome) keeps JSON files. */
export function writeSnapshot(snapshot: CatalogSnapshot, file = CATALOG_FILE): void {
  writeFileSync(file, `${JSON.stringify(snapshot, null, 2)}\n`);
  const biome = fileURLToPath(new URL('../../node_modules/.bin/biome', import.meta.url));
  const formatted = spawnSync(biome, ['format', '--write', file], { stdio: 'ignore' });
  if (formatted.status !== 0) throw new Error(`biome format ${file} failed (exit ${formatted.status})`);
}

/** A listed tool as the snapshot keeps it. */
export interface ListedTool {
  name: string;
  title?: string | undefined;
  description?: string | undefined;
  inputSchema: Record<string, unknown>;
}

export interface ServerInfo {
  name: string;
  package?: string;
  version?: string;
}

/** The server a gateway name belongs to: the longest upstream name that prefixes it with `_`. */
export function serverOf(tool: string, servers: readonly string[]): string | undefined {
  return [...servers].sort((a, b) => b.length - a.length).find((server) => tool.startsWith(`${server}_`));
}

/**
 * The snapshot of a listing, in the listing's order (upstreams as configured, each server's tools
 * as it lists them): the index breaks ties by that order, so index-only ranks as the gateway does.
 * Throws when a tool belongs to no known server.
 */
export function snapshotOf(tools: readonly ListedTool[], servers: readonly ServerInfo[]): CatalogSnapshot {
  const names = servers.map((s) => s.name);
  const snapshotTools = tools.map((tool) => {
    const server = serverOf(tool.name, names);
    if (server === undefined) throw new Error(`tool ${tool.name} belongs to no server of the catalog`);
    return {
      name: tool.name,
      server,
      ...(tool.title === undefined ? {} : { title: tool.title }),
      description: tool.description ?? '',
      inputSchema: tool.inputSchema,
    };
  });
  return {
    servers: servers.map((s) => ({ ...s, tools: snapshotTools.filter((t) => t.server === s.name).length })),
    tools: snapshotTools,
  };
}

const definition = (t: SnapshotTool) => JSON.stringify([t.title, t.description, t.inputSchema]);

/**
 * Per server, what differs between the committed snapshot and this run's listing: tools added,
 * removed, or whose description or input schema changed. Empty when they agree.
 */
export function snapshotDifferences(committed: CatalogSnapshot, live: CatalogSnapshot): string[] {
  const differences: string[] = [];
  for (const server of committed.servers) {
    const now = live.servers.find((s) => s.name === server.name);
    const pinned = server.package ? `${server.package}@${server.version}` : `${server.name} (demo server)`;
    if (now === undefined) {
      differences.push(`${pinned}: not in this run's catalog`);
      continue;
    }
    if (now.version !== server.version) {
      differences.push(
        `${pinned}: pinned at ${now.version} now; refresh the snapshot and re-check the queries`,
      );
      continue;
    }
    const before = new Map(committed.tools.filter((t) => t.server === server.name).map((t) => [t.name, t]));
    const after = new Map(live.tools.filter((t) => t.server === server.name).map((t) => [t.name, t]));
    const added = [...after.keys()].filter((n) => !before.has(n));
    const removed = [...before.keys()].filter((n) => !after.has(n));
    const changed = [...after.entries()]
      .filter(([n, t]) => {
        const old = before.get(n);
        return old !== undefined && definition(old) !== definition(t);
      })
      .map(([n]) => n);
    const parts = [
      added.length ? `added ${added.join(', ')}` : '',
      removed.length ? `removed ${removed.join(', ')}` : '',
      changed.length ? `definition changed: ${changed.join(', ')}` : '',
    ].filter(Boolean);
    if (parts.length)
      differences.push(`${pinned}: tool list changed under the pinned version — ${parts.join('; ')}`);
  }
  for (const server of live.servers)
    if (!committed.servers.some((s) => s.name === server.name))
      differences.push(`${server.name}: in this run's catalog but not in the snapshot`);
  return differences;
}

const NAME_STOP_WORDS = new Set([
  'a',
  'an',
  'the',
  'of',
  'to',
  'in',
  'on',
  'for',
  'and',
  'or',
  'with',
  'get',
  'api',
]);

/**
 * The words of a tool's own name (without its server prefix and filler words) that its question
 * uses: how much of the wording a ranker on names alone could match.
 */
export function nameWordsUsed(query: ToolQuery, tool: SnapshotTool): string[] {
  const own = query.tool
    .slice(tool.server.length + 1)
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '' && !NAME_STOP_WORDS.has(w) && w !== tool.server);
  const asked = new Set(query.query.toLowerCase().split(/[^a-z0-9]+/));
  return [...new Set(own.filter((w) => asked.has(w)))];
}
