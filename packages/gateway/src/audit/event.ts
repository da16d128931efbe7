/**
 * One audit event: what the pipeline reports for every request it handled — allowed, denied,
 * failed or waiting for input. The audit log redacts it, chains it and stores it.
 */
export type AuditDecision = 'allow' | 'deny' | 'none';
/**
 * How a request ended. `tool_error`: the tool answered with an `isError` result (invalid
 * arguments, the upstream's own failure) — the call reached it and it said no.
 */
export type AuditStatus = 'ok' | 'error' | 'tool_error' | 'denied' | 'input_required' | 'awaiting_approval';

/** How an audit record names who acted. */
export type AuditPrincipal = { id: string; user: string; org: string | null; roles: string[]; via: string };

/** The audit's record of a principal (a copy: later changes to the principal do not reach it). */
export function auditPrincipal(principal: {
  id: string;
  user: string;
  org?: string | null | undefined;
  roles: readonly string[];
  via: string;
}): AuditPrincipal {
  return {
    id: principal.id,
    user: principal.user,
    org: principal.org ?? null,
    roles: [...principal.roles],
    via: principal.via,
  };
}

export interface AuditEvent {
  /** ISO-8601 time the request arrived. */
  time: string;
  requestId: string;
  traceId: string | null;
  principal: AuditPrincipal | null;
  /** `internal`: the gateway itself (e.g. a tool-definition change it detected). */
  transport: 'http' | 'stdio' | 'cli' | 'internal';
  era: 'legacy' | 'modern';
  sessionId: string | null;
  method: string;
  /** Tool or prompt name, resource URI, task id — as the client named it. */
  target: string | null;
  upstream: string | null;
  /** Call arguments (tools/call, prompts/get); redacted before they are written. */
  arguments: unknown;
  decision: AuditDecision;
  /** The policy rule that decided, e.g. `role:sales/group:crm-read/allow[0]`. */
  rule: string | null;
  status: AuditStatus;
  /** JSON-RPC error code when status is error or denied. */
  errorCode: number | null;
  errorMessage: string | null;
  latencyMs: number;
  /** Size in bytes of the JSON result, and its SHA-256 (hex), when there is a result. */
  resultBytes: number | null;
  resultHash: string | null;
  /** Who approved the call, when it needed approval. */
  approvedBy: string | null;
}

/** A stored audit record: the event plus its place in the hash chain. */
export interface AuditRecord extends AuditEvent {
  /** 1-based, gap-free sequence number. */
  seq: number;
  /** `hash` of the previous record (64 zeros for the first). */
  prevHash: string;
  /** SHA-256 (hex) over prevHash and the canonical JSON of the event fields. */
  hash: string;
}
