/** The runtime model of `server` (see schema-server.ts). */

export interface ServerModel {
  host: string;
  port: number;
  path: string;
  publicUrl: string | null;
  allowedHosts: string[];
  allowedOrigins: string[];
  maxBodyBytes: number;
  /** Bounds on incoming JSON, checked before parsing (transport/json-bounds.ts). */
  maxJsonDepth: number;
  maxJsonElements: number;
  sessionIdleMs: number;
  maxSessions: number;
  pageSize: number;
  maxNameLength: number;
  listTtlMs: number;
  drainTimeoutMs: number;
  /** Whether plain HTTP tools/call requests take the call lane (transport/call-lane.ts). */
  callLane: boolean;
  /** The OAuth resource URL of the MCP endpoint (token audience, metadata `resource`). */
  resourceUrl: string;
}
