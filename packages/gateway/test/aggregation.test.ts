import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type ClientEra,
  connectClient,
  fixtureUpstreamYaml,
  startGateway,
  type TestGateway,
  textOf,
} from './helpers/harness.ts';

describe('aggregation of several upstreams', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway(`server: { pageSize: 4 }
upstreams:
${fixtureUpstreamYaml('alpha')}
${fixtureUpstreamYaml('beta', {}, '    prefix: b\n    separator: "."')}
`);
  });
  after(() => gw.close());

  for (const era of ['legacy', 'modern'] as ClientEra[]) {
    it(`merges, namespaces and paginates tools (${era})`, async () => {
      const client = await connectClient(gw.url, era);
      try {
        // The SDK client walks every page (following nextCursor) when called without a cursor.
        const names = (await client.listTools()).tools.map((t) => t.name);
        assert.equal(names.length, 10);
        assert.ok(names.includes('alpha_echo'));
        assert.ok(names.includes('b.echo'));
        assert.equal(new Set(names).size, names.length, 'no tool served twice');
        const result = await client.callTool({ name: 'b.echo', arguments: { message: 'hi' } });
        assert.equal(textOf(result), 'beta: hi');
        const a = await client.callTool({ name: 'alpha_echo', arguments: { message: 'yo' } });
        assert.equal(textOf(a), 'alpha: yo');
      } finally {
        await client.close();
      }
    });

    it(`routes resources, templates and prompts to their owners (${era})`, async () => {
      const client = await connectClient(gw.url, era);
      try {
        const resources = await client.listResources();
        assert.deepEqual(resources.resources.map((r) => r.uri).sort(), [
          'fixture://alpha/readme',
          'fixture://beta/readme',
        ]);
        const read = await client.readResource({ uri: 'fixture://beta/readme' });
        assert.equal((read.contents[0] as { text: string }).text, 'readme of beta');
        const item = await client.readResource({ uri: 'fixture://alpha/items/7' });
        assert.deepEqual(JSON.parse((item.contents[0] as { text: string }).text), {
          id: '7',
          label: 'alpha',
        });
        const templates = await client.listResourceTemplates();
        assert.equal(templates.resourceTemplates.length, 2);
        const prompt = await client.getPrompt({ name: 'b.greet', arguments: { who: 'ann' } });
        assert.deepEqual(prompt.messages[0]?.content, { type: 'text', text: 'Hello ann from beta' });
      } finally {
        await client.close();
      }
    });

    it(`answers unknown tools, prompts and resources with spec errors (${era})`, async () => {
      const client = await connectClient(gw.url, era);
      try {
        await assert.rejects(
          client.callTool({ name: 'nope', arguments: {} }),
          (e: { code?: number }) => e.code === -32602,
        );
        await assert.rejects(client.getPrompt({ name: 'nope' }), (e: { code?: number }) => e.code === -32602);
        await assert.rejects(
          client.readResource({ uri: 'fixture://gamma/readme' }),
          (e: { code?: number; data?: { uri?: string } }) =>
            e.code === -32602 && e.data?.uri === 'fixture://gamma/readme',
        );
        await assert.rejects(
          client.listTools({ cursor: 'not-a-cursor' }),
          (e: { code?: number }) => e.code === -32602,
        );
      } finally {
        await client.close();
      }
    });
  }
});
