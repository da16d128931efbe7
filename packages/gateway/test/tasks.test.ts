/**
 * The tasks extension (`io.modelcontextprotocol/tasks`) relayed through the gateway: a 2026-07-28
 * upstream (the project's conformance server) answers calls with tasks; the client polls,
 * answers input and cancels through the gateway by the sealed task id. Requests are raw JSON-RPC
 * POSTs, as a client that handles `resultType: "task"` sends them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as z from 'zod';
import {
  type ConformanceHttpServer,
  startConformanceHttpServer,
} from '../../conformance-server/src/index.ts';
import { connectClient, startGateway, type TestGateway, textOf, waitFor } from './helpers/harness.ts';

const TASKS = 'io.modelcontextprotocol/tasks';

type Json = Record<string, unknown>;

interface RpcReply {
  status: number;
  result?: Json;
  error?: { code: number; message: string; data?: unknown };
}

const NAME_SOURCE: Record<string, string> = {
  'tools/call': 'name',
  'tasks/get': 'taskId',
  'tasks/update': 'taskId',
  'tasks/cancel': 'taskId',
};

let nextId = 1;

/** One 2026-07-28 request, declaring the tasks extension or not. */
async function rpc(url: string, method: string, params: Json, declareTasks = true): Promise<RpcReply> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2026-07-28',
    'mcp-method': method,
  };
  const source = NAME_SOURCE[method];
  if (source !== undefined && typeof params[source] === 'string') headers['mcp-name'] = params[source];
  const body = {
    jsonrpc: '2.0',
    id: nextId++,
    method,
    params: {
      ...params,
      _meta: {
        'io.modelcontextprotocol/protocolVersion': '2026-07-28',
        'io.modelcontextprotocol/clientInfo': { name: 'tasks-test', version: '1.0.0' },
        'io.modelcontextprotocol/clientCapabilities': declareTasks ? { extensions: { [TASKS]: {} } } : {},
      },
    },
  };
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await response.text();
  const json = (
    response.headers.get('content-type')?.includes('text/event-stream')
      ? JSON.parse(
          text
            .split('\n')
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .at(-1) ?? '{}',
        )
      : JSON.parse(text)
  ) as { result?: Json; error?: RpcReply['error'] };
  return { status: response.status, ...json };
}

function ok(reply: RpcReply): Json {
  assert.equal(reply.error, undefined, `unexpected error: ${JSON.stringify(reply.error)}`);
  assert.ok(reply.result);
  return reply.result;
}

async function settle(url: string, taskId: string): Promise<Json> {
  let last: Json = {};
  await waitFor(
    async () => {
      last = ok(await rpc(url, 'tasks/get', { taskId }));
      return ['completed', 'failed', 'cancelled'].includes(String(last.status));
    },
    15_000,
    `task ${taskId} to settle`,
  );
  return last;
}

describe('tasks extension through the gateway', () => {
  let upstream: ConformanceHttpServer;
  let gw: TestGateway;

  before(async () => {
    upstream = await startConformanceHttpServer({ port: 0, host: '127.0.0.1' });
    gw = await startGateway(`upstreams:
  - name: conf
    transport: http
    url: ${JSON.stringify(upstream.url)}
    prefix: conf
`);
  });

  after(async () => {
    await gw?.close();
    await upstream?.close();
  });

  it('advertises the extension to 2026-07-28 clients only', async () => {
    const discovered = ok(await rpc(gw.url, 'server/discover', {}));
    const capabilities = discovered.capabilities as Json;
    assert.ok((capabilities.extensions as Json | undefined)?.[TASKS]);
    const legacy = await connectClient(gw.url, 'legacy');
    try {
      assert.equal(legacy.getServerCapabilities()?.extensions?.[TASKS], undefined);
    } finally {
      await legacy.close();
    }
  });

  it('relays a task from creation to its inlined result under a sealed id', async () => {
    const created = ok(
      await rpc(gw.url, 'tools/call', { name: 'conf_slow_compute', arguments: { seconds: 0.3, label: 'x' } }),
    );
    assert.equal(created.resultType, 'task');
    assert.equal(typeof created.taskId, 'string');
    assert.match(String(created.taskId), /^gt1\./, 'the client sees the gateway-sealed id');
    assert.ok(typeof created.ttlMs === 'number' && created.ttlMs > 0, 'the task TTL survives the relay');
    assert.equal('requestState' in created, false);
    const done = await settle(gw.url, String(created.taskId));
    assert.equal(done.status, 'completed');
    assert.equal(done.taskId, created.taskId);
    const result = done.result as Json;
    assert.ok(Array.isArray(result.content) && result.content.length > 0);
  });

  it('answers a task that needs input through tasks/update', async () => {
    const created = ok(
      await rpc(gw.url, 'tools/call', { name: 'conf_confirm_delete', arguments: { filename: 'a.txt' } }),
    );
    const taskId = String(created.taskId);
    let view: Json = {};
    await waitFor(async () => {
      view = ok(await rpc(gw.url, 'tasks/get', { taskId }));
      return view.status === 'input_required';
    });
    const keys = Object.keys(view.inputRequests as Json);
    assert.ok(keys.length > 0);
    const inputResponses = Object.fromEntries(
      keys.map((k) => [k, { action: 'accept', content: { confirm: true } }]),
    );
    const ack = ok(await rpc(gw.url, 'tasks/update', { taskId, inputResponses }));
    assert.equal(ack.resultType, 'complete');
    const done = await settle(gw.url, taskId);
    assert.equal(done.status, 'completed');
    assert.equal(textOf(done.result as Json), 'Deleted a.txt', 'the answer reached the upstream');
  });

  it('cancels a running task, and acknowledges a repeat cancel the same way', async () => {
    const created = ok(
      await rpc(gw.url, 'tools/call', { name: 'conf_slow_compute', arguments: { seconds: 60 } }),
    );
    const taskId = String(created.taskId);
    const ack = ok(await rpc(gw.url, 'tasks/cancel', { taskId }));
    assert.equal(ack.resultType, 'complete');
    for (const field of ['taskId', 'status', 'result', 'error', 'inputRequests'])
      assert.equal(field in ack, false);
    assert.equal((await settle(gw.url, taskId)).status, 'cancelled');
    assert.equal(ok(await rpc(gw.url, 'tasks/cancel', { taskId })).resultType, 'complete');
  });

  it('refuses tasks/* from a caller that did not declare the extension with -32021', async () => {
    for (const method of ['tasks/get', 'tasks/update', 'tasks/cancel']) {
      const reply = await rpc(gw.url, method, { taskId: 'anything', inputResponses: {} }, false);
      assert.equal(reply.error?.code, -32021, method);
    }
  });

  it('runs a task-optional tool synchronously for a caller without the extension', async () => {
    const result = ok(
      await rpc(gw.url, 'tools/call', { name: 'conf_slow_compute', arguments: { seconds: 0 } }, false),
    );
    assert.equal(result.resultType, 'complete');
    assert.equal('taskId' in result, false);
  });

  it('rejects forged, tampered and foreign task ids as unknown (-32602) without reaching an upstream', async () => {
    const created = ok(
      await rpc(gw.url, 'tools/call', { name: 'conf_slow_compute', arguments: { seconds: 0 } }),
    );
    const real = String(created.taskId);
    const [prefix, body, mac] = real.split('.');
    const otherUpstream = Buffer.from(JSON.stringify(['elsewhere', 'x'])).toString('base64url');
    for (const id of [
      'not-a-task',
      `${prefix}.${otherUpstream}.${mac}`,
      `${prefix}.${body}.${'A'.repeat(mac?.length ?? 22)}`,
      `${real}.extra`,
    ]) {
      const reply = await rpc(gw.url, 'tasks/get', { taskId: id });
      assert.equal(reply.error?.code, -32602, id);
    }
    // The gateway keeps serving after the bad ids.
    assert.equal((await settle(gw.url, real)).status, 'completed');
  });

  it('has no tasks/* methods on a 2025-era session', async () => {
    const legacy = await connectClient(gw.url, 'legacy');
    try {
      await assert.rejects(
        legacy.request({ method: 'tasks/get', params: { taskId: 'x' } }, z.looseObject({})),
        (error: { code?: number }) => error.code === -32601,
      );
    } finally {
      await legacy.close();
    }
  });
});
