/**
 * Several gateway replicas behind an nginx of the test's own (helpers/nginx.ts), on loopback, as
 * the issue deploys them: each replica a `gatehouse serve --config FILE` process
 * (helpers/child-gateway.ts) sharing ONE config file, whose `storage.postgres` (a fresh schema of
 * the throwaway PostgreSQL, helpers/pg-schema.ts) and `rateLimits.redis` (the throwaway Redis)
 * are the only things they share. Each replica's embedded file (`storage.path`) is in a directory
 * of its own, given through the environment (`${GATEHOUSE_REPLICA_DIR}`), as on separate machines.
 *
 * `stop()` stops only what this started: the nginx master by its process group, each gateway by
 * its pid, and the upstream processes a killed replica left behind (its descendants, read from
 * /proc before the kill).
 */
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { descendants } from '../../../../bench/lib/process-tree.ts';
import { makeTempDir } from '../../../../scripts/test-temp-dir.ts';
import { type ChildGateway, type CliRun, gatehouseCli, readyz, startChildGateway } from './child-gateway.ts';
import { type Balancer, startBalancer } from './nginx.ts';
import { freshPgUrl } from './pg-schema.ts';

export interface Replica {
  readonly index: number;
  readonly pid: number;
  readonly port: number;
  /** The replica's own MCP endpoint (bypassing the balancer). */
  readonly url: string;
  readonly gateway: ChildGateway;
  /** Its own directory: the embedded database (`storage.path`) is `<dataDir>/gatehouse.db`. */
  readonly dataDir: string;
  /** Signals the replica; SIGKILL also kills the upstream processes it ran (the whole pod dies). */
  kill(signal: NodeJS.Signals): void;
}

export interface Replicas {
  /** The MCP endpoint through the balancer; null when started without one. */
  readonly url: string;
  readonly balancer: Balancer | null;
  readonly replicas: Replica[];
  readonly configFile: string;
  /** The environment the replicas (and `cli`) read the config with. */
  readonly env: NodeJS.ProcessEnv;
  /** The shared PostgreSQL URL (a fresh schema), or null for the embedded default. */
  readonly pgUrl: string | null;
  /** A one-shot `gatehouse …` command with the replicas' config and environment. */
  cli(args: string[]): Promise<CliRun>;
  stop(): Promise<void>;
}

export interface ReplicasOptions {
  count: number;
  /**
   * The config's own sections (upstreams, auth, policy, approvals, …). `server`, `logging`,
   * `storage` and `rateLimits` are written here; do not repeat them.
   */
  yaml: string;
  /** Rate-limit rules (YAML list items under `rules:`); default one generous per-principal rule. */
  rateLimitRules?: string;
  /** `shared` (default): a fresh PostgreSQL schema and the test Redis; `embedded`: neither. */
  state?: 'shared' | 'embedded';
  /** nginx in front (default true); false: the replicas alone (e.g. one direct gateway). */
  balancer?: boolean;
  /** nginx access log with the serving replica per request (default true). */
  accessLog?: boolean;
  /** Extra environment for the replicas and the CLI. */
  env?: NodeJS.ProcessEnv;
  logLevel?: string;
}

const GENEROUS_RULE = '    - { name: replicas-generous, per: [principal], limit: 1000000, windowSec: 3600 }';

function configText(options: ReplicasOptions, shared: boolean): string {
  const prefix = `gatehouse-replicas-${process.pid}-${randomBytes(4).toString('hex')}`;
  const storage = shared
    ? `storage:\n  path: \${GATEHOUSE_REPLICA_DIR}/gatehouse.db\n  postgres:\n    url: \${GATEHOUSE_PG_URL}\n`
    : `storage:\n  path: \${GATEHOUSE_REPLICA_DIR}/gatehouse.db\n`;
  const limits = shared
    ? `rateLimits:\n  redis:\n    url: \${GATEHOUSE_REDIS_URL}\n    prefix: ${prefix}\n  rules:\n${options.rateLimitRules ?? GENEROUS_RULE}\n`
    : '';
  return `server:\n  host: 127.0.0.1\nlogging:\n  level: ${options.logLevel ?? 'warn'}\n${storage}${limits}${options.yaml}\n`;
}

/** The live descendants of `pid`, or none when /proc cannot be read. */
function descendantsOf(pid: number): number[] {
  try {
    return descendants(pid);
  } catch {
    return [];
  }
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export async function startReplicas(options: ReplicasOptions): Promise<Replicas> {
  const shared = (options.state ?? 'shared') === 'shared';
  const dir = makeTempDir('gatehouse-replicas-');
  const configFile = join(dir, 'gatehouse.yaml');
  writeFileSync(configFile, configText(options, shared));
  const pgUrl = shared ? await freshPgUrl('replicas') : null;
  const redisUrl = process.env.GATEHOUSE_TEST_REDIS_URL;
  if (shared && !redisUrl) {
    throw new Error('GATEHOUSE_TEST_REDIS_URL is not set: run `source scripts/services.sh` first');
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...(pgUrl === null ? {} : { GATEHOUSE_PG_URL: pgUrl, GATEHOUSE_REDIS_URL: redisUrl }),
    ...options.env,
  };
  const gateways: ChildGateway[] = [];
  const orphans = new Set<number>();
  let balancer: Balancer | null = null;
  const stop = async (): Promise<void> => {
    await balancer?.stop();
    await Promise.all(gateways.map((gateway) => gateway.stop(10_000)));
    for (const pid of orphans) killQuietly(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const replicas: Replica[] = [];
    // One at a time: the first creates the shared tables (under an advisory lock anyway).
    for (let index = 0; index < options.count; index++) {
      const replicaDir = join(dir, `replica-${index}`);
      const gateway = await startChildGateway(configFile, 60_000, [], {
        ...env,
        GATEHOUSE_REPLICA_DIR: replicaDir,
      });
      gateways.push(gateway);
      await waitForReady(gateway.url);
      replicas.push({
        index,
        pid: gateway.pid,
        port: Number(new URL(gateway.url).port),
        url: gateway.url,
        gateway,
        dataDir: replicaDir,
        kill(signal) {
          const children = signal === 'SIGKILL' ? descendantsOf(gateway.pid) : [];
          gateway.signal(signal);
          for (const pid of children) {
            orphans.add(pid);
            killQuietly(pid, 'SIGKILL');
          }
        },
      });
    }
    if (options.balancer !== false) {
      balancer = await startBalancer(
        replicas.map((replica) => replica.port),
        options.accessLog === undefined ? {} : { accessLog: options.accessLog },
      );
    }
    const path = new URL(replicas[0]?.url ?? 'http://127.0.0.1/mcp').pathname;
    // With shared state the CLI needs no replica's file; with the embedded default it reads the first's.
    const cliEnv = { ...env, GATEHOUSE_REPLICA_DIR: shared ? join(dir, 'cli') : join(dir, 'replica-0') };
    return {
      url: balancer === null ? (replicas[0]?.url ?? '') : `${balancer.origin}${path}`,
      balancer,
      replicas,
      configFile,
      env: cliEnv,
      pgUrl,
      cli: (args) => gatehouseCli([...args, '--config', configFile], { env: cliEnv, timeoutMs: 120_000 }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitForReady(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last = '';
  while (Date.now() < deadline) {
    const answer = await readyz(url).catch((error: unknown) => ({ status: 0, body: String(error) }));
    if (answer.status === 200) return;
    last = JSON.stringify(answer.body);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`replica at ${url} not ready in 30 s: ${last}`);
}

/** The echo messages of every tools/call record in the fleet's shared audit table, with their status. */
export async function auditedMessages(fleet: Replicas): Promise<Map<string, string>> {
  const client = new pg.Client({ connectionString: fleet.pgUrl ?? '' });
  await client.connect();
  try {
    const { rows } = await client.query<{ message: string | null; status: string }>(
      "SELECT event->'arguments'->>'message' AS message, status FROM gatehouse_audit WHERE method = 'tools/call'",
    );
    return new Map(rows.map((row) => [row.message ?? '', row.status]));
  } finally {
    await client.end();
  }
}
