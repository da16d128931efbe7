/**
 * The JSON bounds (json-bounds.ts) on stdio: a stream between stdin and the SDK's stdio transport
 * that checks each newline-delimited message before the SDK parses it. Messages within the bounds
 * pass through unchanged; one beyond them is dropped and handed to `refuse` (which answers it),
 * and the pipe keeps serving. A line longer than `maxLineBytes` is dropped the same way, so an
 * unterminated line cannot make the buffer grow without end.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { type JsonBounds, jsonBoundsViolation } from './json-bounds.ts';

const NEWLINE = 0x0a;

export interface LineBounds extends JsonBounds {
  maxLineBytes: number;
}

export function boundedLines(bounds: LineBounds, refuse: (message: string) => void): Transform {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  // Inside a line already refused as too long: everything up to its newline is dropped.
  let discarding = false;

  function completeLine(stream: Transform, tail: Buffer): void {
    const line = pending.length === 0 ? tail : Buffer.concat([...pending, tail]);
    pending = [];
    pendingBytes = 0;
    if (discarding) {
      discarding = false;
      return;
    }
    const violation = jsonBoundsViolation(line.toString('utf8'), bounds);
    if (violation === undefined) stream.push(line);
    else refuse(violation);
  }

  function holdPartialLine(rest: Buffer): void {
    if (discarding || rest.length === 0) return;
    pendingBytes += rest.length;
    if (pendingBytes <= bounds.maxLineBytes) {
      pending.push(rest);
      return;
    }
    pending = [];
    pendingBytes = 0;
    discarding = true;
    refuse(`Invalid Request: the message is longer than ${bounds.maxLineBytes} bytes`);
  }

  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      let start = 0;
      for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
        completeLine(this, chunk.subarray(start, end + 1));
        start = end + 1;
      }
      holdPartialLine(chunk.subarray(start));
      done();
    },
  });
}
