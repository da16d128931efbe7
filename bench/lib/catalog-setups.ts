/**
 * The setups of bench/catalog-scale.ts: the many-tools upstreams (over HTTP for direct listing,
 * as stdio children of gateway A), the two gateways' configurations (five roles that see different
 * subsets of 1,000 tools; two roles over two 500-tool upstreams), their API keys, and one Setup
 * per role and per direct baseline with the tool count each listing must return.
 */
import { join } from 'node:path';
import { SqliteApiKeys } from '../../packages/gateway/src/auth/api-keys-sqlite.ts';
import { toolDefinitions } from '../upstream/many-tools-server.ts';
import { type Child, MANY_TOOLS_SERVER, startGatewayChild, startManyToolsHttp } from './scale-harness.ts';

export interface CatalogOptions {
  /** Upstreams behind gateway A, and tools in each. */
  upstreams: number;
  tools: number;
  /** Tools of each of the two single upstreams behind gateway B. */
  big: number;
  /** Gateway server.pageSize; the gateway's default when undefined. */
  pageSize: number | undefined;
  /** Where gateways write V8 CPU profiles; none when undefined. */
  profileDir: string | undefined;
}

const upstreamName = (i: number) => `s${String(i + 1).padStart(2, '0')}`;
const verbOf = (tool: string) => tool.split('_')[1] ?? '';
const READ_VERBS = new Set(['get', 'list', 'search', 'count']);

interface Role {
  name: string;
  groups: string[];
  sees: (upstream: number, tool: string) => boolean;
}

/** Gateway A's five roles, as policy groups and as the predicate each listing is checked against. */
function rolesFor(opts: CatalogOptions): Role[] {
  const half = Math.max(1, Math.floor(opts.upstreams / 2));
  const seesHalf = (u: number, t: string) => u < half && !['delete', 'archive'].includes(verbOf(t));
  return [
    { name: 'desk', groups: ['two-systems'], sees: (u) => u < 2 },
    { name: 'analyst', groups: ['half-the-systems'], sees: seesHalf },
    { name: 'auditor', groups: ['read-only'], sees: (_u, t) => READ_VERBS.has(verbOf(t)) },
    {
      name: 'ops',
      groups: ['half-the-systems', 'read-only'],
      sees: (u, t) => seesHalf(u, t) || READ_VERBS.has(verbOf(t)),
    },
    { name: 'admin', groups: ['everything'], sees: () => true },
  ];
}

function commonYaml(opts: CatalogOptions, storage: string): string {
  const pageSize = opts.pageSize === undefined ? '' : `, pageSize: ${opts.pageSize}`;
  return `server: { host: 127.0.0.1, port: 0${pageSize} }
logging: { level: warn }
storage: { path: ${JSON.stringify(storage)} }
auth: { apiKeys: true }
audit: { enabled: true }
observability: { metrics: { enabled: true } }
`;
}

function gatewayAYaml(opts: CatalogOptions, roles: Role[], storage: string): string {
  const half = Math.max(1, Math.floor(opts.upstreams / 2));
  const upstreams = Array.from({ length: opts.upstreams }, (_, i) => {
    const name = upstreamName(i);
    const args = [MANY_TOOLS_SERVER, '--tools', String(opts.tools), '--prefix', name];
    return `  - name: ${name}\n    transport: stdio\n    command: ${JSON.stringify(process.execPath)}\n    args: ${JSON.stringify(args)}\n    prefix: ""\n`;
  }).join('');
  const halfGlobs = Array.from({ length: half }, (_, i) => `"${upstreamName(i)}_*"`).join(', ');
  return `${commonYaml(opts, storage)}upstreams:
${upstreams}policy:
  groups:
    two-systems: { allow: [{ tools: ["${upstreamName(0)}_*", "${upstreamName(1)}_*"] }] }
    half-the-systems:
      allow: [{ tools: [${halfGlobs}] }]
      deny: [{ tools: ["*_delete_*", "*_archive_*"] }]
    read-only: { allow: [{ tools: ["*_get_*", "*_list_*", "*_search_*", "*_count_*"] }] }
    everything: { allow: [{ tools: ["*"], resources: ["*"], prompts: ["*"] }] }
  roles:
${roles.map((r) => `    ${r.name}: { groups: [${r.groups.join(', ')}] }`).join('\n')}
`;
}

const BIG = { json: 'json500', zod: 'zod500' } as const;

function gatewayBYaml(opts: CatalogOptions, storage: string, urls: { json: string; zod: string }): string {
  return `${commonYaml(opts, storage)}upstreams:
  - { name: ${BIG.json}, transport: http, url: ${JSON.stringify(urls.json)}, prefix: "" }
  - { name: ${BIG.zod}, transport: http, url: ${JSON.stringify(urls.zod)}, prefix: "" }
policy:
  groups:
    json-tools: { allow: [{ tools: ["${BIG.json}_*"] }] }
    zod-tools: { allow: [{ tools: ["${BIG.zod}_*"] }] }
  roles:
    json-user: { groups: [json-tools] }
    zod-user: { groups: [zod-tools] }
`;
}

function keysFor(storage: string, roles: string[]): Map<string, string> {
  const store = new SqliteApiKeys(storage);
  try {
    return new Map(roles.map((role) => [role, store.create({ user: `bench-${role}`, roles: [role] }).key]));
  } finally {
    store.close();
  }
}

export interface Setup {
  name: string;
  group: '1000' | '500';
  /** The direct setup this one is compared with (absent: it is a baseline). */
  baseline?: string;
  /** Where one listing goes: one gateway, or every upstream (listed in parallel and merged). */
  targets: { url: string; headers: Record<string, string> }[];
  expected: number;
  /** The gateway process, or the upstream process(es) for direct setups (CPU per listing). */
  pids: number[];
}

/** The HTTP upstreams, the two gateways, and one setup per role and per baseline. */
export async function startSetups(opts: CatalogOptions, dir: string, children: Child[]): Promise<Setup[]> {
  const roles = rolesFor(opts);
  const direct = await Promise.all(
    Array.from({ length: opts.upstreams }, (_, i) => startManyToolsHttp(upstreamName(i), opts.tools)),
  );
  children.push(...direct);
  const bigJson = await startManyToolsHttp(BIG.json, opts.big, 'json');
  children.push(bigJson);
  const bigZod = await startManyToolsHttp(BIG.zod, opts.big, 'zod');
  children.push(bigZod);
  const prof = (name: string) =>
    opts.profileDir
      ? ['--cpu-prof', '--cpu-prof-dir', opts.profileDir, '--cpu-prof-name', `${name}.cpuprofile`]
      : [];
  const storageA = join(dir, 'a.db');
  const keysA = keysFor(
    storageA,
    roles.map((r) => r.name),
  );
  const gatewayA = await startGatewayChild(
    join(dir, 'a.yaml'),
    gatewayAYaml(opts, roles, storageA),
    'gateway A',
    prof('gateway-a'),
  );
  children.push(gatewayA);
  const storageB = join(dir, 'b.db');
  const keysB = keysFor(storageB, ['json-user', 'zod-user']);
  const yamlB = gatewayBYaml(opts, storageB, { json: bigJson.url, zod: bigZod.url });
  const gatewayB = await startGatewayChild(join(dir, 'b.yaml'), yamlB, 'gateway B', prof('gateway-b'));
  children.push(gatewayB);

  const allTools = Array.from({ length: opts.upstreams }, (_, u) =>
    toolDefinitions(upstreamName(u), opts.tools).map((t) => ({ u, name: t.name })),
  ).flat();
  const bearer = (key: string | undefined) => ({ authorization: `Bearer ${key ?? ''}` });
  const merged = `direct: ${opts.upstreams} upstreams, merged`;
  const bigSetups = (kind: 'json' | 'zod', upstream: Child, label: string): Setup[] => [
    {
      name: `direct: ${label}`,
      group: '500',
      targets: [{ url: upstream.url, headers: {} }],
      expected: opts.big,
      pids: [upstream.pid],
    },
    {
      name: `gatehouse → ${label}`,
      group: '500',
      baseline: `direct: ${label}`,
      targets: [{ url: gatewayB.url, headers: bearer(keysB.get(`${kind}-user`)) }],
      expected: opts.big,
      pids: [gatewayB.pid],
    },
  ];
  return [
    {
      name: merged,
      group: '1000',
      targets: direct.map((c) => ({ url: c.url, headers: {} })),
      expected: allTools.length,
      pids: direct.map((c) => c.pid),
    },
    ...roles.map(
      (role): Setup => ({
        name: `gatehouse: ${role.name}`,
        group: '1000',
        baseline: merged,
        targets: [{ url: gatewayA.url, headers: bearer(keysA.get(role.name)) }],
        expected: allTools.filter((t) => role.sees(t.u, t.name)).length,
        pids: [gatewayA.pid],
      }),
    ),
    ...bigSetups('json', bigJson, 'upstream with prebuilt JSON Schemas'),
    ...bigSetups('zod', bigZod, 'upstream on McpServer + zod'),
  ];
}
