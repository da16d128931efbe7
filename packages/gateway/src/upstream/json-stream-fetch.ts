/**
 * Some servers answer a POST that streams (`subscriptions/listen`, or a call that sends
 * notifications before its result) as `application/json` with one JSON-RPC message after another
 * in a chunked body, instead of an SSE stream. The SDK's client transport reads an
 * `application/json` body to its end and parses it as one value, so such a stream is waited on
 * until it closes (a listen stream never does) and then fails to parse.
 *
 * This fetch middleware re-frames such an answer — `application/json` with no Content-Length —
 * as `text/event-stream`, one event per complete JSON value, as the values arrive. An answer
 * with a Content-Length (one JSON value, the usual case) is passed through untouched.
 */
import type { FetchLike } from '@modelcontextprotocol/client';
import { BACKSLASH, isClosing, isJsonWhitespace, isOpening, QUOTE } from '../json/chars.ts';

/** Splits a stream of concatenated JSON values into their texts, however the chunks fall. */
export class JsonValueSplitter {
  private buffer = '';
  private depth = 0;
  private inString = false;
  private escaped = false;

  /** Feeds text; returns the JSON values completed by it. */
  push(text: string): string[] {
    const values: string[] = [];
    let start = 0; // where the unconsumed part of `text` begins
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.inString) this.stepInString(c);
      else if (this.depth === 0 && this.buffer === '' && i === start && isJsonWhitespace(c)) {
        start = i + 1; // whitespace between values
      } else if (this.closesValue(c)) {
        values.push(this.buffer + text.slice(start, i + 1));
        this.buffer = '';
        start = i + 1;
      }
    }
    this.buffer += text.slice(start);
    return values;
  }

  private stepInString(c: number): void {
    if (this.escaped) this.escaped = false;
    else if (c === BACKSLASH) this.escaped = true;
    else if (c === QUOTE) this.inString = false;
  }

  /** Steps over one character outside strings; true when it ends a top-level value. */
  private closesValue(c: number): boolean {
    if (c === QUOTE) this.inString = true;
    else if (isOpening(c)) this.depth++;
    else if (isClosing(c)) return --this.depth === 0;
    return false;
  }

  /** Whatever is left when the stream ends (an incomplete value), for the caller to report. */
  get rest(): string {
    return this.buffer;
  }
}

/** One SSE event carrying `json` (a JSON text may span lines; each becomes a `data:` line). */
function sseEvent(json: string): string {
  return `${json
    .split('\n')
    .map((line) => `data: ${line}`)
    .join('\n')}\n\n`;
}

function reframeAsSse(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const splitter = new JsonValueSplitter();
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        for (const value of splitter.push(decoder.decode(chunk, { stream: true })))
          controller.enqueue(encoder.encode(sseEvent(value)));
      },
      flush(controller) {
        for (const value of splitter.push(decoder.decode()))
          controller.enqueue(encoder.encode(sseEvent(value)));
        // An unfinished value is passed on as it is, so the SDK reports it as a parse error.
        if (splitter.rest.trim() !== '') controller.enqueue(encoder.encode(sseEvent(splitter.rest)));
      },
    }),
  );
}

function isStreamedJson(response: Response): boolean {
  const type = response.headers.get('content-type') ?? '';
  return (
    response.ok &&
    response.body !== null &&
    type.toLowerCase().startsWith('application/json') &&
    !response.headers.has('content-length')
  );
}

/** Wraps `next` so that streamed JSON answers reach the SDK as SSE. */
export function acceptJsonStreams(next: FetchLike = fetch): FetchLike {
  return async (input, init) => {
    const response = await next(input, init);
    if (init?.method !== 'POST' || !isStreamedJson(response) || response.body === null) return response;
    const headers = new Headers(response.headers);
    headers.set('content-type', 'text/event-stream');
    return new Response(reframeAsSse(response.body), {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  };
}
