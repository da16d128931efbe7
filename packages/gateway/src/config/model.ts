/**
 * The runtime model: what the gateway runs on, after normalize(). Every default is filled. Each
 * section's types live in its model-<section>.ts; this file composes them into GatewayModel and
 * re-exports the server and upstream types that most of the gateway imports from here.
 */
import type { ApprovalsModel, AuditModel, AuthModel, PolicyModel, StorageModel } from './model-access.ts';
import type { RateLimitsModel } from './model-limits.ts';
import type { LoggingModel, ObservabilityModel } from './model-observability.ts';
import type { PinningModel } from './model-pins.ts';
import type { ToolSearchModel } from './model-search.ts';
import type { ServerModel } from './model-server.ts';
import type { UpstreamModel } from './model-upstreams.ts';

export type { ServerModel } from './model-server.ts';
export type {
  CredentialModel,
  HttpUpstreamModel,
  NamespaceModel,
  ProtocolChoice,
  StdioUpstreamModel,
  UpstreamModel,
} from './model-upstreams.ts';

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
  storage: StorageModel;
  /** Roles in search mode and how tools are searched. */
  toolSearch: ToolSearchModel;
  logging: LoggingModel;
  observability: ObservabilityModel;
}
