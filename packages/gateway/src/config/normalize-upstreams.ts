/**
 * normalize() for `upstreams[]`: defaults filled (UPSTREAM_DEFAULTS for the ones zod leaves
 * out), each upstream's effective resilience and pinning resolved against the top level, paths
 * resolved against the config file's directory, disabled upstreams left out and name or namespace
 * collisions reported. Pure; secrets stay references until connect time.
 */
import { resolveFrom } from './file-paths.ts';
import type { UpstreamModel, UpstreamTlsModel } from './model-upstreams.ts';
import type { NormalizeIssue } from './normalize.ts';
import { normalizeForwardIdentity, normalizeInject } from './normalize-access.ts';
import { upstreamPinning } from './normalize-pins.ts';
import { upstreamResilience } from './normalize-resilience.ts';
import { normalizeShaping } from './normalize-shaping.ts';
import type { GatewayConfigParsed } from './schema.ts';
import {
  RESTART_DEFAULTS,
  UPSTREAM_DEFAULTS,
  type UpstreamParsed,
  type UpstreamTlsParsed,
} from './schema-upstreams.ts';

const defaults = UPSTREAM_DEFAULTS;

/** Paths resolved; the digest of the files is filled in when they are read (tls-files.ts). */
function normalizeTls(tls: UpstreamTlsParsed | undefined, baseDir: string): UpstreamTlsModel | null {
  if (tls === undefined) return null;
  return {
    caFile: resolveFrom(baseDir, tls.ca),
    certFile: tls.cert === undefined ? null : resolveFrom(baseDir, tls.cert),
    keyFile: tls.key === undefined ? null : resolveFrom(baseDir, tls.key),
    serverName: tls.serverName ?? null,
    filesSha256: '',
  };
}

function normalizeUpstream(u: UpstreamParsed, baseDir: string, parsed: GatewayConfigParsed): UpstreamModel {
  const timeoutMs = u.timeoutMs ?? defaults.timeoutMs;
  const maxInFlight = u.maxInFlight ?? defaults.maxInFlight;
  const common = {
    name: u.name,
    namespace: { prefix: u.prefix ?? u.name, separator: u.separator ?? defaults.separator },
    timeoutMs,
    maxInFlight,
    resilience: upstreamResilience(parsed.resilience, u.resilience, { timeoutMs, maxInFlight }),
    required: u.required ?? defaults.required,
    inject: normalizeInject(u.inject),
    forwardIdentity: normalizeForwardIdentity(u.forwardIdentity),
    shaping: normalizeShaping(u.shaping),
    pinning: upstreamPinning(parsed.pinning, u.pinning),
  };
  if (u.transport === 'stdio') {
    const restart = u.restart ?? RESTART_DEFAULTS;
    return {
      ...common,
      transport: 'stdio',
      protocol: u.protocol ?? defaults.protocol.stdio,
      command: u.command,
      args: u.args,
      env: u.env,
      cwd: u.cwd === undefined ? undefined : resolveFrom(baseDir, u.cwd),
      restart: {
        initialDelayMs: restart.initialDelayMs,
        maxDelayMs: restart.maxDelayMs,
        maxRestarts: restart.maxRestarts ?? null,
      },
    };
  }
  const credential = u.credential;
  return {
    ...common,
    transport: 'http',
    protocol: u.protocol ?? defaults.protocol.http,
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
                : { kind: 'file', path: resolveFrom(baseDir, credential.fromFile ?? '') },
          },
    tls: normalizeTls(u.tls, baseDir),
  };
}

/** `tls` is for an https:// upstream: over plain HTTP it would silently do nothing. */
function findPlainHttpTls(upstreams: UpstreamModel[]): NormalizeIssue[] {
  return upstreams.flatMap((u, i) =>
    u.transport === 'http' && u.tls !== null && !u.url.toLowerCase().startsWith('https:')
      ? [
          {
            code: 'CONFIG_INVALID' as const,
            path: ['upstreams', i, 'tls'],
            message: `tls needs an https:// url (found ${u.url})`,
          },
        ]
      : [],
  );
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
        code: 'CONFIG_COLLISION',
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
        code: 'CONFIG_COLLISION',
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
  if (value === undefined) return defaults.enabled;
  return value === true || value === 'true';
}

/** The enabled upstreams' models; name and namespace collisions among them go to `issues`. */
export function normalizeUpstreams(
  parsed: GatewayConfigParsed,
  baseDir: string,
  issues: NormalizeIssue[],
): UpstreamModel[] {
  const all = parsed.upstreams.map((u) => normalizeUpstream(u, baseDir, parsed));
  const enabled = parsed.upstreams.map((u) => isEnabled(u.enabled));
  issues.push(...findCollisions(all, enabled));
  issues.push(...findPlainHttpTls(all).filter((issue) => enabled[issue.path[1] as number]));
  return all.filter((_, i) => enabled[i]);
}
