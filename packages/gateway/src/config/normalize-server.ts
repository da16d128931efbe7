/** normalize() for `server`: absent values made explicit, and the endpoint's resource URL. Pure. */
import type { ServerModel } from './model-server.ts';
import type { ServerParsed } from './schema-server.ts';

/** The URL clients reach the MCP endpoint at: the OAuth resource (token audience). */
export function resourceUrl(server: ServerParsed): string {
  if (server.publicUrl !== undefined) {
    const url = new URL(server.publicUrl);
    if (url.pathname === '/' || url.pathname === '') url.pathname = server.path;
    return url.toString();
  }
  const host = server.host.includes(':') ? `[${server.host}]` : server.host;
  return `http://${host}:${server.port}${server.path}`;
}

export function normalizeServer(s: ServerParsed): ServerModel {
  return {
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
  };
}
