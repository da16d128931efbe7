/**
 * What taking up a 2025-era session costs a replica that does not hold it (issue 19): two replicas
 * on one PostgreSQL, no balancer; `sessions` sessions opened on the first; then one tools/call per
 * session on the second — each takes its session up (reads the record, replays the handshake to a
 * fresh server) before calling — and then the same again, now on sessions it holds. The difference
 * per call, in the second replica's CPU, PostgreSQL's CPU and latency, is the cost of a takeover.
 */

import { openSession, post } from '../../packages/gateway/test/helpers/raw-http.ts';
import { backendCpuMs, backendPids } from './backend-cpu.ts';
import { percentile } from './figures.ts';
import { processCpuMs } from './process-tree.ts';
import { BENCH_KEY, startSetup } from './scale-out-setups.ts';

export interface TakeoverCost {
  sessions: number;
  /** Per call on a session the replica takes up, and on one it holds. */
  takenUp: { gatewayCpuMs: number; backendCpuMs: number; p50Ms: number };
  held: { gatewayCpuMs: number; backendCpuMs: number; p50Ms: number };
}

const VERSION = '2025-11-25';

async function openSessionId(url: string): Promise<string> {
  const headers = await openSession(url, VERSION, { authorization: `Bearer ${BENCH_KEY}` });
  return headers['mcp-session-id'] as string;
}

async function callEach(url: string, ids: string[], concurrency: number) {
  const pids = backendPids();
  const latencies = new Float64Array(ids.length);
  let next = 0;
  const backendBefore = backendCpuMs(pids);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < ids.length) {
        const i = next++;
        const t0 = performance.now();
        const answer = await post(
          url,
          {
            jsonrpc: '2.0',
            id: i + 1,
            method: 'tools/call',
            params: { name: 'echo', arguments: { text: `t${i}` } },
          },
          {
            authorization: `Bearer ${BENCH_KEY}`,
            'mcp-session-id': ids[i] as string,
            'mcp-protocol-version': VERSION,
          },
        );
        latencies[i] = performance.now() - t0;
        if (answer.status !== 200) throw new Error(`call on a taken-up session answered ${answer.status}`);
      }
    }),
  );
  latencies.sort();
  return { backendCpuMs: backendCpuMs(pids) - backendBefore, p50Ms: percentile(latencies, 0.5) };
}

export async function measureTakeovers(
  upstreamUrl: string,
  sessions = 300,
  concurrency = 8,
): Promise<TakeoverCost> {
  const fleet = await startSetup(
    { name: 'takeover', replicas: 2, balanced: false, state: 'shared' },
    upstreamUrl,
  );
  try {
    const [first, second] = fleet.replicas;
    if (first === undefined || second === undefined) throw new Error('two replicas expected');
    const ids: string[] = [];
    for (let i = 0; i < sessions; i++) ids.push(await openSessionId(first.url));
    const measure = async () => {
      const before = processCpuMs(second.pid) ?? Number.NaN;
      const run = await callEach(second.url, ids, concurrency);
      const gatewayCpuMs = ((processCpuMs(second.pid) ?? Number.NaN) - before) / sessions;
      return { gatewayCpuMs, backendCpuMs: run.backendCpuMs / sessions, p50Ms: run.p50Ms };
    };
    const takenUp = await measure();
    const held = await measure();
    return { sessions, takenUp, held };
  } finally {
    await fleet.stop();
  }
}
