/**
 * Why a connection could not be made, as one line: the SDK and fetch report the same failures in
 * several shapes (a TypeError whose cause is ECONNREFUSED, an SdkError with an HTTP status, a
 * closed connection), read here into the host's error kinds. No header or key is ever quoted.
 */
import { causes, HostError, oneLine } from './errors.ts';
import type { ChildReport } from './transports.ts';

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found (DNS)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed by the other side',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate cannot be verified',
};

/** The network failure along the cause chain, in words ("connection refused"). */
export function networkFailure(error: unknown): string | undefined {
  for (const link of causes(error)) {
    const code = (link as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES[code]) return NETWORK_CODES[code];
    const errors = (link as { errors?: unknown }).errors; // AggregateError (IPv4 + IPv6 attempts)
    if (Array.isArray(errors))
      for (const inner of errors) {
        const found = networkFailure(inner);
        if (found) return found;
      }
  }
  return undefined;
}

/** The HTTP status along the cause chain, when the server answered with one. */
export function httpStatus(error: unknown): number | undefined {
  for (const link of causes(error)) {
    const data = (link as { data?: { status?: unknown } }).data;
    if (typeof data?.status === 'number') return data.status;
    const status = (link as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 100 && status < 600) return status;
    const match = /\bHTTP (\d{3})\b/.exec(oneLine(link));
    if (match) return Number(match[1]);
  }
  return undefined;
}

export function isTimeout(error: unknown): boolean {
  return causes(error).some((link) => {
    const code = (link as { code?: unknown }).code;
    return code === 'REQUEST_TIMEOUT' || code === -32001 || (link as Error).name === 'TimeoutError';
  });
}

/** What to call the other side in messages. */
export interface Peer {
  /** "the gateway at http://…/mcp" or "server \"files\"". */
  label: string;
  /** Is it the gateway (then a 401/403 is about the key). */
  gateway: boolean;
}

/** The server answered, but not in the protocol version asked for (a pinned era it lacks). */
export function negotiationError(peer: Peer, error: unknown): HostError | undefined {
  const failed = causes(error).some((link) => (link as { code?: unknown }).code === 'ERA_NEGOTIATION_FAILED');
  if (!failed || networkFailure(error) !== undefined || httpStatus(error) !== undefined) return undefined;
  return new HostError('connect-failed', `${peer.label}: ${oneLine(error)}`, { cause: error });
}

/** A failed connection attempt over HTTP, as a HostError. */
export function httpConnectError(peer: Peer, url: string, error: unknown, timeoutMs: number): HostError {
  const network = networkFailure(error);
  if (network)
    return new HostError('unreachable', `cannot reach ${peer.label}: ${network}`, { cause: error });
  const status = httpStatus(error);
  if (status === 401 || status === 403) {
    const message = peer.gateway
      ? `the gateway refused the key (HTTP ${status}); check GATEHOUSE_API_KEY or the key you passed`
      : `${peer.label} refused the credentials in its headers (HTTP ${status})`;
    return new HostError('refused-key', message, { cause: error });
  }
  if (status === 404)
    return new HostError('connect-failed', `${peer.label}: no MCP endpoint at ${url} (HTTP 404)`, {
      cause: error,
    });
  if (status !== undefined)
    return new HostError('connect-failed', `${peer.label} answered HTTP ${status} to the handshake`, {
      cause: error,
    });
  if (isTimeout(error))
    return new HostError('unreachable', `cannot reach ${peer.label}: no answer within ${timeoutMs} ms`, {
      cause: error,
    });
  return new HostError('connect-failed', `cannot connect to ${peer.label}: ${oneLine(error)}`, {
    cause: error,
  });
}

/** A stdio server that did not complete its handshake, with its exit code and last stderr line. */
export async function stdioStartError(
  peer: Peer,
  child: ChildReport,
  error: unknown,
  timeoutMs: number,
): Promise<HostError> {
  // The exit is reported a moment after the pipe closes; wait for it briefly.
  await Promise.race([child.exited, new Promise((r) => setTimeout(r, 500))]);
  const spawnFailure = causes(error).find((link) =>
    String((link as { syscall?: unknown }).syscall ?? '').startsWith('spawn'),
  );
  const parts: string[] = [];
  if (spawnFailure !== undefined) {
    const code = (spawnFailure as { code?: string }).code;
    parts.push(
      code === 'ENOENT'
        ? `command not found (${String((spawnFailure as { path?: unknown }).path)})`
        : oneLine(spawnFailure),
    );
  } else {
    parts.push(
      child.exitText() ??
        (isTimeout(error) ? `no answer to the handshake within ${timeoutMs} ms` : oneLine(error)),
    );
  }
  const line = child.lastLine();
  if (line !== undefined) parts.push(`stderr: ${line}`);
  return new HostError('server-start', `${peer.label} failed to start: ${parts.join('; ')}`, {
    cause: error,
  });
}
