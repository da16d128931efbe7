/**
 * One measured round of the overhead benchmark: `calls` tools/call requests from `concurrency`
 * workers through one setup, every answer checked, with latency percentiles and CPU time read
 * around the round — the proxy process alone, and the whole path (every server-side process of
 * the setup, children included, plus this client process).
 */
import { loadavg } from 'node:os';
import type { Client } from '@modelcontextprotocol/client';
import { percentile } from './figures.ts';
import type { Era, Setup } from './overhead-setups.ts';
import { mainThreadCpuMs, processCpuMs, rssMb, treeCpuMs } from './process-tree.ts';

export const TOOLS = ['echo', 'get_deal'] as const;
export type ToolName = (typeof TOOLS)[number];

export interface RoundResult {
  perSecond: number;
  p50: number;
  p99: number;
  /** CPU ms per 1,000 calls of the proxy process alone; NaN for direct. */
  proxyCpuPer1k: number;
  /** Of that, its main (JavaScript) thread's; the rest is other threads, mostly GC helpers. */
  proxyMainCpuPer1k: number;
  /** CPU ms per 1,000 calls of every server-side process plus the client. */
  pathCpuPer1k: number;
  /** The client's share of the whole path (this process), ms per 1,000 calls. */
  clientCpuPer1k: number;
  /** 1-minute load average when the round ended. */
  load: number;
  /** The proxy process's peak resident memory during the round (VmRSS), MB; NaN for direct. */
  proxyRssMb: number;
}

/** The arguments of call `i` and the check of its answer. */
export function callFor(
  tool: ToolName,
  i: number,
): { args: Record<string, unknown>; check: (r: unknown) => boolean } {
  if (tool === 'echo') {
    const text = `bench call ${i}`;
    return {
      args: { text },
      check: (r) => {
        const content = (r as { content?: { text?: string }[] }).content;
        return content?.[0]?.text === text;
      },
    };
  }
  const dealId = String(1 + (i % 997));
  return {
    args: { dealId },
    check: (r) => {
      const result = r as { structuredContent?: { id?: unknown }; content?: { text?: string }[] };
      return result.structuredContent?.id === dealId && (result.content?.[0]?.text?.length ?? 0) > 1_000;
    },
  };
}

/** The clients a round's workers use: one per worker (a session each in the 2025 era), or one shared. */
export async function openClients(setup: Setup, era: Era, concurrency: number): Promise<Client[]> {
  if (setup.sharedClient) {
    const client = await setup.connect(era);
    return Array.from({ length: concurrency }, () => client);
  }
  const clients: Client[] = [];
  try {
    // Opened a few at a time: a proxy that spawns an upstream per session gets them in sequence.
    for (let i = 0; i < concurrency; i += 8) {
      const batch = Math.min(8, concurrency - i);
      clients.push(...(await Promise.all(Array.from({ length: batch }, () => setup.connect(era)))));
    }
    return clients;
  } catch (error) {
    await closeClients(clients);
    throw error;
  }
}

export async function closeClients(clients: Client[]): Promise<void> {
  await Promise.allSettled([...new Set(clients)].map((c) => c.close()));
}

function serverCpuMs(setup: Setup): number {
  let total = 0;
  for (const root of setup.serverRoots()) total += treeCpuMs(root) ?? Number.NaN;
  return total;
}

/** `calls` calls of `tool` from one worker per client; throws on the first wrong answer. */
export async function runRound(
  setup: Setup,
  clients: Client[],
  tool: ToolName,
  calls: number,
): Promise<RoundResult> {
  const latencies = new Float64Array(calls);
  let next = 0;
  const first = setup.calls;
  const proxyBefore = setup.proxyPid === null ? undefined : processCpuMs(setup.proxyPid);
  const mainBefore = setup.proxyPid === null ? undefined : mainThreadCpuMs(setup.proxyPid);
  const serverBefore = serverCpuMs(setup);
  const clientBefore = process.cpuUsage();
  const peak = peakRss(setup.proxyPid);
  const started = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      while (next < calls) {
        const i = next++;
        const { args, check } = callFor(tool, first + i);
        const t0 = performance.now();
        const result = await client.callTool({ name: tool, arguments: args });
        latencies[i] = performance.now() - t0;
        if (result.isError || !check(result)) {
          throw new Error(
            `${setup.name}: unexpected answer to ${tool}: ${JSON.stringify(result).slice(0, 300)}`,
          );
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const proxyRssMb = peak.stop();
  const clientCpu = process.cpuUsage(clientBefore);
  const serverAfter = serverCpuMs(setup);
  const proxyAfter = setup.proxyPid === null ? undefined : processCpuMs(setup.proxyPid);
  const mainAfter = setup.proxyPid === null ? undefined : mainThreadCpuMs(setup.proxyPid);
  setup.calls += calls;
  latencies.sort();
  const per1k = (ms: number) => (ms * 1000) / calls;
  const clientMs = (clientCpu.user + clientCpu.system) / 1000;
  return {
    perSecond: calls / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    proxyCpuPer1k:
      proxyBefore === undefined || proxyAfter === undefined ? Number.NaN : per1k(proxyAfter - proxyBefore),
    proxyMainCpuPer1k:
      mainBefore === undefined || mainAfter === undefined ? Number.NaN : per1k(mainAfter - mainBefore),
    pathCpuPer1k: per1k(serverAfter - serverBefore + clientMs),
    clientCpuPer1k: per1k(clientMs),
    load: loadavg()[0] ?? Number.NaN,
    proxyRssMb,
  };
}

/** Samples a process's VmRSS every 100 ms until stopped; the peak, MB (NaN without a process). */
function peakRss(pid: number | null): { stop(): number } {
  if (pid === null) return { stop: () => Number.NaN };
  let peak = rssMb(pid) ?? Number.NaN;
  const sample = () => {
    const now = rssMb(pid);
    if (now !== undefined && !(now <= peak)) peak = now;
  };
  const timer = setInterval(sample, 100);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}
