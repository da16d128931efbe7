/**
 * The one error-code registry. Two kinds:
 * - wire errors travel to MCP clients as JSON-RPC error objects (numeric codes, spec-defined
 *   where the spec defines them);
 * - local errors are raised inside the gateway (config, CLI, upstream lifecycle) and carry a
 *   stable string code that operators can search for.
 * docs/errors.md documents every entry; a test keeps the two in step.
 */

/** One word for how a request ended, shared by logs and metrics (`outcome` label). */
export type OutcomeLabel =
  | 'ok'
  | 'tool_error'
  | 'input_required'
  | 'awaiting_approval'
  | 'denied'
  | 'rate_limited'
  | 'unavailable'
  | 'timeout'
  | 'overloaded'
  | 'circuit_open'
  | 'cancelled'
  | 'invalid'
  | 'error';

/** How a request that ended with an error is recorded in the audit log. */
export type AuditErrorStatus = 'error' | 'denied' | 'awaiting_approval';

/** Everything the gateway decides about one wire code, written once. */
export interface WireErrorEntry {
  readonly code: number;
  readonly doc: string;
  /** The audit status of a request that ended with it. */
  readonly audit: AuditErrorStatus;
  /** Its `outcome` label in logs and `gatehouse_requests_total`. */
  readonly metric: OutcomeLabel;
  /**
   * A `tools/call` failing with it is answered as an `isError` result a model can act on
   * (retry later, use another tool) instead of a JSON-RPC error the host may not show.
   */
  readonly modelActionable: boolean;
  /**
   * Answered by an upstream, it is the upstream's fault: it counts against that upstream's
   * circuit breaker and a read-only call may be retried. A correct protocol answer about the
   * request (unknown resource, invalid params) never is.
   */
  readonly upstreamFault: boolean;
  /**
   * The HTTP status of a 2026-07-28 answer carrying it from a request handler: 200 (the JSON-RPC
   * error is the payload), except where the specification asks for a failure status.
   */
  readonly httpStatus: 200 | 400;
}

type Entry = Omit<WireErrorEntry, 'audit' | 'metric' | 'modelActionable' | 'upstreamFault' | 'httpStatus'> &
  Partial<WireErrorEntry>;

/** The common case, so each entry below only says where it differs. */
function entry(e: Entry): WireErrorEntry {
  return {
    audit: 'error',
    metric: 'error',
    modelActionable: false,
    upstreamFault: false,
    httpStatus: 200,
    ...e,
  };
}

export const WireErrors = {
  ParseError: entry({ code: -32700, doc: 'The body is not valid JSON.', metric: 'invalid' }),
  InvalidRequest: entry({
    code: -32600,
    doc: 'The body is JSON but not a valid JSON-RPC request (or nests deeper, or holds more, than the gateway admits).',
    metric: 'invalid',
  }),
  MethodNotFound: entry({
    code: -32601,
    doc: 'The method does not exist or is not available to this caller.',
    metric: 'invalid',
  }),
  InvalidParams: entry({
    code: -32602,
    doc: 'Parameters are invalid: unknown tool or prompt, bad cursor, unknown resource (2026-07-28).',
    metric: 'invalid',
  }),
  InternalError: entry({
    code: -32603,
    doc: 'The gateway failed while handling the request; details are in its log.',
    upstreamFault: true,
  }),
  ServerError: entry({
    code: -32000,
    doc: "JSON-RPC's generic server error; the gateway only receives it, from an upstream that failed.",
    upstreamFault: true,
  }),
  SessionNotFound: entry({
    code: -32001,
    doc: 'The Mcp-Session-Id is unknown or the session has ended (HTTP 404).',
    upstreamFault: true,
  }),
  HeaderMismatch: entry({
    code: -32020,
    doc: 'An MCP header disagrees with the request body (2026-07-28).',
    metric: 'invalid',
  }),
  MissingRequiredClientCapability: entry({
    code: -32021,
    doc: 'The request needs a client capability the caller did not declare (e.g. the tasks extension).',
    metric: 'invalid',
    httpStatus: 400,
  }),
  UnsupportedProtocolVersion: entry({
    code: -32022,
    doc: 'The requested protocol revision is not served.',
    metric: 'invalid',
  }),
  UpstreamUnavailable: entry({
    code: -32050,
    doc: 'The upstream that owns the target is down, restarting, or the gateway has not loaded its catalog yet (retry).',
    metric: 'unavailable',
    modelActionable: true,
    upstreamFault: true,
  }),
  UpstreamTimeout: entry({
    code: -32051,
    doc: 'The upstream did not answer within its timeout.',
    metric: 'timeout',
    modelActionable: true,
    upstreamFault: true,
  }),
  UpstreamOverloaded: entry({
    code: -32052,
    doc: 'The upstream has reached its cap of requests in flight.',
    metric: 'overloaded',
    modelActionable: true,
    upstreamFault: true,
  }),
  InputRequestExpired: entry({
    code: -32053,
    doc: 'A multi-round-trip answer refers to a suspended call that ended or expired.',
    metric: 'invalid',
  }),
  PolicyDenied: entry({
    code: -32054,
    doc: 'The caller may use the target, but not with these arguments; the message names the rule.',
    audit: 'denied',
    metric: 'denied',
  }),
  ApprovalRequired: entry({
    code: -32055,
    doc: 'The call needs a human approval that has not been given: it is queued (data.approvalId), or the client cannot be asked in band.',
    audit: 'awaiting_approval',
    metric: 'awaiting_approval',
  }),
  Unauthenticated: entry({
    code: -32056,
    doc: 'The request carries no verified identity (HTTP answers 401 before this can happen).',
    metric: 'denied',
  }),
  RateLimited: entry({
    code: -32057,
    doc: 'A rate limit or quota is used up; the message and data name the rule, its limit and the seconds to wait (data.retryAfterSeconds).',
    metric: 'rate_limited',
    modelActionable: true,
  }),
  ApprovalDenied: entry({
    code: -32058,
    doc: 'The call needed a human approval and was refused: by the user in band, by an approver (a denial stands until expiry), or replaying a used approval.',
    audit: 'denied',
    metric: 'denied',
  }),
  CircuitOpen: entry({
    code: -32059,
    doc: "The upstream's circuit breaker is open after repeated failures; calls fail fast until its trial call succeeds (data.retryAfterSeconds).",
    metric: 'circuit_open',
    modelActionable: true,
  }),
  Cancelled: entry({
    code: -32060,
    doc: 'The request was cancelled before it finished: by the caller, or by the gateway shutting down after its drain deadline.',
    metric: 'cancelled',
  }),
  StorageUnavailable: entry({
    code: -32061,
    doc: 'The shared PostgreSQL (storage.postgres) that holds the API keys or the approval queue cannot be reached; nothing was done, retry shortly (HTTP 503 when it happens while checking an API key).',
    metric: 'unavailable',
    modelActionable: true,
  }),
} as const satisfies Record<string, WireErrorEntry>;

const BY_CODE = new Map<number, WireErrorEntry>(Object.values(WireErrors).map((e) => [e.code, e]));

/**
 * What the gateway knows about a code; undefined for a code it does not define (an upstream's
 * own), which is audited and measured as a plain error and is not the upstream's fault.
 */
export function wireErrorEntry(code: number): WireErrorEntry | undefined {
  return BY_CODE.get(code);
}

export type WireErrorName = keyof typeof WireErrors;

export const LocalErrors = {
  CONFIG_NOT_FOUND: 'The configuration file does not exist or cannot be read.',
  CONFIG_SYNTAX: 'The configuration file is not valid YAML.',
  CONFIG_INVALID: 'The configuration does not match the schema (each issue names its path).',
  CONFIG_ENV_MISSING: 'A config value references an environment variable that is not set and has no default.',
  CONFIG_COLLISION:
    'Two things claim the same name: two upstreams the same name or namespace, two rate limit rules the same name.',
  CONFIG_REFERENCE:
    'A config value names something the file does not define: a permission group, an upstream.',
  CONFIG_TLS_FILE:
    'A file named by upstreams[].tls cannot be read, is not a PEM certificate or key, or the key does not belong to the certificate.',
  UPSTREAM_SPAWN_FAILED: 'A stdio upstream could not be started.',
  UPSTREAM_CONNECT_FAILED: 'The MCP handshake with an upstream failed.',
  UPSTREAM_CRASHED: 'A stdio upstream exited; it is restarted with backoff.',
  UPSTREAM_CREDENTIAL_MISSING: 'An upstream credential file or environment variable is missing.',
  CATALOG_COLLISION: 'Two upstreams expose the same tool, prompt or resource name after namespacing.',
  CLI_USAGE: 'The command line is not valid.',
} as const;

export type LocalErrorCode = keyof typeof LocalErrors;

/** An error raised inside the gateway, carrying a registry code. */
export class GatehouseError extends Error {
  readonly code: LocalErrorCode;
  constructor(code: LocalErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GatehouseError';
    this.code = code;
  }
}
