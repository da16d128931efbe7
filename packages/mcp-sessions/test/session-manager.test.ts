/**
 * The session manager, driven with web Requests (no socket): open on initialize, 404 for unknown,
 * ended and other owners' sessions, DELETE, the cap (503, and the open sessions keep serving),
 * idle expiry, records kept in the record store, and refusals of requests without a session.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { McpServer } from '@modelcontextprotocol/server';
import { MemorySessionRecords } from '../src/record-store.ts';
import { SessionManager, type SessionManagerOptions } from '../src/session-manager.ts';

const URL_ = 'http://127.0.0.1/mcp';
const VERSION = '2025-11-25';
const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: VERSION, capabilities: {}, clientInfo: { name: 't', version: '1' } },
};
const ping = { jsonrpc: '2.0', id: 2, method: 'ping' };

function post(body: unknown, sessionId?: string): Request {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': VERSION,
  };
  if (sessionId !== undefined) headers['mcp-session-id'] = sessionId;
  return new Request(URL_, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function request(method: string, sessionId: string): Request {
  return new Request(URL_, {
    method,
    headers: { 'mcp-session-id': sessionId, 'mcp-protocol-version': VERSION },
  });
}

async function errorOf(response: Response): Promise<{ status: number; code: number | undefined }> {
  const body = (await response.json()) as { error?: { code?: number } };
  return { status: response.status, code: body.error?.code };
}

const managers: SessionManager<undefined>[] = [];
function manager(options: Partial<SessionManagerOptions<undefined>> = {}): SessionManager<undefined> {
  const made = new SessionManager<undefined>({
    open: () => ({ server: new McpServer({ name: 'test', version: '1.0.0' }), state: undefined }),
    ...options,
  });
  managers.push(made);
  return made;
}

async function open(sessions: SessionManager<undefined>, owner?: string): Promise<string> {
  const response = await sessions.handle(post(initialize), { owner });
  assert.equal(response.status, 200);
  await response.body?.cancel();
  const id = response.headers.get('mcp-session-id');
  assert.ok(id, 'initialize answers with a session id');
  return id;
}

async function pingStatus(sessions: SessionManager<undefined>, id: string, owner?: string): Promise<number> {
  const response = await sessions.handle(post(ping, id), { owner, parsedBody: ping });
  await response.body?.cancel();
  return response.status;
}

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.closeAll()));
});

describe('SessionManager', () => {
  it('opens a session on initialize, serves it, and ends it on DELETE', async () => {
    const records = new MemorySessionRecords();
    const closed: string[] = [];
    const sessions = manager({ records, onClosed: (s) => closed.push(s.id) });
    const id = await open(sessions);
    assert.equal(sessions.size, 1);
    assert.equal(records.get(id)?.id, id);
    assert.equal(await pingStatus(sessions, id), 200);

    const ended = await sessions.handle(request('DELETE', id));
    assert.equal(ended.status, 200);
    assert.equal(sessions.size, 0);
    assert.equal(records.get(id), undefined);
    assert.deepEqual(closed, [id]);
    assert.deepEqual(await errorOf(await sessions.handle(post(ping, id))), { status: 404, code: -32001 });
  });

  it('answers an unknown session, and another owner’s, with 404 and -32001', async () => {
    const sessions = manager();
    assert.deepEqual(await errorOf(await sessions.handle(post(ping, 'nope'))), { status: 404, code: -32001 });
    const id = await open(sessions, 'alice');
    const asBob = await sessions.handle(post(ping, id), { owner: 'bob', parsedBody: ping });
    assert.deepEqual(await errorOf(asBob), { status: 404, code: -32001 });
    assert.equal(sessions.live(id, 'bob'), undefined);
    assert.equal(sessions.live(id, 'alice')?.id, id);
    assert.equal(await pingStatus(sessions, id, 'alice'), 200);
  });

  it('refuses one session more than the cap with 503 and -32603, and keeps serving the open ones', async () => {
    const sessions = manager({ maxSessions: 1 });
    const id = await open(sessions);
    const refused = await sessions.handle(post(initialize));
    assert.deepEqual(await errorOf(refused), { status: 503, code: -32603 });
    assert.equal(refused.headers.get('retry-after'), '5');
    assert.equal(await pingStatus(sessions, id), 200);
    await sessions.handle(request('DELETE', id));
    await open(sessions);
  });

  it('ends sessions left idle', async () => {
    const closed: string[] = [];
    const sessions = manager({ idleMs: 30, onClosed: (s) => closed.push(s.id) });
    const id = await open(sessions);
    const deadline = Date.now() + 2000;
    while (sessions.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(sessions.size, 0);
    assert.deepEqual(closed, [id]);
    assert.deepEqual(await errorOf(await sessions.handle(post(ping, id))), { status: 404, code: -32001 });
  });

  it('refuses requests without a session: 400 (-32600), and -32700 for a body that is not JSON', async () => {
    const sessions = manager();
    const get = new Request(URL_, { method: 'GET', headers: { accept: 'text/event-stream' } });
    assert.deepEqual(await errorOf(await sessions.handle(get)), { status: 400, code: -32600 });
    assert.deepEqual(await errorOf(await sessions.handle(post(ping))), { status: 400, code: -32600 });
    assert.deepEqual(await errorOf(await sessions.handle(post('{not json'))), { status: 400, code: -32700 });
    assert.equal(sessions.size, 0);
    await open(sessions);
  });

  it('reports a failing record store without failing the request', async () => {
    const errors: string[] = [];
    const failing = {
      add: () => Promise.reject(new Error('store down')),
      get: () => undefined,
      touch: () => {},
      remove: () => {
        throw new Error('store still down');
      },
    };
    const sessions = manager({ records: failing, onError: (e) => errors.push(e.message) });
    const id = await open(sessions);
    assert.equal(await pingStatus(sessions, id), 200);
    assert.equal((await sessions.handle(request('DELETE', id))).status, 200);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(errors.sort(), ['store down', 'store still down']);
  });

  it('refuses batches on sessions of versions that removed them, reading the body itself', async () => {
    const sessions = manager();
    const id = await open(sessions);
    // No parsedBody, as the kit and the conformance server call it: the manager reads the body.
    const batch = await sessions.handle(post([ping, { ...ping, id: 3 }], id));
    assert.deepEqual(await errorOf(batch), { status: 400, code: -32600 });
    const initializeInBatch = await sessions.handle(post([initialize]));
    assert.deepEqual(await errorOf(initializeInBatch), { status: 400, code: -32600 });
    const single = await sessions.handle(post(ping, id));
    assert.equal(single.status, 200, 'the session keeps serving');
    await single.body?.cancel();
  });

  it('ends every session on closeAll', async () => {
    const sessions = manager();
    const ids = [await open(sessions), await open(sessions)];
    await sessions.closeAll();
    assert.equal(sessions.size, 0);
    for (const id of ids) assert.equal((await sessions.handle(post(ping, id))).status, 404);
  });
});
