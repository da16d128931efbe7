import type { ShapingRuleModel } from '../shaping/model.ts';
import type {
  ApprovalsModel,
  AuditModel,
  AuthModel,
  ForwardIdentityModel,
  InjectModel,
  PolicyModel,
} from './model-access.ts';
import type { RateLimitsModel } from './model-limits.ts';
import type { ObservabilityModel } from './schema-observability.ts';
import type { PinningModel } from './schema-pins.ts';
import type { ResilienceModel } from './schema-resilience.ts';

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
  /** Arguments filled from the caller, per upstream tool-name globs. */
  inject: InjectModel[];
  forwardIdentity: ForwardIdentityModel;
  /** Response shaping rules, per upstream tool-name globs; the first match applies. */
  shaping: ShapingRuleModel[];
  /** Tool-definition pinning for this upstream (the top-level setting unless overridden). */
  pinning: PinningModel;
  /** Deadline, retries, breaker, bulkhead and health probing (timeoutMs and maxInFlight included). */
  resilience: ResilienceModel;
  /** Readiness waits for this upstream. */
  required: boolean;
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

export interface GatewayModel {
  server: ServerModel;
  upstreams: UpstreamModel[];
  auth: AuthModel;
  policy: PolicyModel;
  approvals: ApprovalsModel;
  rateLimits: RateLimitsModel;
  /** Tool-definition pinning defaults (each upstream carries its effective setting). */
  pinning: PinningModel;
  audit: AuditModel;
  /** Absolute path of the embedded SQLite database. */
  storage: { path: string };
  logging: { level: string };
  observability: ObservabilityModel;
}
