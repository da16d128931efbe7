/**
 * Sessions shared by replicas: two managers on one shared record store stand for two gateway
 * replicas behind a balancer without affinity. A session opened on one is served by the other
 * with the client's capabilities intact, survives the first one's shutdown, is refused by both
 * once ended through either, and stays its owner's. A store that cannot be read answers 503.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { McpServer } from '@modelcontextprotocol/server';
import { MemorySessionRecords, type SessionRecordStore } from '../src/record-store.ts';
import { MemorySessionBus } from '../src/session-bus.ts';
import { SessionManager, type SessionManagerOptions } from '../src/session-manager.ts';

const URL_ = 'http://127.0.0.1/mcp';
const VERSION = '2025-11-25';
const CAPABILITIES = { elicitation: { form: {} }, roots: { listChanged: true } };
const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: VERSION,
    capabilities: CAPABILITIES,
    clientInfo: { name: 'replica-test', version: '1' },
  },
};
const ping = { jsonrpc: '2.0', id: 2, method: 'ping' };

function post(body: unknown, sessionId?: string): Request {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': VERSION,
  };
  if (sessionId !== undefined) headers['mcp-session-id'] = sessionId;
  return new Request(URL_, { method: 'POST', headers, body: JSON.stringify(body) });
}

const managers: SessionManager<undefined>[] = [];
function replica(records: SessionRecordStore, options: Partial<SessionManagerOptions<undefined>> = {}) {
  const made = new SessionManager<undefined>({
    open: () => ({ server: new McpServer({ name: 'test', version: '1.0.0' }), state: undefined }),
    records,
    revalidateMs: 50,
    ...options,
  });
  managers.push(made);
  return made;
}

async function open(sessions: SessionManager<undefined>, owner = 'alice'): Promise<string> {
  const response = await sessions.handle(post(initialize), { owner });
  assert.equal(response.status, 200);
  await response.body?.cancel();
  const id = response.headers.get('mcp-session-id');
  assert.ok(id);
  return id;
}

async function answer(sessions: SessionManager<undefined>, id: string, owner = 'alice', rpcId = 2) {
  const message = { ...ping, id: rpcId };
  const response = await sessions.handle(post(message, id), { owner, parsedBody: message });
  const text = await response.text();
  return { status: response.status, text };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.closeAll()));
});

describe('sessions on a shared record store (replicas)', () => {
  it('serves a session opened on one replica from another, with the client’s capabilities', async () => {
    const records = new MemorySessionRecords({ shared: true });
    // Revalidation is not what this test is about: a busy machine can take longer than 50 ms
    // between the answer and the look at what B holds.
    const [a, b] = [replica(records), replica(records, { revalidateMs: 60_000 })];
    const id = await open(a);
    const onB = await answer(b, id);
    assert.equal(onB.status, 200, onB.text);
    assert.match(onB.text, /"result":\{\}/);
    const taken = b.live(id, 'alice');
    assert.ok(taken, 'B now holds the session');
    assert.deepEqual(taken.server.server.getClientCapabilities(), CAPABILITIES);
    assert.deepEqual(taken.server.server.getClientVersion(), { name: 'replica-test', version: '1' });
    assert.equal(taken.server.server.getNegotiatedProtocolVersion?.() ?? VERSION, VERSION);
  });

  it('keeps serving a session after the replica that opened it shut down', async () => {
    const records = new MemorySessionRecords({ shared: true });
    const a = replica(records);
    const id = await open(a);
    await a.closeAll();
    assert.ok(records.get(id), 'a replica going away leaves the record for the others');
    const b = replica(records);
    assert.equal((await answer(b, id)).status, 200);
  });

  it('refuses a session ended through another replica within revalidateMs', async () => {
    const records = new MemorySessionRecords({ shared: true });
    const [a, b] = [replica(records), replica(records)];
    const id = await open(a);
    assert.equal((await answer(b, id)).status, 200);
    const ended = await a.handle(new Request(URL_, { method: 'DELETE', headers: { 'mcp-session-id': id } }), {
      owner: 'alice',
    });
    assert.equal(ended.status, 200);
    assert.equal(records.get(id), undefined);
    await sleep(60);
    const onB = await answer(b, id);
    assert.equal(onB.status, 404, onB.text);
    assert.match(onB.text, /-32001/);
    assert.equal(b.size, 0, 'B let go of its copy');
  });

  it('answers another owner, an unknown id and a record idle everywhere with 404', async () => {
    const records = new MemorySessionRecords({ shared: true });
    const [a, b] = [replica(records, { idleMs: 200 }), replica(records, { idleMs: 200 })];
    const id = await open(a);
    assert.equal((await answer(b, id, 'mallory')).status, 404);
    assert.equal(b.size, 0, 'nothing taken up for the wrong owner');
    assert.equal((await answer(b, 'no-such-session')).status, 404);
    records.touch(id, Date.now() - 1000);
    assert.equal((await answer(b, id)).status, 404);
    assert.equal(records.get(id), undefined, 'the idle record is dropped');
  });

  it('answers 503 (-32603, Retry-After) for a session it cannot take up while the store is away, then recovers', async () => {
    const records = new MemorySessionRecords({ shared: true });
    const a = replica(records);
    const id = await open(a);
    let down = true;
    const flaky: SessionRecordStore = {
      shared: true,
      add: (r) => records.add(r),
      get: (key) => (down ? Promise.reject(new Error('connection refused')) : records.get(key)),
      touch: (key, at) => records.touch(key, at),
      remove: (key) => records.remove(key),
    };
    const errors: string[] = [];
    const b = replica(flaky, { onError: (e) => errors.push(e.message) });
    const refused = await b.handle(post(ping, id), { owner: 'alice', parsedBody: ping });
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '2');
    assert.match(await refused.text(), /-32603.*session store cannot be reached/);
    assert.deepEqual(errors, ['connection refused']);
    down = false;
    assert.equal((await answer(b, id)).status, 200);
    // B holds it now: while the store is away again, B goes on serving it.
    down = true;
    await sleep(60);
    assert.equal((await answer(b, id)).status, 200);
  });

  it('takes a session up once when requests for it arrive together', async () => {
    const records = new MemorySessionRecords({ shared: true });
    let opened = 0;
    const [a, b] = [replica(records), replica(records, { onOpened: () => opened++ })];
    const id = await open(a);
    const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => answer(b, id, 'alice', 10 + i)));
    assert.deepEqual(
      answers.map((x) => x.status),
      [200, 200, 200, 200, 200],
    );
    assert.equal(opened, 1);
  });

  it('answers initialize only once the record is written, and 503 when it cannot be', async () => {
    const records = new MemorySessionRecords({ shared: true });
    let failAdd = false;
    const slow: SessionRecordStore = {
      shared: true,
      add: async (r) => {
        await sleep(100);
        if (failAdd) throw new Error('insert failed');
        records.add(r);
      },
      get: (key) => records.get(key),
      touch: (key, at) => records.touch(key, at),
      remove: (key) => records.remove(key),
    };
    const [a, b] = [replica(slow), replica(records)];
    const id = await open(a);
    // The very next request may go to another replica: the record is already there.
    assert.equal((await answer(b, id)).status, 200);
    failAdd = true;
    const refused = await a.handle(post(initialize), { owner: 'alice' });
    assert.equal(refused.status, 503);
    assert.match(await refused.text(), /session store cannot be reached/);
    assert.equal(a.size, 1, 'the session that could not be recorded is not kept');
  });

  it('lets go of a session unused here for heldIdleMs, keeping its record for the others', async () => {
    const records = new MemorySessionRecords({ shared: true });
    const [a, b] = [replica(records, { heldIdleMs: 40 }), replica(records)];
    const id = await open(a);
    const deadline = Date.now() + 2000;
    while (a.size > 0 && Date.now() < deadline) await sleep(20);
    assert.equal(a.size, 0, 'A no longer holds it');
    assert.ok(records.get(id), 'the record stays');
    assert.equal((await answer(b, id)).status, 200, 'another replica takes it up');
    assert.equal((await answer(a, id, 'alice', 3)).status, 200, 'and A again when asked');
  });
});

/** Events of an SSE response body as JSON-RPC messages, read as they come. */
async function* sseMessages(response: Response): AsyncGenerator<Record<string, unknown>> {
  const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
  assert.ok(reader, 'an event stream');
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffered += value;
    for (let end = buffered.indexOf('\n\n'); end >= 0; end = buffered.indexOf('\n\n')) {
      const event = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const data = event
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trim())
        .join('');
      if (data !== '') yield JSON.parse(data) as Record<string, unknown>;
    }
  }
}

/** A server whose `confirm` tool asks the client (elicitation) and answers with what it said. */
function askingServer(): McpServer {
  const server = new McpServer({ name: 'asking', version: '1.0.0' });
  server.registerTool('confirm', { description: 'Asks the user to confirm' }, async (ctx) => {
    const reply = await ctx.mcpReq.elicitInput(
      {
        mode: 'form',
        message: 'Go ahead?',
        requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } } },
      },
      // On the call's own stream, as the gateway asks (the SDK's default is the standalone one).
      { relatedRequestId: ctx.mcpReq.id, timeout: 3_000 },
    );
    return { content: [{ type: 'text', text: `the user said ${JSON.stringify(reply)}` }] };
  });
  return server;
}

describe('replicas telling each other (a session bus)', () => {
  function fleet(bus: MemorySessionBus | undefined, options: Partial<SessionManagerOptions<undefined>> = {}) {
    const records = new MemorySessionRecords({ shared: true });
    const one = () =>
      replica(records, {
        open: () => ({ server: askingServer(), state: undefined }),
        revalidateMs: 60_000,
        ...(bus === undefined ? {} : { bus: bus.member() }),
        ...options,
      });
    return [one(), one()] as const;
  }

  /** Calls `confirm` through A, answers the question through B; what A's call answers, or why not. */
  async function confirmAcross(bus: MemorySessionBus | undefined): Promise<string> {
    const [a, b] = fleet(bus);
    const id = await open(a);
    const call = { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'confirm', arguments: {} } };
    const stream = sseMessages(await a.handle(post(call, id), { owner: 'alice', parsedBody: call }));
    const question = (await stream.next()).value;
    assert.equal(question?.method, 'elicitation/create');
    const reply = { jsonrpc: '2.0', id: question?.id, result: { action: 'accept', content: { ok: true } } };
    const posted = await b.handle(post(reply, id), { owner: 'alice', parsedBody: reply });
    assert.equal(posted.status, 202);
    for await (const message of stream) {
      if (message.id !== 7) continue;
      const result = message.result as { content?: { text?: string }[] } | undefined;
      return result?.content?.[0]?.text ?? JSON.stringify(message.error);
    }
    return 'the stream ended without an answer';
  }

  it('hands an answer to a server-to-client request posted through another replica to the one waiting for it', async () => {
    assert.match(await confirmAcross(new MemorySessionBus()), /the user said .*"accept".*"ok":true/);
  });

  it('loses that answer without a bus (what the bus is for)', async () => {
    assert.match(await confirmAcross(undefined), /timed out|-32001/i);
  });

  it('lets go at once of a session ended through another replica', async () => {
    const [a, b] = fleet(new MemorySessionBus());
    const id = await open(a);
    assert.equal((await answer(b, id)).status, 200, 'B holds it');
    const ended = await a.handle(new Request(URL_, { method: 'DELETE', headers: { 'mcp-session-id': id } }), {
      owner: 'alice',
    });
    assert.equal(ended.status, 200);
    await sleep(5);
    const onB = await answer(b, id);
    assert.equal(onB.status, 404, 'not at B’s next check of the record (a minute away) but now');
    assert.equal(b.size, 0);
  });

  it('answers a DELETE after 2 s when the store does not answer, leaving the others to their next check', async () => {
    const records = new MemorySessionRecords({ shared: true });
    const hanging: SessionRecordStore = {
      shared: true,
      add: (r) => records.add(r),
      get: (key) => records.get(key),
      touch: (key, at) => records.touch(key, at),
      remove: () => new Promise<void>(() => {}),
    };
    const a = replica(hanging, { bus: new MemorySessionBus().member() });
    const id = await open(a);
    const started = Date.now();
    const ended = await a.handle(new Request(URL_, { method: 'DELETE', headers: { 'mcp-session-id': id } }), {
      owner: 'alice',
    });
    const waited = Date.now() - started;
    assert.equal(ended.status, 200);
    assert.ok(waited >= 1_900 && waited < 3_000, `answered after ${waited} ms`);
    assert.equal(a.size, 0);
  });

  it('passes a posted notification on only to the replicas holding that session, for its owner', async () => {
    const seen: [string, unknown][] = [];
    const bus = new MemorySessionBus();
    const [a, b] = fleet(bus, { onRequest: (session, body) => seen.push([session.id, body]) });
    const id = await open(a);
    const other = await open(b, 'bob');
    const cancel = { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 3 } };
    assert.equal((await b.handle(post(cancel, id), { owner: 'alice', parsedBody: cancel })).status, 202);
    const forged = { ...cancel, params: { requestId: 4 } };
    // Bob cannot reach Alice's session through the bus either.
    assert.equal((await b.handle(post(forged, other), { owner: 'bob', parsedBody: forged })).status, 202);
    await sleep(20);
    assert.deepEqual(
      seen.map(([session, body]) => [
        session === id ? 'alice' : 'bob',
        (body as typeof cancel).params.requestId,
      ]),
      [
        ['alice', 3], // B's own copy (taken up for this POST)
        ['bob', 4], // B, Bob's own session
        ['alice', 3], // A, from the bus
      ],
    );
  });
});

describe('state a client sets through one replica (logging level, subscriptions)', () => {
  /** A server that logs at info in `shout`, and notes which URIs it was asked to follow. */
  function stateful(followed: Set<string>): McpServer {
    const server = new McpServer(
      { name: 'stateful', version: '1.0.0' },
      { capabilities: { logging: {}, resources: { subscribe: true } } },
    );
    server.registerTool('shout', { description: 'Logs at info' }, async (ctx) => {
      await ctx.mcpReq.log('info', 'hello from the tool');
      return { content: [{ type: 'text', text: 'done' }] };
    });
    server.server.setRequestHandler('resources/subscribe', async (request) => {
      followed.add(request.params.uri);
      return {};
    });
    server.server.setRequestHandler('resources/unsubscribe', async (request) => {
      followed.delete(request.params.uri);
      return {};
    });
    return server;
  }

  function statefulReplica(records: SessionRecordStore, bus: MemorySessionBus) {
    const followed = new Set<string>();
    const manager = replica(records, {
      open: () => ({ server: stateful(followed), state: undefined }),
      revalidateMs: 60_000,
      bus: bus.member(),
    });
    return { manager, followed };
  }

  async function send(sessions: SessionManager<undefined>, id: string, message: unknown): Promise<string> {
    const response = await sessions.handle(post(message, id), { owner: 'alice', parsedBody: message });
    assert.equal(response.status, 200);
    return response.text();
  }

  const shout = { jsonrpc: '2.0', id: 20, method: 'tools/call', params: { name: 'shout', arguments: {} } };
  const logs = (text: string) => (text.match(/notifications\/message/g) ?? []).length;

  it('holds a logging level set through one replica on the others, also on one taking the session up later', async () => {
    const records = new MemorySessionRecords({ shared: true });
    const bus = new MemorySessionBus();
    const [a, b] = [statefulReplica(records, bus), statefulReplica(records, bus)];
    const id = await open(a.manager);
    assert.equal(logs(await send(a.manager, id, shout)), 1, 'no level set: the info message comes');
    await send(b.manager, id, {
      jsonrpc: '2.0',
      id: 21,
      method: 'logging/setLevel',
      params: { level: 'error' },
    });
    await sleep(20);
    assert.equal(logs(await send(a.manager, id, shout)), 0, 'A applies the level set through B');
    const c = statefulReplica(records, bus);
    assert.equal(logs(await send(c.manager, id, shout)), 0, 'C, taking the session up, replays it');
  });

  it('follows the URIs subscribed through another replica on the replica holding the session, and on one taking it up later', async () => {
    const records = new MemorySessionRecords({ shared: true });
    const bus = new MemorySessionBus();
    const [a, b] = [statefulReplica(records, bus), statefulReplica(records, bus)];
    const id = await open(a.manager);
    const subscribe = (rpc: number, method: string, uri: string) =>
      send(b.manager, id, { jsonrpc: '2.0', id: rpc, method, params: { uri } });
    await subscribe(30, 'resources/subscribe', 'test://x');
    await subscribe(31, 'resources/subscribe', 'test://y');
    await subscribe(32, 'resources/unsubscribe', 'test://x');
    await sleep(20);
    assert.deepEqual([...b.followed], ['test://y']);
    assert.deepEqual([...a.followed], ['test://y'], 'A (holding the client’s stream, say) follows y too');
    const c = statefulReplica(records, bus);
    assert.equal((await answer(c.manager, id)).status, 200);
    assert.deepEqual(
      [...c.followed],
      ['test://y'],
      'C replays the subscriptions when it takes the session up',
    );
  });
});
