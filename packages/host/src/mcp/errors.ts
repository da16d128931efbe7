/**
 * The host's MCP-side failures, each one clear line for the person at the terminal. `userMessage`
 * is what a CLI prints (no stack, no secret); `kind` is what code branches on.
 */

export type HostErrorKind =
  /** The gateway or HTTP server could not be reached (refused, DNS, TLS, no answer). */
  | 'unreachable'
  /** The gateway or server answered 401/403 to the key or headers. */
  | 'refused-key'
  /** The servers file is missing, not JSON, or not the expected shape. */
  | 'servers-file'
  /** A stdio server exited or never answered the handshake. */
  | 'server-start'
  /** A connection could not be set up for another reason (protocol, handshake). */
  | 'connect-failed'
  /** A call got no answer within its server's timeout. */
  | 'timeout'
  /** The tool is not in the registry. */
  | 'unknown-tool'
  /** The server is not connected (reconnecting, or given up on). */
  | 'unavailable'
  /** The connection dropped while the call was in flight; the call may or may not have run. */
  | 'connection-lost'
  /** The caller's signal aborted the call. */
  | 'cancelled';

export class HostError extends Error {
  readonly kind: HostErrorKind;
  /** One line for the user: what failed and where, never a secret. */
  readonly userMessage: string;

  constructor(kind: HostErrorKind, userMessage: string, options?: { cause?: unknown }) {
    super(userMessage, options);
    this.name = 'HostError';
    this.kind = kind;
    this.userMessage = userMessage;
  }
}

export function isHostError(error: unknown): error is HostError {
  return error instanceof HostError;
}

/** The message of any thrown value, on one line. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Every `cause` along the chain, the error itself first (bounded, so a cycle cannot loop). The
 * SDK keeps the underlying failure of its own errors in `data.cause`; that link is followed too.
 */
export function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && chain.length < 10) {
    chain.push(current);
    const link = current as { cause?: unknown; data?: { cause?: unknown } };
    current = link.cause ?? (typeof link.data === 'object' ? link.data?.cause : undefined);
  }
  return chain;
}
