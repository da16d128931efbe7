/**
 * Three gateway replicas behind nginx (round-robin, no affinity), sharing nothing but PostgreSQL
 * and Redis (helpers/replicas.ts), through the front door:
 *
 * - the official conformance suite (2026-07-28 requirements, the pinned CLI the `conformance`
 *   script runs) passes through the balancer as it does against one gateway;
 * - a tools/call load in each era during which one replica is SIGKILLed: the balancer keeps
 *   serving (2025-era sessions continue on the other replicas), every call that got an answer is
 *   in the shared audit table, and `gatehouse audit verify` with the replicas' config says the
 *   one chain verifies.
 *
 * Needs `source scripts/services.sh` (PostgreSQL, Redis, nginx); without them it fails, never skips.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/client';
import { lostPasses, type RunResult, runSuite } from '../../../scripts/conformance-lib.ts';
import { startConformanceHttpServer } from '../../conformance-server/src/index.ts';
import { type CallOutcome, callOutcome, killLeftoverGateways } from './helpers/child-gateway.ts';
import { connectClient, fixtureUpstreamYaml, OPEN_ACCESS_YAML } from './helpers/harness.ts';
import { dropPgSchemas } from './helpers/pg-schema.ts';
import { auditedMessages, startReplicas } from './helpers/replicas.ts';
import { makeTempDir } from './helpers/temp-dir.ts';

after(async () => {
  killLeftoverGateways();
  await dropPgSchemas();
});

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The pinned suite CLI the conformance script runs for `--requirements 2026-07-28`. */
function suiteBin(): string {
  const dir = join(ROOT, 'node_modules/conformance-0-2');
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    bin?: string | Record<string, string>;
  };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.conformance;
  assert.ok(bin, 'conformance-0-2 has no conformance bin: run npm install');
  return join(dir, bin);
}

async function runRequirements2026(url: string, outDir: string, label: string): Promise<RunResult> {
  return runSuite({
    bin: suiteBin(),
    args: ['server', '--url', url, '--requirements', '2026-07-28'],
    outputDir: join(outDir, label),
    logFile: join(outDir, `${label}.log`),
    timeoutMs: 10 * 60_000,
  });
}

/** What examples/conformance/gatehouse.yaml says, less server and storage (the helper writes them). */
function conformanceYaml(upstreamUrl: string): string {
  return `upstreams:
  - name: upstream
    transport: http
    url: ${JSON.stringify(upstreamUrl)}
    prefix: ""
auth:
  anonymous: { roles: [conformance] }
policy:
  groups:
    everything:
      allow: [{ tools: ["*"], resources: ["*"], prompts: ["*"] }]
  roles:
    conformance: { groups: [everything] }
pinning: { enabled: false }
`;
}

describe('replicas behind nginx: conformance', () => {
  it('the 2026-07-28 requirements pass through the balancer as they do against one gateway', async () => {
    const outDir = makeTempDir('gatehouse-replicas-conformance-');
    const upstream = await startConformanceHttpServer({ port: 0, host: '127.0.0.1' });
    const stopping: (() => Promise<void>)[] = [() => upstream.close()];
    let passed = false;
    try {
      const yaml = conformanceYaml(upstream.url);
      const single = await startReplicas({ count: 1, yaml, balancer: false });
      stopping.push(() => single.stop());
      const one = await runRequirements2026(single.url, outDir, 'single');
      await single.stop();
      const fleet = await startReplicas({ count: 3, yaml });
      stopping.push(() => fleet.stop());
      const balanced = await runRequirements2026(fleet.url, outDir, 'balanced');
      assert.equal(one.error, undefined, `single gateway run: ${one.error} (${one.logFile})`);
      assert.equal(balanced.error, undefined, `balanced run: ${balanced.error} (${balanced.logFile})`);
      assert.ok(one.passed > 0, `no check passed against one gateway (${one.logFile})`);
      const why = new Map(balanced.failures.map((failure) => [failure.key, failure.message]));
      const lost = lostPasses(one, balanced).map(
        ({ key, gatewayStatus }) => `${key}: ${gatewayStatus} ${why.get(key) ?? ''}`,
      );
      assert.deepEqual(
        lost,
        [],
        `checks passing against one gateway but not through nginx (${balanced.logFile})`,
      );
      assert.equal(balanced.failed, one.failed, balanced.failures.map((f) => f.key).join('\n'));
      // Round-robin really spread the suite over the replicas.
      const served = new Set(fleet.balancer?.upstreamAddresses().filter((a) => a !== '-'));
      assert.equal(served.size, 3, `replicas that served: ${[...served].join(', ')}`);
      passed = true;
    } finally {
      for (const stop of stopping.reverse()) await stop().catch(() => {});
      // The suite's raw output stays for reading when the test failed.
      if (passed) rmSync(outDir, { recursive: true, force: true });
    }
  });
});

/** Runs `calls` echo calls from `clients` workers; `onProgress(done)` after each answered one. */
async function echoLoad(
  clients: Client[],
  calls: number,
  tag: string,
  onProgress: (done: number) => void,
): Promise<CallOutcome[]> {
  const outcomes: CallOutcome[] = new Array(calls);
  let next = 0;
  let done = 0;
  await Promise.all(
    clients.map(async (client) => {
      while (next < calls) {
        const i = next++;
        outcomes[i] = await callOutcome(client, 'alpha_echo', { message: `${tag}-${i}` }, 30_000);
        onProgress(++done);
      }
    }),
  );
  return outcomes;
}

/**
 * Each era: workers call through the balancer while one replica is SIGKILLed a third of the way
 * in. 2026-07-28 calls stand alone; 2025-era sessions (opened round-robin, some on the replica
 * that dies) must continue on the others.
 */
const LOADS = [
  { era: 'modern', clients: 16, calls: 1500 },
  { era: 'legacy', clients: 9, calls: 900 },
] as const;

for (const { era, clients: workers, calls } of LOADS)
  describe(`replicas behind nginx: a replica dies under ${era === 'modern' ? '2026-07-28' : '2025-11-25'} load`, () => {
    it('keeps serving; every answered call is audited once, and the chain verifies', async () => {
      const fleet = await startReplicas({
        count: 3,
        yaml: `upstreams:\n${fixtureUpstreamYaml('alpha')}\n${OPEN_ACCESS_YAML}`,
      });
      const clients: Client[] = [];
      try {
        for (let i = 0; i < workers; i++) clients.push(await connectClient(fleet.url, era));
        const victim = fleet.replicas[1];
        assert.ok(victim);
        let killedAt = -1;
        const outcomes = await echoLoad(clients, calls, era, (done) => {
          if (killedAt < 0 && done >= calls / 3) {
            killedAt = done;
            victim.kill('SIGKILL');
          }
        });
        const exit = await victim.gateway.exited;
        assert.equal(exit.signal, 'SIGKILL');
        const answered = outcomes.flatMap((o, i) =>
          o.kind === 'result' && !o.isError && o.text === `alpha: ${era}-${i}` ? [`${era}-${i}`] : [],
        );
        const unanswered = outcomes.filter((o) => o.kind !== 'result' || o.isError);
        // Only calls in flight on the victim when it died may go unanswered (nginx does not resend a
        // POST it already sent): at most one per worker.
        assert.ok(
          unanswered.length <= clients.length,
          `${unanswered.length} calls unanswered: ${JSON.stringify(unanswered.slice(0, 3))}`,
        );
        assert.equal(answered.length + unanswered.length, calls);
        // The balancer kept serving after the kill: the last third all answered.
        const tail = outcomes.slice(Math.ceil((calls * 2) / 3));
        assert.deepEqual(
          tail.filter((o) => o.kind !== 'result' || o.isError),
          [],
          'calls failed long after the replica died',
        );
        const audited = await auditedMessages(fleet);
        const missing = answered.filter((message) => audited.get(message) !== 'ok');
        const auditFailures = fleet.replicas.flatMap((replica) =>
          replica.gateway
            .logs()
            .filter((line) => line.msg === 'audit write failed' || line.msg === 'audit batch not committed'),
        );
        assert.deepEqual(
          missing.slice(0, 10),
          [],
          `${missing.length} answered calls not in the audit as ok; the replicas logged ${auditFailures.length} audit failures, e.g. ${JSON.stringify(auditFailures[0])}`,
        );
        const verify = await fleet.cli(['audit', 'verify']);
        assert.equal(verify.status, 0, `${verify.stdout}${verify.stderr}`);
        assert.match(verify.stdout, /^audit chain intact: (\d+) record\(s\), head #\d+ [0-9a-f]{64}/);
        const count = Number(/intact: (\d+) record/.exec(verify.stdout)?.[1]);
        assert.ok(count >= answered.length, `${count} records for ${answered.length} answered calls`);
        // Every replica served part of the load (round-robin, no affinity).
        const served = new Set(fleet.balancer?.upstreamAddresses().filter((a) => a !== '-'));
        for (const replica of fleet.replicas) {
          assert.ok(
            [...served].some((address) => address.endsWith(`:${replica.port}`)),
            `replica ${replica.index} (port ${replica.port}) served nothing: ${[...served].join(', ')}`,
          );
        }
      } finally {
        await Promise.allSettled(clients.map((client) => client.close()));
        await fleet.stop();
      }
    });
  });
