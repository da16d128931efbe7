/**
 * A store whose database cannot be reached (the shared PostgreSQL is down, restarting, or out of
 * connections) fails with one error, StoreUnavailable, so the doors above it can answer "retry
 * shortly" (HTTP 503, the StorageUnavailable wire error) instead of blaming the caller's
 * credential or hiding it as an internal error. Nothing is cached about the failure: the next
 * call tries the database again, so a replica recovers by itself when it is back.
 */

/** What could not be reached, in words an operator reads ("the approval queue"). */
export class StoreUnavailable extends Error {
  readonly what: string;
  constructor(what: string, cause: unknown) {
    super(`${what} cannot be reached: ${reasonOf(cause)}`, { cause });
    this.name = 'StoreUnavailable';
    this.what = what;
  }
}

/** Socket-level failures of a connection attempt or an open connection. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/**
 * PostgreSQL SQLSTATEs that mean "the server is not there for you right now": class 08
 * (connection exception), 57P01-57P03 (shut down, crash recovery, starting up) and 53300 (too
 * many connections). A SQL error (a bug, a constraint) is not one of them and stays itself.
 */
function isUnavailableSqlState(code: string): boolean {
  return code.startsWith('08') || ['57P01', '57P02', '57P03', '53300'].includes(code);
}

/** Messages node-postgres gives a dropped or never-made connection, which carry no code. */
const CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection ended',
];

export function isConnectionFailure(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || isUnavailableSqlState(code))) return true;
    if (CONNECTION_MESSAGES.some((m) => current instanceof Error && current.message.includes(m))) return true;
    if (current instanceof AggregateError && current.errors.some(isConnectionFailure)) return true;
    current = current.cause;
  }
  return false;
}

function reasonOf(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const code = (cause as { code?: unknown }).code;
  const message = cause.message || (cause instanceof AggregateError ? 'connection failed' : cause.name);
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}

/** Runs one store operation, turning a connection failure into StoreUnavailable. */
export async function reachable<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof StoreUnavailable || !isConnectionFailure(error)) throw error;
    throw new StoreUnavailable(what, error);
  }
}
