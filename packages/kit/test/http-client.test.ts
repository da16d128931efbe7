/**
 * The kit's HttpClient honouring `Retry-After` against a real loopback HTTP server: the wait a
 * 503 or 429 asks for (delay-seconds or HTTP-date) before the next attempt, no retry when the
 * service asks for longer than `maxRetryAfterMs`, and the header's parsing on its own.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type OutgoingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { HttpClient, HttpError } from '../src/infra/http-client.ts';
import { retryAfterMs } from '../src/infra/retry-after.ts';

interface Answer {
  status: number;
  headers?: OutgoingHttpHeaders;
  /** The body text; default `{"ok": <status is 200>}`. */
  body?: string;
}

/** A server answering from a script, one answer per request, noting when each request arrived. */
class ScriptedServer {
  private readonly server: Server;
  private script: Answer[] = [];
  arrivals: number[] = [];

  constructor() {
    this.server = createServer((_req, res) => {
      this.arrivals.push(performance.now());
      const answer = this.script.shift() ?? { status: 200 };
      res.writeHead(answer.status, {
        'content-type': 'application/json',
        connection: 'close',
        ...answer.headers,
      });
      res.end(answer.body ?? JSON.stringify({ ok: answer.status === 200 }));
    });
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
  }

  answer(...script: Answer[]): void {
    this.script = script;
    this.arrivals = [];
  }

  /** Milliseconds between the first two requests. */
  gap(): number {
    const [first = 0, second = 0] = this.arrivals;
    return second - first;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('HttpClient and Retry-After', () => {
  const server = new ScriptedServer();
  const client = () => new HttpClient({ baseUrl: server.url, name: 'Service', maxRetryAfterMs: 3_000 });
  before(() => server.start());
  after(() => server.close());

  test('waits the delay-seconds a 503 asks for, then succeeds', async () => {
    server.answer({ status: 503, headers: { 'retry-after': '1' } }, { status: 200 });
    assert.deepEqual(await client().get('/thing'), { ok: true });
    assert.equal(server.arrivals.length, 2);
    assert.ok(server.gap() >= 990, `retried after ${server.gap()} ms, not the 1 s asked for`);
  });

  test('waits until the HTTP-date a 429 names', async () => {
    const at = new Date(Date.now() + 2_000).toUTCString(); // second resolution: 1–2 s from now
    server.answer({ status: 429, headers: { 'retry-after': at } }, { status: 200 });
    assert.deepEqual(await client().get('/thing'), { ok: true });
    assert.ok(server.gap() >= 900, `retried after ${server.gap()} ms, before the date asked for`);
  });

  test('does not retry when the service asks for longer than maxRetryAfterMs', async () => {
    server.answer({ status: 503, headers: { 'retry-after': '120' } }, { status: 200 });
    const refused = await client()
      .get('/thing')
      .then(
        () => assert.fail('expected an HttpError'),
        (error: unknown) => error,
      );
    assert.ok(refused instanceof HttpError);
    assert.equal(refused.status, 503);
    assert.equal(refused.retryAfterMs, 120_000);
    assert.equal(server.arrivals.length, 1);
  });
});

describe('HttpClient and problem details', () => {
  const server = new ScriptedServer();
  const client = () => new HttpClient({ baseUrl: server.url, name: 'Service' });
  before(() => server.start());
  after(() => server.close());
  const refusal = (path: string) =>
    client()
      .get(path)
      .then(
        () => assert.fail('expected an HttpError'),
        (error: unknown) => error,
      );

  test('an application/problem+json answer carries its title and detail, the message stays body-free', async () => {
    server.answer({
      status: 403,
      headers: { 'content-type': 'application/problem+json' },
      body: JSON.stringify({ type: 'about:blank', title: 'Not allowed', status: 403, detail: 'not yours' }),
    });
    const refused = await refusal('/thing');
    assert.ok(refused instanceof HttpError);
    assert.deepEqual(refused.problem, { title: 'Not allowed', detail: 'not yours' });
    assert.equal(refused.message, 'Service answered HTTP 403 for /thing');
  });

  test('any other error body is not read: no problem', async () => {
    server.answer({ status: 404, body: JSON.stringify({ detail: 'an error page' }) });
    const refused = await refusal('/thing');
    assert.ok(refused instanceof HttpError);
    assert.equal(refused.problem, undefined);
  });

  test('a long detail is bounded and a malformed problem body is ignored', async () => {
    server.answer(
      {
        status: 422,
        headers: { 'content-type': 'application/problem+json' },
        body: JSON.stringify({ title: 'Invalid', detail: 'x'.repeat(5_000) }),
      },
      { status: 409, headers: { 'content-type': 'application/problem+json' }, body: '<html>' },
    );
    const long = await refusal('/a');
    assert.ok(long instanceof HttpError);
    assert.equal(long.problem?.detail?.length, 500);
    const malformed = await refusal('/b');
    assert.ok(malformed instanceof HttpError);
    assert.equal(malformed.status, 409);
    assert.equal(malformed.problem, undefined);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-10-21T07:28:00Z');
  test('reads delay-seconds and HTTP-dates', () => {
    assert.equal(retryAfterMs('7', now), 7_000);
    assert.equal(retryAfterMs(' 0 ', now), 0);
    assert.equal(retryAfterMs('Wed, 21 Oct 2026 07:28:30 GMT', now), 30_000);
    assert.equal(retryAfterMs('Wed, 21 Oct 2026 07:27:00 GMT', now), 0, 'a date passed means now');
  });
  test('ignores an absent or unreadable header', () => {
    assert.equal(retryAfterMs(null, now), undefined);
    assert.equal(retryAfterMs('-5', now), undefined);
    assert.equal(retryAfterMs('soon', now), undefined);
  });
});
