/** JSON logs on stderr (stdout is reserved for the stdio transport). */
import { pino } from 'pino';

export type Logger = pino.Logger;

export function createLogger(level = 'info'): Logger {
  return pino({ level, base: { service: 'gatehouse' } }, pino.destination({ fd: 2, sync: false }));
}

/** A logger that drops everything: for tests and library callers that bring none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
