/**
 * normalize(): the pure step from what users wrote (already schema-checked) to the runtime model.
 * No I/O: paths are resolved against `baseDir`, secrets stay references until connect time.
 */
import { isAbsolute, resolve } from 'node:path';
import { normalizeShaping } from '../shaping/normalize.ts';
import type { GatewayModel, UpstreamModel } from './model.ts';
import {
  checkRedactPatterns,
  normalizeApprovals,
  normalizeAudit,
  normalizeAuth,
  normalizeForwardIdentity,
  normalizeInject,
  normalizePolicy,
  resourceUrl,
} from './normalize-access.ts';
import { normalizeRateLimits } from './normalize-limits.ts';
import type { GatewayConfigParsed } from './schema.ts';
import { normalizeObservability } from './schema-observability.ts';
import { normalizePinning, upstreamPinning } from './schema-pins.ts';
import { upstreamResilience } from './schema-resilience.ts';

export interface NormalizeIssue {
  path: (string | number)[];
  message: string;
}

export type NormalizeResult = { ok: true; model: GatewayModel } | { ok: false; issues: NormalizeIssue[] };

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_IN_FLIGHT = 64;

function resolvePath(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

function normalizeUpstream(
  u: GatewayConfigParsed['upstreams'][number],
  baseDir: string,
  parsed: GatewayConfigParsed,
): UpstreamModel {
  const timeoutMs = u.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxInFlight = u.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  const common = {
    name: u.name,
    namespace: { prefix: u.prefix ?? u.name, separator: u.separator ?? '_' },
    timeoutMs,
    maxInFlight,
    resilience: upstreamResilience(parsed.resilience, u.resilience, { timeoutMs, maxInFlight }),
    required: u.required ?? false,
    inject: normalizeInject(u.inject),
    forwardIdentity: normalizeForwardIdentity(u.forwardIdentity),
    shaping: normalizeShaping(u.shaping),
    pinning: upstreamPinning(parsed.pinning, u.pinning),
  };
  if (u.transport === 'stdio') {
    return {
      ...common,
      transport: 'stdio',
      protocol: u.protocol ?? 'legacy',
      command: u.command,
      args: u.args,
      env: u.env,
      cwd: u.cwd === undefined ? undefined : resolvePath(baseDir, u.cwd),
      restart: {
        initialDelayMs: u.restart?.initialDelayMs ?? 250,
        maxDelayMs: u.restart?.maxDelayMs ?? 30_000,
        maxRestarts: u.restart?.maxRestarts ?? null,
      },
    };
  }
  const credential = u.credential;
  return {
    ...common,
    transport: 'http',
    protocol: u.protocol ?? 'auto',
    url: u.url,
    headers: u.headers,
    credential:
      credential === undefined
        ? null
        : {
            header: credential.header,
            scheme: credential.scheme,
            source:
              credential.fromEnv !== undefined
                ? { kind: 'env', name: credential.fromEnv }
                : { kind: 'file', path: resolvePath(baseDir, credential.fromFile ?? '') },
          },
  };
}

/**
 * Upstream names must be unique, and two namespaced upstreams may not share a namespace — among
 * the enabled ones (an env-toggled pair may share a name). Paths keep the file's indices.
 */
function findCollisions(upstreams: UpstreamModel[], enabled: boolean[]): NormalizeIssue[] {
  const issues: NormalizeIssue[] = [];
  const names = new Map<string, number>();
  const namespaces = new Map<string, number>();
  upstreams.forEach((u, i) => {
    if (!enabled[i]) return;
    const previous = names.get(u.name);
    if (previous !== undefined) {
      issues.push({
        path: ['upstreams', i, 'name'],
        message: `duplicate upstream name "${u.name}" (also upstreams[${previous}])`,
      });
    }
    names.set(u.name, i);
    if (u.namespace.prefix === '') return;
    const key = u.namespace.prefix + u.namespace.separator;
    const owner = namespaces.get(key);
    if (owner !== undefined) {
      issues.push({
        path: ['upstreams', i, 'prefix'],
        message: `namespace "${key}" is already used by upstreams[${owner}] ("${upstreams[owner]?.name}")`,
      });
    }
    namespaces.set(key, i);
  });
  return issues;
}

/** `enabled: false`, `"false"` or `""` (an unset `${VAR:+true}`) leaves an upstream out. */
function isEnabled(value: boolean | string | undefined): boolean {
  return value === undefined || value === true || value === 'true';
}

export function normalize(parsed: GatewayConfigParsed, baseDir: string): NormalizeResult {
  const all = parsed.upstreams.map((u) => normalizeUpstream(u, baseDir, parsed));
  const enabled = parsed.upstreams.map((u) => isEnabled(u.enabled));
  const issues = findCollisions(all, enabled);
  const upstreams = all.filter((_, i) => enabled[i]);
  const policy = normalizePolicy(parsed.policy, parsed.approvals.mode, issues);
  const rateLimits = normalizeRateLimits(parsed.rateLimits, upstreams, issues);
  checkRedactPatterns(parsed.audit, issues);
  if (issues.length > 0) return { ok: false, issues };
  const s = parsed.server;
  return {
    ok: true,
    model: {
      server: {
        host: s.host,
        port: s.port,
        path: s.path,
        publicUrl: s.publicUrl ?? null,
        allowedHosts: s.allowedHosts,
        allowedOrigins: s.allowedOrigins,
        maxBodyBytes: s.maxBodyBytes,
        maxJsonDepth: s.maxJsonDepth,
        maxJsonElements: s.maxJsonElements,
        sessionIdleMs: s.sessionIdleMs,
        maxSessions: s.maxSessions,
        pageSize: s.pageSize,
        maxNameLength: s.maxNameLength,
        listTtlMs: s.listTtlMs,
        drainTimeoutMs: s.drainTimeoutMs,
        callLane: s.callLane,
        resourceUrl: resourceUrl(s),
      },
      upstreams,
      auth: normalizeAuth(parsed.auth, s),
      policy,
      approvals: normalizeApprovals(parsed.approvals),
      rateLimits,
      pinning: normalizePinning(parsed.pinning),
      audit: normalizeAudit(parsed.audit),
      storage: { path: resolvePath(baseDir, parsed.storage.path) },
      logging: { level: parsed.logging.level },
      observability: normalizeObservability(parsed.observability),
    },
  };
}
