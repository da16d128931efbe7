/**
 * An upstream that declares resources but has no `resources/templates/list` (it answers -32601,
 * as mcp-server-kubernetes 4.1.7 does) is connected all the same: its tools and resources are
 * served, and it has no templates — rather than retried forever as "connecting".
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/client';
import {
  connectClient,
  startGateway,
  stdioUpstreamYaml,
  type TestGateway,
  textOf,
} from './helpers/harness.ts';

const NO_TEMPLATES = fileURLToPath(new URL('./fixtures/no-templates-server.ts', import.meta.url));

describe('an upstream without resources/templates/list', () => {
  let gw: TestGateway;
  let client: Client;
  before(async () => {
    gw = await startGateway(
      `upstreams:\n${stdioUpstreamYaml('k8s', NO_TEMPLATES, { NO_TEMPLATES_NAME: 'k8s' })}`,
    );
    client = await connectClient(gw.url, 'legacy');
  });
  after(async () => {
    await client.close();
    await gw.close();
  });

  it('is ready, and its tools are listed and called', async () => {
    const upstream = gw.gateway.upstreams.find((u) => u.name === 'k8s');
    assert.equal(upstream?.state, 'ready');
    const { tools } = await client.listTools();
    assert.deepEqual(
      tools.map((t) => t.name),
      ['k8s_ping'],
    );
    assert.equal(textOf(await client.callTool({ name: 'k8s_ping', arguments: {} })), 'pong');
  });

  it('serves its resources, and no templates', async () => {
    const { resources } = await client.listResources();
    assert.equal(resources.length, 1);
    const { resourceTemplates } = await client.listResourceTemplates();
    assert.deepEqual(resourceTemplates, []);
  });
});
