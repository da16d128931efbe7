/**
 * Requests refused before the pipeline — at admission (a bad or revoked credential, a foreign
 * Host or Origin) or when the body is read (too large, not JSON, not JSON-RPC, an unknown
 * session) — go on the audit log like every other request: a failed authentication is the first
 * thing a security reviewer looks for.
 *
 * A flood of them must not grow the log without bound, so they are coalesced: the first refusal
 * of a (source, reason, presented key) within a window is recorded at once; the repeats in that
 * window are counted and recorded as one more record, with the count, when the window closes.
 * At most `maxKeys` distinct combinations are tracked per window; past that, refusals are counted
 * under one overflow record. The secret of a presented key is never recorded, only its id.
 */
import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal.ts';
import type { Logger } from '../observability/logger.ts';
import { type AuditEvent, type AuditStatus, auditPrincipal } from './event.ts';

export interface RefusalSink {
  record(event: AuditEvent): Promise<void>;
}

/** Who was refused, as far as the driver knows. */
export interface RefusalContext {
  /** The peer address, or "unknown". */
  source: string;
  era: 'legacy' | 'modern';
  /** The id of the API key the request presented (never its secret). */
  keyId?: string | undefined;
  /** The caller, when admission had already accepted it (a refused body, an unknown session). */
  principal?: Principal | undefined;
  sessionId?: string | undefined;
}

/** What the refusal said on the wire. */
interface Answer {
  httpStatus: number;
  code: number | null;
  message: string;
}

export interface RefusalAuditOptions {
  windowMs?: number;
  maxKeys?: number;
}

interface Window {
  first: AuditEvent;
  repeats: number;
  endsAt: number;
}

const OVERFLOW = 'overflow';

/** A short name for what was refused, for the audit's target (and the coalescing key). */
export function refusalReason(httpStatus: number, code: number | null): string {
  if (httpStatus === 401) return 'unauthenticated';
  if (httpStatus === 403) return code === -32000 ? 'forbidden_host_or_origin' : 'forbidden';
  if (httpStatus === 404) return 'session_not_found';
  if (httpStatus === 413) return 'payload_too_large';
  if (httpStatus === 415) return 'unsupported_media_type';
  if (code === -32700) return 'parse_error';
  if (code === -32600) return 'invalid_request';
  return `http_${httpStatus}`;
}

function statusOf(reason: string): AuditStatus {
  return reason === 'unauthenticated' || reason.startsWith('forbidden') ? 'denied' : 'error';
}

export class RefusalAudit {
  readonly #sink: RefusalSink;
  readonly #log: Logger;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #windows = new Map<string, Window>();
  #timer: NodeJS.Timeout | null = null;

  constructor(sink: RefusalSink, log: Logger, options: RefusalAuditOptions = {}) {
    this.#sink = sink;
    this.#log = log;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#maxKeys = options.maxKeys ?? 10_000;
  }

  /** Records a refusal the driver answered with `response` (read from a clone; not consumed). */
  async refused(response: Response, context: RefusalContext): Promise<void> {
    const answer = await answerOf(response);
    const reason = refusalReason(answer.httpStatus, answer.code);
    const own = `${context.source}|${reason}|${context.keyId ?? ''}`;
    const known = this.#windows.has(own) || this.#windows.size < this.#maxKeys;
    const key = known ? own : OVERFLOW;
    const open = this.#windows.get(key);
    if (open !== undefined) {
      open.repeats++;
      return;
    }
    const event = refusalEvent(reason, answer, known ? context : { source: '*', era: context.era });
    this.#windows.set(key, { first: event, repeats: 0, endsAt: Date.now() + this.#windowMs });
    this.#startSweeping();
    // The first refusal of a window is recorded at once; the repeats wait for the window's end.
    if (key !== OVERFLOW) await this.#write(event);
  }

  /** Writes the counts of every open window (on shutdown). */
  async flush(): Promise<void> {
    await this.#sweep(Number.POSITIVE_INFINITY);
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  #startSweeping(): void {
    if (this.#timer !== null) return;
    this.#timer = setInterval(() => void this.#sweep(Date.now()), Math.min(this.#windowMs, 10_000));
    this.#timer.unref();
  }

  async #sweep(now: number): Promise<void> {
    for (const [key, window] of this.#windows) {
      if (window.endsAt > now) continue;
      this.#windows.delete(key);
      const count = key === OVERFLOW ? window.repeats + 1 : window.repeats;
      if (count > 0) await this.#write(repeatsEvent(window.first, count, this.#windowMs));
    }
    if (this.#windows.size === 0 && this.#timer !== null) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
  }

  async #write(event: AuditEvent): Promise<void> {
    try {
      await this.#sink.record(event);
    } catch (error) {
      this.#log.error({ err: error instanceof Error ? error.message : String(error) }, 'audit write failed');
    }
  }
}

async function answerOf(response: Response): Promise<Answer> {
  const body = (await response
    .clone()
    .json()
    .catch(() => undefined)) as { error?: { code?: unknown; message?: unknown } } | undefined;
  const code = typeof body?.error?.code === 'number' ? body.error.code : null;
  const message = typeof body?.error?.message === 'string' ? body.error.message : response.statusText;
  return { httpStatus: response.status, code, message };
}

function refusalEvent(reason: string, answer: Answer, context: RefusalContext): AuditEvent {
  const principal = context.principal;
  return {
    time: new Date().toISOString(),
    requestId: randomUUID(),
    traceId: null,
    principal: principal ? auditPrincipal(principal) : null,
    transport: 'http',
    era: context.era,
    sessionId: context.sessionId ?? null,
    method: 'http/refused',
    target: reason,
    upstream: null,
    arguments: {
      source: context.source,
      httpStatus: answer.httpStatus,
      ...(context.keyId === undefined ? {} : { keyId: context.keyId }),
      count: 1,
    },
    decision: 'none',
    rule: null,
    status: statusOf(reason),
    errorCode: answer.code,
    errorMessage: answer.message,
    latencyMs: 0,
    resultBytes: null,
    resultHash: null,
    approvedBy: null,
  };
}

function repeatsEvent(first: AuditEvent, count: number, windowMs: number): AuditEvent {
  const args = first.arguments as Record<string, unknown>;
  return {
    ...first,
    time: new Date().toISOString(),
    requestId: randomUUID(),
    arguments: { ...args, count, windowSeconds: Math.round(windowMs / 1000) },
    errorMessage: `${first.errorMessage ?? ''} (${count} more in ${Math.round(windowMs / 1000)} s)`,
  };
}
