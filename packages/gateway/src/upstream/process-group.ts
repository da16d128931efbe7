/**
 * Stdio upstreams run in their own process group (started through `setsid`), so the whole tree a
 * server spawns can be signalled at once — even after the group leader itself has died, which is
 * exactly when grandchildren would otherwise be orphaned and leak.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Sends `signal` to every process in group `pgid`. Returns false when the group is already empty. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Pids whose process group is `pgid` (Linux /proc; empty elsewhere). */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return members;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the parenthesised command: state ppid pgrp ...
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z' && Number(fields[2]) === pgid) members.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return members;
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return groupMembers(pgid).length > 0 || process.platform !== 'linux';
  } catch {
    return false;
  }
}

/** SIGTERM the group, wait up to `graceMs`, then SIGKILL whatever is left. */
export async function reapGroup(pgid: number, graceMs = 2000): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!groupAlive(pgid)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  signalGroup(pgid, 'SIGKILL');
}
