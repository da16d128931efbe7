/**
 * Why an upstream is not reachable, in words an operator can act on: the connection error with
 * its underlying cause ("fetch failed" says nothing; ECONNREFUSED does; a TLS refusal says
 * which side refused which certificate), how a stdio child
 * exited, and the line of its stderr that says why.
 */
import type { ChildProcess } from 'node:child_process';
import type { Logger } from '../observability/logger.ts';
import type { UpstreamStdioTransport } from './transport-factory.ts';

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed by the server',
};

const UNTRUSTED =
  "the server's certificate was not trusted: it is not signed by the CA in upstreams[].tls.ca (or, without tls, by a CA the system trusts)";
const REFUSED_CLIENT_CERT =
  "the server refused the gateway's client certificate: it is not signed by a CA the server trusts";

/** TLS failures, in words that say which side refused what and what to change. */
const TLS_CODES: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: UNTRUSTED,
  UNABLE_TO_GET_ISSUER_CERT: UNTRUSTED,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: UNTRUSTED,
  SELF_SIGNED_CERT_IN_CHAIN: UNTRUSTED,
  DEPTH_ZERO_SELF_SIGNED_CERT: UNTRUSTED,
  CERT_SIGNATURE_FAILURE: UNTRUSTED,
  CERT_UNTRUSTED: UNTRUSTED,
  CERT_HAS_EXPIRED: "the server's certificate has expired",
  CERT_NOT_YET_VALID: "the server's certificate is not valid yet",
  ERR_TLS_CERT_ALTNAME_INVALID:
    "the server's certificate does not name the host in the upstream's url; set upstreams[].tls.serverName to a name it carries",
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED:
    'the server refused the gateway: it requires a client certificate (set upstreams[].tls.cert and key)',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: REFUSED_CLIENT_CERT,
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: REFUSED_CLIENT_CERT,
  ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR: REFUSED_CLIENT_CERT,
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED:
    "the server refused the gateway's client certificate: it has expired",
};

/** The words for an error code, naming the code for TLS ones (so it can be looked up). */
function explainCode(code: string | undefined, where: string): string | undefined {
  if (code === undefined) return undefined;
  if (NETWORK_CODES[code] !== undefined) return `${NETWORK_CODES[code]}${where}`;
  if (TLS_CODES[code] !== undefined) return `${TLS_CODES[code]} (${code})`;
  return undefined;
}

/** An error's message followed by its causes' ("fetch failed: connection refused (127.0.0.1:9)"). */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    const e = current as {
      message?: unknown;
      code?: unknown;
      address?: unknown;
      port?: unknown;
      cause?: unknown;
    };
    const code = typeof e.code === 'string' ? e.code : undefined;
    const where =
      typeof e.address === 'string' ? ` (${e.address}${typeof e.port === 'number' ? `:${e.port}` : ''})` : '';
    const text =
      explainCode(code, where) ??
      (typeof e.message === 'string' && e.message !== '' ? e.message.trim() : String(current));
    if (!parts.some((part) => part.endsWith(text))) parts.push(text);
    current = e.cause;
  }
  return parts.join(': ');
}

const TAIL_LINES = 40;
const LINE_CHARS = 300;
/** Lines that tell why a process failed, rather than where (stack frames) or which Node it was. */
const NOISE = /^(at |Node\.js v\d|[\^{}[\]]|code: |requireStack|throw |\d+ \| )/;
const TELLING =
  /error|exception|cannot|can't|could not|failed|invalid|required|missing|not found|denied|refused|no such/i;

/** The last lines a child wrote to stderr. */
export class StderrTail {
  private lines: string[] = [];
  private partial = '';

  push(chunk: Buffer | string): void {
    const text = this.partial + chunk.toString();
    const lines = text.split('\n');
    this.partial = (lines.pop() ?? '').slice(-LINE_CHARS);
    for (const line of lines) {
      const trimmed = line.trim();
      if (trimmed !== '') this.lines.push(trimmed.slice(0, LINE_CHARS));
    }
    if (this.lines.length > TAIL_LINES) this.lines = this.lines.slice(-TAIL_LINES);
  }

  clear(): void {
    this.lines = [];
    this.partial = '';
  }

  /** The line that says why: the last one naming an error that is not a stack frame, else the last line. */
  telling(): string | undefined {
    const lines = this.partial.trim() === '' ? this.lines : [...this.lines, this.partial.trim()];
    const meaningful = lines.filter((line) => !NOISE.test(line));
    return meaningful.findLast((line) => TELLING.test(line)) ?? meaningful.at(-1);
  }
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export function describeExit(exit: ChildExit): string {
  return exit.signal !== null ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

/** Calls `onExit` when the transport's child exits (read right after the transport started it). */
export function onChildExit(
  transport: { readonly child: ChildProcess | undefined },
  onExit: (exit: ChildExit) => void,
): void {
  transport.child?.once('exit', (code, signal) => onExit({ code, signal }));
}

/**
 * What a stdio upstream's child said and how it ended, kept across one connection attempt, and
 * the sentence an operator reads: the connection error, the exit, the telling stderr line.
 */
export class ChildReport {
  private readonly tail = new StderrTail();
  private exit: ChildExit | null = null;

  /** A new child is starting: forget the last one. */
  reset(): void {
    this.tail.clear();
    this.exit = null;
  }

  /**
   * Follows a new child: forgets the last one, keeps the tail of its stderr (also logged at
   * debug), and once it has started reports its pid (the process-group id) and watches its exit.
   */
  follow(transport: UpstreamStdioTransport, log: Logger, onStarted: (pgid: number | null) => void): void {
    this.reset();
    transport.stderr?.on('data', (chunk: Buffer) => {
      this.tail.push(chunk);
      log.debug({ stderr: chunk.toString().trimEnd() }, 'upstream stderr');
    });
    const start = transport.start.bind(transport);
    transport.start = async () => {
      await start();
      onStarted(transport.pid);
      onChildExit(transport, (exit) => {
        this.exit = exit;
      });
    };
  }

  /** A child that closed its pipes is given a moment to report how it exited. */
  async settled(started: boolean): Promise<void> {
    for (let i = 0; started && i < 10 && this.exit === null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** The connection error with its cause, and how the child exited (safe for /readyz). */
  failure(error: unknown): string {
    if (this.exit !== null)
      return `the process ${describeExit(this.exit)} before the MCP handshake completed`;
    return describeError(error);
  }

  closed(): string {
    return this.exit === null ? 'connection closed' : `the process ${describeExit(this.exit)}`;
  }

  /** The stderr line that says why (for the operator's CLI, not for /readyz). */
  telling(): string | undefined {
    return this.tail.telling();
  }
}
