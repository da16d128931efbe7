/**
 * The one error-code registry. Two kinds:
 * - wire errors travel to MCP clients as JSON-RPC error objects (numeric codes, spec-defined
 *   where the spec defines them);
 * - local errors are raised inside the gateway (config, CLI, upstream lifecycle) and carry a
 *   stable string code that operators can search for.
 * docs/errors.md documents every entry; a test keeps the two in step.
 */

export const WireErrors = {
  ParseError: { code: -32700, doc: 'The body is not valid JSON.' },
  InvalidRequest: { code: -32600, doc: 'The body is JSON but not a valid JSON-RPC request.' },
  MethodNotFound: { code: -32601, doc: 'The method does not exist or is not available to this caller.' },
  InvalidParams: {
    code: -32602,
    doc: 'Parameters are invalid: unknown tool or prompt, bad cursor, unknown resource (2026-07-28).',
  },
  InternalError: {
    code: -32603,
    doc: 'The gateway failed while handling the request; details are in its log.',
  },
  SessionNotFound: {
    code: -32001,
    doc: 'The Mcp-Session-Id is unknown or the session has ended (HTTP 404).',
  },
  HeaderMismatch: { code: -32020, doc: 'An MCP header disagrees with the request body (2026-07-28).' },
  MissingRequiredClientCapability: {
    code: -32021,
    doc: 'The request needs a client capability the caller did not declare (e.g. the tasks extension).',
  },
  UnsupportedProtocolVersion: { code: -32022, doc: 'The requested protocol revision is not served.' },
  UpstreamUnavailable: { code: -32050, doc: 'The upstream that owns the target is down or restarting.' },
  UpstreamTimeout: { code: -32051, doc: 'The upstream did not answer within its timeout.' },
  UpstreamOverloaded: { code: -32052, doc: 'The upstream has reached its cap of requests in flight.' },
  InputRequestExpired: {
    code: -32053,
    doc: 'A multi-round-trip answer refers to a suspended call that ended or expired.',
  },
  PolicyDenied: {
    code: -32054,
    doc: 'The caller may use the target, but not with these arguments; the message names the rule.',
  },
  ApprovalRequired: {
    code: -32055,
    doc: 'The call needs a human approval that has not been given: it is queued (data.approvalId), or the client cannot be asked in band.',
  },
  Unauthenticated: {
    code: -32056,
    doc: 'The request carries no verified identity (HTTP answers 401 before this can happen).',
  },
  RateLimited: {
    code: -32057,
    doc: 'A rate limit or quota is used up; the message and data name the rule, its limit and the seconds to wait (data.retryAfterSeconds).',
  },
  ApprovalDenied: {
    code: -32058,
    doc: 'The call needed a human approval and was refused: by the calling user in band, or by an approver in the queue (the denial stands until it expires).',
  },
  CircuitOpen: {
    code: -32059,
    doc: "The upstream's circuit breaker is open after repeated failures; calls fail fast until its trial call succeeds (data.retryAfterSeconds).",
  },
  Cancelled: {
    code: -32060,
    doc: 'The request was cancelled before it finished: by the caller, or by the gateway shutting down after its drain deadline.',
  },
} as const satisfies Record<string, { code: number; doc: string }>;

export type WireErrorName = keyof typeof WireErrors;

export const LocalErrors = {
  CONFIG_NOT_FOUND: 'The configuration file does not exist or cannot be read.',
  CONFIG_SYNTAX: 'The configuration file is not valid YAML.',
  CONFIG_INVALID: 'The configuration does not match the schema (each issue names its path).',
  CONFIG_ENV_MISSING: 'A config value references an environment variable that is not set and has no default.',
  CONFIG_COLLISION: 'Two upstreams claim the same namespace, or the same name after namespacing.',
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
