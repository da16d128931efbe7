/**
 * Resumable SSE on 2025-era sessions: a client whose response stream drops mid-call reconnects
 * with `Last-Event-ID` and receives what it missed — the rest of the progress and the result —
 * from the gateway's event store, while the upstream call ran on undisturbed. Raw HTTP, as a
 * client that loses its connection sees it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixtureUpstreamYaml, startGateway, type TestGateway } from './helpers/harness.ts';

interface SseEvent {
  id?: string;
  data: Record<string, unknown>;
}

/** Reads SSE events from `body` until `stop` says so; returns them and leaves the reader open. */
async function readEvents(
  body: ReadableStream<Uint8Array>,
  stop: (events: SseEvent[]) => boolean,
): Promise<{ events: SseEvent[]; reader: ReadableStreamDefaultReader<Uint8Array> }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const events: SseEvent[] = [];
  let buffer = '';
  while (!stop(events)) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf('\n\n');
      const lines = block.split('\n');
      const data = lines
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trim())
        .join('\n');
      if (data === '') continue; // priming event or comment
      const id = lines
        .find((l) => l.startsWith('id:'))
        ?.slice(3)
        .trim();
      events.push({ ...(id ? { id } : {}), data: JSON.parse(data) as Record<string, unknown> });
    }
  }
  return { events, reader };
}

describe('resumable SSE on 2025-era sessions', () => {
  let gw: TestGateway;

  before(async () => {
    gw = await startGateway(`upstreams:\n${fixtureUpstreamYaml('alpha')}`);
  });

  after(async () => {
    await gw?.close();
  });

  async function post(body: unknown, session?: string): Promise<Response> {
    return fetch(gw.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(session ? { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' } : {}),
      },
      body: JSON.stringify(body),
    });
  }

  /** Opens a 2025-11-25 session with a raw initialize; returns its id. */
  async function openSession(): Promise<string> {
    const init = await post({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: {},
        clientInfo: { name: 'resume', version: '1' },
      },
    });
    const session = init.headers.get('mcp-session-id');
    assert.ok(session);
    await init.body?.cancel();
    return session;
  }

  it('replays the missed progress and the result after Last-Event-ID', async () => {
    const session = await openSession();
    const initialized = await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, session);
    assert.equal(initialized.status, 202);

    const call = await post(
      {
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'alpha_slow_progress', arguments: { stepMs: 300 }, _meta: { progressToken: 'p1' } },
      },
      session,
    );
    assert.match(call.headers.get('content-type') ?? '', /text\/event-stream/);
    assert.ok(call.body);
    const first = await readEvents(call.body, (events) =>
      events.some((e) => e.data.method === 'notifications/progress'),
    );
    const lastSeen = first.events.at(-1);
    assert.ok(lastSeen?.id, 'events carry ids');
    await first.reader.cancel(); // the connection drops mid-call

    await new Promise((r) => setTimeout(r, 900)); // the call finishes while nobody listens

    const resumed = await fetch(gw.url, {
      method: 'GET',
      headers: {
        accept: 'text/event-stream',
        'mcp-session-id': session,
        'mcp-protocol-version': '2025-11-25',
        'last-event-id': lastSeen.id,
      },
    });
    assert.equal(resumed.status, 200);
    assert.ok(resumed.body);
    const rest = await readEvents(resumed.body, (events) => events.some((e) => e.data.id === 2));
    await rest.reader.cancel();
    const progress = rest.events
      .filter((e) => e.data.method === 'notifications/progress')
      .map((e) => (e.data.params as { progress: number }).progress);
    const seen = first.events
      .filter((e) => e.data.method === 'notifications/progress')
      .map((e) => (e.data.params as { progress: number }).progress);
    assert.deepEqual([...seen, ...progress], [0, 50, 100], 'no progress lost or repeated');
    const result = rest.events.find((e) => e.data.id === 2)?.data.result as {
      content: { text: string }[];
    };
    assert.equal(result.content[0]?.text, 'done');
  });

  it('refuses an unknown Last-Event-ID without disturbing the session', async () => {
    const session = await openSession();
    const bogus = await fetch(gw.url, {
      method: 'GET',
      headers: {
        accept: 'text/event-stream',
        'mcp-session-id': session,
        'mcp-protocol-version': '2025-11-25',
        'last-event-id': 'no-such-event',
      },
    });
    assert.ok(bogus.status >= 400 && bogus.status < 500, `status ${bogus.status}`);
    await bogus.body?.cancel();
    const ping = await post({ jsonrpc: '2.0', id: 3, method: 'ping' }, session);
    assert.equal(ping.status, 200);
    await ping.body?.cancel();
  });
});
