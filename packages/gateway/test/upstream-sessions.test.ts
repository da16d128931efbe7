/**
 * The gateway ends the 2025-era sessions it opens on HTTP upstreams: against a real kit server
 * over HTTP, the server's count of open sessions goes back down when the gateway replaces its
 * connection (a reload that changes the upstream) and when it stops. An upstream that refuses
 * DELETE (405) or never answers it does not hold the shutdown up.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { toNodeHandler } from '@modelcontextprotocol/node';
import * as z from 'zod';
import {
  createFetchHandler,
  createLogger,
  defineServer,
  defineTool,
  type RunningHttpServer,
  serveHttp,
} from '../../kit/src/index.ts';
import { END_SESSION_TIMEOUT_MS } from '../src/upstream/close-client.ts';
import { modelFromYaml, OPEN_ACCESS_YAML, startGateway, tempStorage, waitFor } from './helpers/harness.ts';

const domain = defineServer(
  {
    name: 'kit-upstream',
    version: '1.0.0',
    tools: [
      defineTool({
        name: 'echo',
        description: 'Echoes its text',
        input: z.object({ text: z.string() }),
        output: z.object({ text: z.string() }),
        handler: async ({ text }) => ({ text }),
      }),
    ],
  },
  createLogger('kit-upstream', 'silent'),
);

/** A gateway config with one 2025-era HTTP upstream at `url`; `timeoutMs` varies to force a reconnect. */
function gatewayYaml(url: string, storage: string, timeoutMs = 5000): string {
  return `upstreams:
  - name: kit
    transport: http
    url: ${JSON.stringify(url)}
    protocol: legacy
    timeoutMs: ${timeoutMs}
storage: { path: ${JSON.stringify(storage)} }
${OPEN_ACCESS_YAML}`;
}

/** Serves `fetch` on a loopback port, for upstreams that answer DELETE their own way. */
async function listen(
  fetch: (request: Request) => Promise<Response>,
): Promise<{ url: string; server: Server }> {
  const node = toNodeHandler({ fetch });
  const server = createServer((req, res) => void node(req, res).catch(() => res.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/mcp`, server };
}

function stopListening(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('2025-era sessions on HTTP upstreams', () => {
  let kit: RunningHttpServer;
  before(async () => {
    kit = await serveHttp(domain, { port: 0 });
  });
  after(() => kit.close());

  it('ends the old session when the connection is replaced, and the last one when the gateway stops', async () => {
    const storage = tempStorage();
    const gw = await startGateway(gatewayYaml(kit.url, storage));
    try {
      assert.equal(gw.gateway.upstreams[0]?.state, 'ready');
      assert.equal(gw.gateway.upstreams[0]?.era, 'legacy');
      assert.equal(kit.openSessions, 1);

      const next = modelFromYaml(gatewayYaml(kit.url, storage, 6000));
      next.server.port = 0; // as startGateway runs it
      const reloaded = await gw.gateway.reload(next);
      assert.ok(reloaded.ok, JSON.stringify(reloaded));
      assert.equal(gw.gateway.upstreams[0]?.state, 'ready');
      await waitFor(() => kit.openSessions === 1, 5000, 'the replaced connection to end its session');
    } finally {
      await gw.close();
    }
    assert.equal(kit.openSessions, 0, 'stopping the gateway ends its session on the upstream');
  });

  for (const refusal of ['405', 'no answer'] as const) {
    it(`stops promptly when the upstream answers DELETE with ${refusal}`, async () => {
      const handler = createFetchHandler(domain);
      let deletes = 0;
      const upstream = await listen(async (request) => {
        if (request.method !== 'DELETE') return handler.fetch(request);
        deletes++;
        return refusal === '405' ? new Response(null, { status: 405 }) : new Promise<Response>(() => {});
      });
      try {
        const gw = await startGateway(gatewayYaml(upstream.url, tempStorage()));
        assert.equal(handler.openSessions, 1);
        const started = performance.now();
        await gw.close();
        const tookMs = performance.now() - started;
        assert.equal(deletes, 1, 'the gateway asked to end its session');
        assert.ok(tookMs < END_SESSION_TIMEOUT_MS + 1500, `stopping took ${Math.round(tookMs)} ms`);
        assert.equal(handler.openSessions, 1, 'the upstream kept the session it refused to end');
      } finally {
        await stopListening(upstream.server);
        await handler.close();
      }
    });
  }
});
