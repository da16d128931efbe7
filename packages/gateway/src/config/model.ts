/** The runtime model: what the gateway runs on, after normalize(). Every default is filled. */

export type ProtocolChoice = 'auto' | 'legacy' | '2026-07-28';

export interface NamespaceModel {
  /** "" when the upstream is not namespaced. */
  prefix: string;
  separator: string;
}

interface UpstreamCommon {
  name: string;
  namespace: NamespaceModel;
  protocol: ProtocolChoice;
  timeoutMs: number;
  maxInFlight: number;
}

export interface StdioUpstreamModel extends UpstreamCommon {
  transport: 'stdio';
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string | undefined;
  restart: { initialDelayMs: number; maxDelayMs: number; maxRestarts: number | null };
}

export interface CredentialModel {
  header: string;
  scheme: string;
  source: { kind: 'env'; name: string } | { kind: 'file'; path: string };
}

export interface HttpUpstreamModel extends UpstreamCommon {
  transport: 'http';
  url: string;
  headers: Record<string, string>;
  credential: CredentialModel | null;
}

export type UpstreamModel = StdioUpstreamModel | HttpUpstreamModel;

export interface ServerModel {
  host: string;
  port: number;
  path: string;
  publicUrl: string | null;
  allowedHosts: string[];
  allowedOrigins: string[];
  maxBodyBytes: number;
  sessionIdleMs: number;
  maxSessions: number;
  pageSize: number;
  maxNameLength: number;
  listTtlMs: number;
}

export interface GatewayModel {
  server: ServerModel;
  upstreams: UpstreamModel[];
  logging: { level: string };
}
