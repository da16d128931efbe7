/**
 * What the demo says while it runs. Progress lines (one per set-up step) go to stderr as
 * `gatehouse: …`; the gateway's JSON log goes to a file in the data directory, and its warnings
 * and errors also to stderr as one readable line each, so the terminal never mixes JSON with the
 * banner on stdout.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from '../observability/logger.ts';

export function progress(message: string): void {
  process.stderr.write(`gatehouse: ${message}\n`);
}

const PINO_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'service', 'msg']);

/** One pino JSON line as `gatehouse: warn: message {"field":…}`. */
export function readableLogLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return `gatehouse: ${json}`;
  }
  const level = pino.levels.labels[Number(record.level)] ?? 'log';
  const details = Object.fromEntries(Object.entries(record).filter(([key]) => !PINO_FIELDS.has(key)));
  const extra = Object.keys(details).length > 0 ? ` ${JSON.stringify(details)}` : '';
  return `gatehouse: ${level}: ${String(record.msg ?? '')}${extra}`;
}

function readableStderr(): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim() !== '') process.stderr.write(`${readableLogLine(line)}\n`);
      }
      done();
    },
  });
}

/** The gateway's logger for the demo: everything at `level` to `file`, warnings and errors to stderr. */
export function demoLogger(level: string, file: string): Logger {
  mkdirSync(dirname(file), { recursive: true });
  // Owner-only when it is created, like the database and the key file beside it (it names every
  // caller and target); a file that exists keeps its permissions.
  const toFile = pino.destination({ dest: file, append: true, sync: false, mode: 0o600 });
  const streams = pino.multistream([
    { level: level as pino.Level, stream: toFile },
    { level: 'warn', stream: readableStderr() },
  ]);
  return pino({ level, base: { service: 'gatehouse' } }, streams);
}
