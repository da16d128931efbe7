/**
 * Process trees read from /proc, for benchmarks whose setups spawn their own children (a proxy
 * that runs its stdio upstream, perhaps through `sh -c`, or one child per session): the
 * descendants of a pid, the CPU time of a whole tree, and a process's resident memory.
 *
 * The CPU time of a tree counts, for every live process in it, its own user + system time plus
 * the time of the children it has already reaped (cutime + cstime), so a child that exits during
 * a measurement is still counted, through its parent.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { CLOCK_TICKS } from './figures.ts';

interface StatFields {
  ppid: number;
  /** utime + stime, in ms. */
  selfMs: number;
  /** cutime + cstime (children already waited for), in ms. */
  reapedMs: number;
}

function readStat(pid: number, file = `/proc/${pid}/stat`): StatFields | undefined {
  try {
    const stat = readFileSync(file, 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3 (state).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = (i: number) => (Number(fields[i]) * 1000) / CLOCK_TICKS;
    return { ppid: Number(fields[1]), selfMs: ticks(11) + ticks(12), reapedMs: ticks(13) + ticks(14) };
  } catch {
    return undefined;
  }
}

/** Every live process's parent, from one scan of /proc. */
function parentsByPid(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (stat) parents.set(pid, stat.ppid);
  }
  return parents;
}

/** The live descendants of `root` (children, grandchildren, …), not `root` itself. */
export function descendants(root: number): number[] {
  const childrenOf = new Map<number, number[]>();
  for (const [pid, ppid] of parentsByPid()) {
    const list = childrenOf.get(ppid);
    if (list) list.push(pid);
    else childrenOf.set(ppid, [pid]);
  }
  const found: number[] = [];
  const queue = [...(childrenOf.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    found.push(pid);
    queue.push(...(childrenOf.get(pid) ?? []));
  }
  return found;
}

/** CPU ms of `pid` alone (user + system); undefined when it is gone. */
export function processCpuMs(pid: number): number | undefined {
  return readStat(pid)?.selfMs;
}

/**
 * CPU ms of a process's main thread alone (the thread whose id is the pid): for Node, the
 * JavaScript thread. The rest of processCpuMs is its other threads — V8's garbage-collection
 * helpers, libuv's thread pool.
 */
export function mainThreadCpuMs(pid: number): number | undefined {
  return readStat(pid, `/proc/${pid}/task/${pid}/stat`)?.selfMs;
}

/**
 * CPU ms of `root` and all its live descendants, including the children each has reaped;
 * undefined when `root` is gone.
 */
export function treeCpuMs(root: number): number | undefined {
  const own = readStat(root);
  if (own === undefined) return undefined;
  let total = own.selfMs + own.reapedMs;
  for (const pid of descendants(root)) {
    const stat = readStat(pid);
    if (stat) total += stat.selfMs + stat.reapedMs;
  }
  return total;
}

/** Resident set size of `pid` in MB (VmRSS from /proc/<pid>/status); undefined when unreadable. */
export function rssMb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match?.[1] === undefined ? undefined : Number(match[1]) / 1024;
  } catch {
    return undefined;
  }
}
