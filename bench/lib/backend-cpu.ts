/**
 * CPU used by the throwaway PostgreSQL and Redis of scripts/services.sh (the postmaster with every
 * backend it forked, and redis-server), read from /proc like the gateways' own: what shared state
 * costs on the database side, per call. Their pids come from the files services.sh records
 * (GATEHOUSE_SERVICES_DIR, else its default folder); undefined when they cannot be found.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { treeCpuMs } from './process-tree.ts';

function recorded(file: string): Record<string, string> {
  const dir =
    process.env.GATEHOUSE_SERVICES_DIR ?? join(tmpdir(), `gatehouse-services-${process.getuid?.() ?? 0}`);
  try {
    const text = readFileSync(join(dir, file), 'utf8');
    return Object.fromEntries(
      text.split('\n').flatMap((line) => {
        const at = line.indexOf('=');
        return at > 0 ? [[line.slice(0, at), line.slice(at + 1)]] : [];
      }),
    );
  } catch {
    return {};
  }
}

function pidIn(file: string | undefined): number | undefined {
  if (file === undefined) return undefined;
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The postmaster's and redis-server's pids, as far as they can be found. */
export function backendPids(): { postgres?: number; redis?: number } {
  const pgData = recorded('postgres.env').PG_DATA;
  const redisData = recorded('redis.env').REDIS_DATA;
  const postgres = pidIn(pgData === undefined ? undefined : join(pgData, 'postmaster.pid'));
  const redis = pidIn(redisData === undefined ? undefined : join(redisData, 'redis.pid'));
  return { ...(postgres === undefined ? {} : { postgres }), ...(redis === undefined ? {} : { redis }) };
}

/** CPU ms used so far by PostgreSQL (every backend) and Redis together; NaN when either is unknown. */
export function backendCpuMs(pids: { postgres?: number; redis?: number }): number {
  if (pids.postgres === undefined || pids.redis === undefined) return Number.NaN;
  return (treeCpuMs(pids.postgres) ?? Number.NaN) + (treeCpuMs(pids.redis) ?? Number.NaN);
}
