/**
 * The setups bench/scale-out.ts measures, all in front of one shared bench server over Streamable
 * HTTP (bench/upstream/bench-server.ts), each gateway a `gatehouse serve` child process started by
 * the replica test harness (packages/gateway/test/helpers/replicas.ts):
 *
 * - `embedded direct`: one gateway, the embedded SQLite default (audit in its file), no balancer;
 * - `postgres direct`: one gateway with `storage.postgres` (a fresh schema) and `rateLimits.redis`,
 *   no balancer: against the first, the added cost per call of shared state;
 * - `nginx ×N`: N such gateways behind nginx (round-robin, no affinity).
 *
 * Every gateway runs the full pipeline: a static API key, a policy with a condition evaluated on
 * every call, one rate-limit rule (in Redis with shared state, in memory without), the audit log.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { type Replicas, startReplicas } from '../../packages/gateway/test/helpers/replicas.ts';
import { untilAuditCommitted } from './audit-committed.ts';

export interface ScaleSetup {
  name: string;
  replicas: number;
  balanced: boolean;
  state: 'shared' | 'embedded';
}

export function setupsFor(replicaCounts: number[]): ScaleSetup[] {
  return [
    { name: 'embedded direct', replicas: 1, balanced: false, state: 'embedded' },
    { name: 'postgres direct', replicas: 1, balanced: false, state: 'shared' },
    ...replicaCounts.map((n) => ({
      name: `nginx ×${n}`,
      replicas: n,
      balanced: true,
      state: 'shared' as const,
    })),
  ];
}

export const BENCH_KEY = randomBytes(24).toString('hex');

function gatewayYaml(upstreamUrl: string): string {
  return `upstreams:
  - name: bench
    transport: http
    url: ${JSON.stringify(upstreamUrl)}
    prefix: ""
auth:
  apiKeys: false
  staticKeys:
    - key: \${GATEHOUSE_BENCH_KEY}
      user: bench
      org: bench
      roles: [bench]
policy:
  groups:
    bench-tools:
      allow:
        - tools: ["*"]
      deny:
        - tools: ["*"]
          when: ['text == "forbidden"']
  roles:
    bench: { groups: [bench-tools] }
pinning: { enabled: false }
`;
}

const RULE = '    - { name: bench-generous, per: [principal], limit: 100000000, windowSec: 3600 }';

export async function startSetup(setup: ScaleSetup, upstreamUrl: string): Promise<Replicas> {
  const yaml =
    setup.state === 'embedded'
      ? `${gatewayYaml(upstreamUrl)}rateLimits:\n  rules:\n${RULE}\n`
      : gatewayYaml(upstreamUrl);
  return startReplicas({
    count: setup.replicas,
    yaml,
    state: setup.state,
    balancer: setup.balanced,
    accessLog: false,
    rateLimitRules: RULE,
    env: { GATEHOUSE_BENCH_KEY: BENCH_KEY },
  });
}

/** tools/call records with status ok in the setup's audit log (the shared table, or the file). */
export async function auditedOkCalls(fleet: Replicas): Promise<number> {
  if (fleet.pgUrl !== null) {
    const client = new pg.Client({ connectionString: fleet.pgUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>(
        "SELECT count(*) AS n FROM gatehouse_audit WHERE method = 'tools/call' AND status = 'ok'",
      );
      return Number(rows[0]?.n ?? 0);
    } finally {
      await client.end();
    }
  }
  let total = 0;
  for (const replica of fleet.replicas) {
    await untilAuditCommitted(join(replica.dataDir, 'gatehouse.db'));
    const db = new DatabaseSync(join(replica.dataDir, 'gatehouse.db'), { readOnly: true });
    try {
      const row = db
        .prepare("SELECT count(*) AS n FROM audit_log WHERE method = 'tools/call' AND status = 'ok'")
        .get() as { n: number };
      total += row.n;
    } finally {
      db.close();
    }
  }
  return total;
}
