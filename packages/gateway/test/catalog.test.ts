/** Catalog rules seen through the front door: collisions, long names and their aliases. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  connectClient,
  fixtureUpstreamYaml,
  startGateway,
  type TestGateway,
  textOf,
} from './helpers/harness.ts';

const LONG = `summarize_${'quarterly_enterprise_renewal_pipeline_'.repeat(2)}report`;

describe('catalog naming', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway(`upstreams:
${fixtureUpstreamYaml('one', { FIXTURE_TOOLS: LONG }, '    prefix: ""')}
${fixtureUpstreamYaml('two', {}, '    prefix: ""')}
`);
  });
  after(() => gw.close());

  it('reports collisions between unprefixed upstreams and keeps the first-configured one', async () => {
    const collisions = gw.gateway.catalog.collisions;
    assert.ok(
      collisions.some(
        (c) => c.kind === 'tool' && c.name === 'echo' && c.kept === 'one' && c.dropped === 'two',
      ),
    );
    assert.ok(collisions.some((c) => c.kind === 'prompt' && c.name === 'greet'));
    const client = await connectClient(gw.url, 'legacy');
    try {
      const result = await client.callTool({ name: 'echo', arguments: { message: 'x' } });
      assert.equal(textOf(result), 'one: x');
      const names = (await client.listTools()).tools.map((t) => t.name);
      assert.equal(names.filter((n) => n === 'echo').length, 1);
    } finally {
      await client.close();
    }
  });

  it('shortens names over 64 characters and accepts the full name as an alias', async () => {
    assert.ok(LONG.length > 64);
    const client = await connectClient(gw.url, 'modern');
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      const short = names.find((n) => n.startsWith('summarize_'));
      assert.ok(short, 'the long tool is listed');
      assert.ok(short.length <= 64);
      assert.equal(textOf(await client.callTool({ name: short, arguments: {} })), LONG);
      assert.equal(textOf(await client.callTool({ name: LONG, arguments: {} })), LONG);
      assert.ok(names.every((n) => n.length <= 64));
    } finally {
      await client.close();
    }
  });
});
