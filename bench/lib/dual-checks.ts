/**
 * What bench/dual-architecture.ts observes about the two paths at run time, behind the seed's
 * comparison table and the "which tools each path can see" tables: the tool list of each path for
 * an admin, a responder, a viewer and an operator; where each server runs; which door the changes
 * came through (the activity log's `via`); and the refusals that draw the boundary — a privileged
 * tool called by name on the external server, an unknown token, the internal listener without
 * its service token or without a user, a responder's privileged call, an operator's reach.
 * Each observation says whether it held; the bench exits non-zero when one did not.
 */
import { readFileSync } from 'node:fs';
import {
  connectToolSource,
  countToolDefinitionTokens,
  type McpToolSource,
} from '../../packages/host/src/index.ts';
import { listActivity } from '../../packages/lantern/src/domain/activity.ts';
import { stdioServer } from '../../packages/lantern-mcp/test/helpers.ts';
import { hostCall } from './dual-turns.ts';
import { ALICE, BOB, type DualWorld, LISTED_USERS, OLIVIA, PATHS, type PathName } from './dual-world.ts';

/** Internal tools with a public twin under another name (not privileged). */
const TWINS: Record<string, string> = { add_note: 'add_incident_note', set_status: 'set_incident_status' };

export interface PathListing {
  path: PathName;
  email: string;
  role: string;
  servers: string[];
  tools: string[];
  definitionTokens: number;
}

export async function listPaths(world: DualWorld): Promise<PathListing[]> {
  const listings: PathListing[] = [];
  for (const email of LISTED_USERS) {
    for (const path of PATHS) {
      const source = await world.connect(path, email);
      try {
        listings.push({
          path,
          email,
          role: world.users[email]?.identity.role ?? '?',
          servers: source.servers().map((s) => s.name),
          tools: source.tools().map((t) => t.serverToolName),
          definitionTokens: countToolDefinitionTokens(source.tools()),
        });
      } finally {
        await source.close();
      }
    }
  }
  return listings;
}

/** Internal tools no external listing has, under their name or their twin's. */
export function privilegedTools(listings: PathListing[]): string[] {
  const external = new Set(listings.filter((l) => l.path === 'external').flatMap((l) => l.tools));
  const internal = new Set(listings.filter((l) => l.path === 'internal').flatMap((l) => l.tools));
  return [...internal].filter((t) => !external.has(t) && !external.has(TWINS[t] ?? '')).sort();
}

export interface Observation {
  external: string;
  internal: string;
  held: boolean;
}

export interface Observations {
  location: Observation;
  access: Observation;
  authentication: Observation;
  dataAccess: Observation;
  securityContext: Observation;
  aiInterface: Observation;
}

function cmdline(pid: number | undefined): string {
  if (pid === undefined) return '';
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return '';
  }
}

const short = (text: string, max = 90) => (text.length > max ? `${text.slice(0, max)}…` : text);

async function refusedText(call: () => Promise<void>): Promise<string | undefined> {
  try {
    await call();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

export interface CheckInputs {
  world: DualWorld;
  listings: PathListing[];
  /** Alice's sources (connected for the turns). */
  sources: Record<PathName, McpToolSource>;
  /** Refs opened on each path during the run. */
  opened: Record<PathName, Set<string>>;
  since: string;
}

async function location({ world, sources }: CheckInputs): Promise<Observation> {
  const pid = sources.external.servers()[0]?.pid;
  const command = cmdline(pid);
  const internal = world.lantern.internal;
  const front = await fetch(`${world.lantern.url}/mcp/incidents`, { method: 'POST' });
  const internalUrl = new URL(internal?.url ?? 'http://invalid');
  const held =
    pid !== undefined &&
    pid !== process.pid &&
    command.includes('lantern-mcp/src/main.ts') &&
    internalUrl.hostname === '127.0.0.1' &&
    internalUrl.port !== new URL(world.lantern.url).port &&
    front.status === 404;
  return {
    external: `its own process next to the user's host (pid ${pid ?? '?'}, launched over stdio: ${short(command.replace(/^\S*\/node /, 'node ').replace(`${process.cwd()}/`, ''), 70)})`,
    internal: `inside the backend's process (pid ${process.pid}), on its own listener ${internalUrl.host} (loopback); the public listener answers POST /mcp/incidents with ${front.status}`,
    held,
  };
}

async function access({ world, opened, since }: CheckInputs): Promise<Observation> {
  const alice = world.users[ALICE]?.identity;
  if (alice === undefined) throw new Error('no alice');
  const entries = await listActivity(
    world.lantern.core.sql,
    { kind: 'user', user: alice, via: 'web' },
    {
      action: 'incident.opened',
      since,
      limit: 200,
    },
  );
  const via = (path: PathName) => {
    const mine = entries.filter((e) => opened[path].has(e.target) || opened[path].has(String(e.detail.ref)));
    return { count: mine.length, doors: [...new Set(mine.map((e) => e.via))] };
  };
  const external = via('external');
  const internal = via('internal');
  return {
    external: `the REST API over HTTP: its ${external.count} openings are logged via ${external.doors.join(', ') || '–'}`,
    internal: `the domain on the database, no REST hop: its ${internal.count} openings are logged via ${internal.doors.join(', ') || '–'}`,
    held:
      external.count > 0 &&
      internal.count > 0 &&
      external.doors.join() === 'api' &&
      internal.doors.join() === 'internal-mcp',
  };
}

async function authentication({ world }: CheckInputs): Promise<Observation> {
  const unknown = await stdioServer({
    LANTERN_URL: world.lantern.url,
    LANTERN_TOKEN: 'lnt_unknownbenchtoken',
  });
  const refused = await unknown.call('whoami').finally(() => unknown.close());
  const internal = world.lantern.internal;
  const url = internal?.urls.incidents ?? '';
  const anonymous = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  const withoutUser = await connectToolSource({
    kind: 'servers',
    servers: [
      {
        name: 'lantern-incidents',
        type: 'http',
        url,
        headers: { authorization: `Bearer ${internal?.token ?? ''}` },
      },
    ],
  });
  const why = await refusedText(hostCall(withoutUser, 'list_incidents', {})).finally(() =>
    withoutUser.close(),
  );
  return {
    external: `the user's own API token (LANTERN_TOKEN lnt_…); an unknown one: "${short(refused.text, 80)}"`,
    internal: `the service token (without it: HTTP ${anonymous.status}); the user from _meta["dev.gatehouse/principal"] (none: "${short(why ?? 'answered', 80)}")`,
    held: refused.isError && anonymous.status === 401 && why !== undefined,
  };
}

async function dataAccess({ world, listings }: CheckInputs): Promise<Observation> {
  const privileged = privilegedTools(listings);
  const alice = await stdioServer({
    LANTERN_URL: world.lantern.url,
    LANTERN_TOKEN: world.users[ALICE]?.token ?? '',
  });
  // The SDK answers an unlisted tool with a protocol error (thrown) or an error result.
  const byName = await alice
    .call('incident_stats', { days: 30 })
    .catch((error: unknown) => ({
      isError: true,
      text: error instanceof Error ? error.message : String(error),
    }))
    .finally(() => alice.close());
  const external = listings.find((l) => l.path === 'external' && l.email === OLIVIA)?.tools ?? [];
  return {
    external: `what the API exposes: ${external.length} tools for every user; none of the ${privileged.length} privileged ones — incident_stats called by name: "${short(byName.text, 50)}"`,
    internal: `the database itself: up to ${privileged.length} privileged tools (${privileged.join(', ')}) by role`,
    held: byName.isError && privileged.length > 0 && privileged.every((t) => !external.includes(t)),
  };
}

async function securityContext({ world }: CheckInputs): Promise<Observation> {
  const bobExternal = await world.connect('external', BOB);
  const bobDelete = await refusedText(hostCall(bobExternal, 'delete_incident', { ref: 'INC-1' })).finally(
    () => bobExternal.close(),
  );
  const oliviaExternal = await world.connect('external', OLIVIA);
  const outcome = async (tool: string, args: Record<string, unknown>) => {
    const name = oliviaExternal.tools().find((t) => t.serverToolName === tool)?.name ?? tool;
    const result = await oliviaExternal.callTool(name, args, {
      signal: new AbortController().signal,
      ask: async () => ({ action: 'decline' }),
    });
    return result.raw.structuredContent as Record<string, unknown> | undefined;
  };
  const whoami = await outcome('whoami', {});
  const listed = await outcome('list_incidents', { limit: 100 }).finally(() => oliviaExternal.close());
  const oliviaOrg = (whoami?.user as { orgId?: string } | undefined)?.orgId ?? '?';
  const ownOrgs = [...new Set(((listed?.incidents ?? []) as { orgId: string }[]).map((i) => i.orgId))];
  // Bob's chat has no analytics component; connected to it anyway (service token, Bob in _meta):
  const analytics = world.internalServers(ALICE).find((s) => s.name === 'lantern-analytics');
  const bobMeta = world.internalServers(BOB)[0]?.callMeta?.['dev.gatehouse/principal'] as
    | Record<string, unknown>
    | undefined;
  if (analytics === undefined || bobMeta === undefined)
    throw new Error('no analytics component or no principal for bob');
  const bobAnalytics = await connectToolSource({
    kind: 'servers',
    servers: [{ ...analytics, callMeta: { 'dev.gatehouse/principal': { ...bobMeta, roles: ['admin'] } } }],
  });
  const bobStats = await refusedText(hostCall(bobAnalytics, 'incident_stats', { days: 30 })).finally(() =>
    bobAnalytics.close(),
  );
  const bobServers = world.internalServers(BOB).map((s) => s.name);
  const oliviaInternal = await world.connect('internal', OLIVIA);
  const crossOrg = await refusedText(hostCall(oliviaInternal, 'org_incidents', { org: 'northwind' })).finally(
    () => oliviaInternal.close(),
  );
  return {
    external: `the user's permissions: a responder's delete_incident: "${short(bobDelete ?? 'answered', 80)}"; an operator's token (whoami: org ${oliviaOrg}) lists ${((listed?.incidents ?? []) as unknown[]).length} incidents, of no tenant`,
    internal: `service context bounded by the user's role: a responder's chat gets ${bobServers.join(', ')}; his incident_stats on the analytics component, claiming admin in _meta, is refused: "${short(bobStats ?? 'answered', 80)}"; an operator reads northwind: ${crossOrg === undefined ? 'yes' : `no (${crossOrg})`}`,
    held:
      bobDelete !== undefined &&
      oliviaOrg === 'lantern' &&
      !ownOrgs.some((o) => o !== 'lantern') &&
      /responder/.test(bobStats ?? '') &&
      !bobServers.includes('lantern-analytics') &&
      crossOrg === undefined,
  };
}

function aiInterface({ world, sources }: CheckInputs): Observation {
  const external = sources.external.servers().map((s) => `${s.name} (${s.era ?? '?'} era)`);
  const internal = world.internalServers(ALICE).map((s) => s.name);
  return {
    external: `an external MCP host: the host library launched it from a servers entry (${external.join(', ')}), as Claude Desktop would`,
    internal: `the product's internal host: the built-in chat's own server configs for the user (${internal.join(', ')})`,
    held: external.length === 1 && internal.length > 0,
  };
}

export async function observe(inputs: CheckInputs): Promise<Observations> {
  return {
    location: await location(inputs),
    access: await access(inputs),
    authentication: await authentication(inputs),
    dataAccess: await dataAccess(inputs),
    securityContext: await securityContext(inputs),
    aiInterface: aiInterface(inputs),
  };
}
