/**
 * What a configuration reload may change in a running gateway, decided purely from the running
 * and the offered model. Upstreams, policy, approvals, rate limits, pinning, resilience, log
 * level and list settings swap in live; what is bound at start (the listener, authentication,
 * audit and storage, telemetry) needs a restart, and a reload that changes it is refused whole —
 * the running configuration stays as it was rather than becoming a mix.
 */
import { isDeepStrictEqual } from 'node:util';
import type { GatewayModel, UpstreamModel } from '../config/model.ts';

const RESTART_ONLY_SERVER_FIELDS = [
  'host',
  'port',
  'path',
  'publicUrl',
  'allowedHosts',
  'allowedOrigins',
  'maxBodyBytes',
  'maxJsonDepth',
  'maxJsonElements',
  'sessionIdleMs',
  'maxSessions',
  'resourceUrl',
] as const;

const RESTART_ONLY_SECTIONS = ['auth', 'audit', 'storage', 'observability'] as const;

/** Paths whose change needs a restart (empty: the reload can be applied live). */
export function restartOnlyChanges(running: GatewayModel, offered: GatewayModel): string[] {
  const paths: string[] = [];
  for (const field of RESTART_ONLY_SERVER_FIELDS) {
    if (!isDeepStrictEqual(running.server[field], offered.server[field])) paths.push(`server.${field}`);
  }
  for (const section of RESTART_ONLY_SECTIONS) {
    if (!isDeepStrictEqual(running[section], offered[section])) paths.push(section);
  }
  return paths;
}

export interface UpstreamPlan {
  /** Unchanged: the running connection is kept. */
  keep: string[];
  /** New, or changed in any way: a new connection replaces the old one. */
  start: UpstreamModel[];
  /** Removed, or replaced: retired once their calls in flight have finished. */
  retire: string[];
}

export function planUpstreams(
  running: readonly UpstreamModel[],
  offered: readonly UpstreamModel[],
): UpstreamPlan {
  const byName = new Map(running.map((u) => [u.name, u]));
  const plan: UpstreamPlan = { keep: [], start: [], retire: [] };
  for (const next of offered) {
    const current = byName.get(next.name);
    if (current !== undefined && isDeepStrictEqual(current, next)) plan.keep.push(next.name);
    else {
      plan.start.push(next);
      if (current !== undefined) plan.retire.push(next.name);
    }
  }
  const offeredNames = new Set(offered.map((u) => u.name));
  for (const u of running) if (!offeredNames.has(u.name)) plan.retire.push(u.name);
  return plan;
}
