/**
 * The kit's logger: JSON lines on stderr only. stdout belongs to the protocol when a server runs
 * over stdio, so nothing here ever writes to it.
 */
import { pino } from 'pino';

export type Logger = pino.Logger;

export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, base: { server: name } }, pino.destination({ dest: 2, sync: false }));
}
