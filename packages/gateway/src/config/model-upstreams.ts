/** The runtime model of `upstreams[]` (see schema-upstreams.ts): every default filled. */
import type { ForwardIdentityModel, InjectModel } from './model-access.ts';
import type { PinningModel } from './model-pins.ts';
import type { ResilienceModel } from './model-resilience.ts';
import type { ShapingRuleModel } from './model-shaping.ts';

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

/** TLS towards an HTTP upstream: absolute paths of PEM files (read at load and at each connection). */
export interface UpstreamTlsModel {
  /** The only CA the upstream's certificate may chain to. */
  caFile: string;
  /** The gateway's client certificate and key (mutual TLS), or null for none. */
  certFile: string | null;
  keyFile: string | null;
  /** The name to check the server's certificate against (and send as SNI); null: the URL's host. */
  serverName: string | null;
  /**
   * SHA-256 of the three files' contents as loaded (not secret: a digest), so that a reload after
   * the files change reconnects the upstream with the new ones. "" until config/tls-files.ts reads them.
   */
  filesSha256: string;
}

export interface HttpUpstreamModel extends UpstreamCommon {
  transport: 'http';
  url: string;
  headers: Record<string, string>;
  credential: CredentialModel | null;
  tls: UpstreamTlsModel | null;
}

export type UpstreamModel = StdioUpstreamModel | HttpUpstreamModel;
