/**
 * The kit through its front door: a small server defined with the kit, called by the kit's test
 * client in both eras, in memory and over real HTTP.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import * as z from 'zod';
import { createLogger, defineServer, defineTool, serveHttp, ToolError } from '../src/index.ts';
import { testClient } from '../src/testing.ts';

const echo = defineTool({
  name: 'greet',
  description: 'Greets the caller by name',
  input: z.object({ name: z.string().min(1), steps: z.number().int().min(0).max(5).default(0) }),
  output: z.object({ greeting: z.string(), caller: z.string().nullable() }),
  annotations: { readOnlyHint: true },
  async handler({ name, steps }, ctx) {
    for (let i = 1; i <= steps; i++) await ctx.progress(i, steps, `step ${i}`);
    if (name === 'nobody') throw new ToolError('not_found', 'There is nobody called nobody.', { name });
    if (name === 'crash') throw new Error('disk on fire');
    return { greeting: `hello ${name}`, caller: ctx.caller?.user ?? null };
  },
});

const liar = defineTool({
  name: 'liar',
  description: 'Returns output that breaks its own schema',
  input: z.object({}),
  output: z.object({ count: z.number() }),
  handler: async () => ({ count: 'many' as unknown as number }),
});

let healthy = true;
const server = defineServer(
  {
    name: 'kit-test',
    version: '1.2.3',
    tools: [echo, liar],
    checks: {
      database: async () => (healthy ? 'fine' : Promise.reject(new Error('database unreachable'))),
    },
  },
  createLogger('kit-test', 'silent'),
);

const caller = { id: 'key-1', user: 'ana', org: 'acme', roles: ['sales'] };

for (const era of ['legacy', 'modern'] as const) {
  for (const via of ['memory', 'http'] as const) {
    describe(`kit server (${era}, ${via})`, () => {
      const client = testClient(server, { caller, era, via });
      after(async () => (await client).close());

      test('lists tools with JSON Schemas and the health tool', async () => {
        const { tools } = await (await client).client.listTools();
        const names = tools.map((t) => t.name).sort();
        assert.deepEqual(names, ['greet', 'health', 'liar']);
        const greet = tools.find((t) => t.name === 'greet');
        assert.equal(greet?.inputSchema.type, 'object');
        assert.deepEqual(greet?.inputSchema.required, ['name']);
        assert.equal(greet?.outputSchema?.type, 'object');
        assert.equal(greet?.annotations?.readOnlyHint, true);
      });

      test('returns structuredContent and matching text, with the forwarded caller', async () => {
        const out = await (await client).call('greet', { name: 'bo' });
        assert.equal(out.isError, false);
        assert.deepEqual(out.structured, { greeting: 'hello bo', caller: 'ana' });
        assert.deepEqual(JSON.parse(out.text), out.structured);
      });

      test('reports progress on the caller token', async () => {
        const seen: number[] = [];
        const out = await (await client).call('greet', { name: 'bo', steps: 3 }, (p) => seen.push(p));
        assert.equal(out.isError, false);
        assert.deepEqual(seen, [1, 2, 3]);
      });

      test('a ToolError is an isError result with its code', async () => {
        const out = await (await client).call('greet', { name: 'nobody' });
        assert.equal(out.isError, true);
        assert.equal(out.errorCode, 'not_found');
        assert.match(out.text, /nobody called nobody/);
      });

      test('an unexpected exception is an isError result naming the tool; the server keeps serving', async () => {
        const out = await (await client).call('greet', { name: 'crash' });
        assert.equal(out.isError, true);
        assert.equal(out.errorCode, 'internal');
        assert.match(out.text, /greet failed: disk on fire/);
        assert.equal((await (await client).call('greet', { name: 'again' })).isError, false);
      });

      test('output that breaks its schema is refused, not sent', async () => {
        const out = await (await client).call('liar');
        assert.equal(out.isError, true);
        assert.equal(out.errorCode, 'invalid_output');
      });

      test('invalid input is refused with a clear message', async () => {
        const outcome = await (await client)
          .call('greet', { name: '' })
          .then((r) => r.text)
          .catch((e: Error) => e.message);
        assert.match(outcome, /name/i);
      });

      test('health reports each check', async () => {
        healthy = true;
        const ok = await (await client).call('health');
        assert.equal(ok.structured?.status, 'ok');
        healthy = false;
        const down = await (await client).call('health');
        assert.equal(down.structured?.status, 'down');
        const checks = down.structured?.checks as { name: string; ok: boolean; detail?: string }[];
        assert.deepEqual(checks[0], {
          ...checks[0],
          name: 'database',
          ok: false,
          detail: 'database unreachable',
        });
        healthy = true;
      });
    });
  }
}

describe('kit HTTP listener', () => {
  test('a missing or wrong service token is refused with 401 and a body that says which', async () => {
    const http = await serveHttp(server, { port: 0, token: 'sekret' });
    try {
      const post = (authorization?: string) =>
        fetch(http.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            ...(authorization === undefined ? {} : { authorization }),
          },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
        });
      const missing = await post();
      assert.equal(missing.status, 401);
      assert.deepEqual(await missing.json(), {
        jsonrpc: '2.0',
        error: {
          code: -32001,
          message:
            'Unauthorized: this server only answers the gateway, and the request carries no service token (Authorization: Bearer …)',
        },
        id: null,
      });
      for (const wrong of ['Bearer sekreT', 'Bearer sekret-and-more', 'sekre']) {
        const refused = await post(wrong);
        assert.equal(refused.status, 401, wrong);
        const body = (await refused.json()) as { error: { message: string } };
        assert.equal(
          body.error.message,
          'Unauthorized: this server only answers the gateway, and the service token does not match',
        );
        assert.ok(!JSON.stringify(body).includes('sekret'), 'the expected token is not echoed');
      }
    } finally {
      await http.close();
    }
  });

  test('a service token is required when configured; /healthz answers; unknown sessions get 404', async () => {
    const http = await serveHttp(server, { port: 0, token: 'sekret' });
    try {
      const init = {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      };
      const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
      const denied = await fetch(http.url, { method: 'POST', headers, body: JSON.stringify(init) });
      assert.equal(denied.status, 401);
      const allowed = await fetch(http.url, {
        method: 'POST',
        headers: { ...headers, authorization: 'Bearer sekret' },
        body: JSON.stringify(init),
      });
      assert.equal(allowed.status, 200);
      await allowed.body?.cancel();
      const unknown = await fetch(http.url, {
        method: 'POST',
        headers: {
          ...headers,
          authorization: 'Bearer sekret',
          'mcp-session-id': 'nope',
          'mcp-protocol-version': '2025-11-25',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
      });
      assert.equal(unknown.status, 404);
      const health = await fetch(http.url.replace('/mcp', '/healthz'));
      assert.equal(health.status, 200);
      assert.equal(((await health.json()) as { status: string }).status, 'ok');
    } finally {
      await http.close();
    }
  });
});
