/**
 * Response shaping and configuration reload: adding or removing a shaping rule takes effect
 * without a restart — the pipeline gains or loses its shape stage, tools/list advertises the
 * shaped or the upstream's outputSchema, and results follow.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  connectClient,
  modelFromYaml,
  OPEN_ACCESS_YAML,
  startGateway,
  stdioUpstreamYaml,
  tempStorage,
} from './helpers/harness.ts';

const SERVER = fileURLToPath(new URL('./fixtures/shaping-server.ts', import.meta.url));

describe('response shaping across a reload', () => {
  it('turns shaping on and off live: the stage, the advertised schema and the results follow', async () => {
    const storage = tempStorage();
    const yaml = (extra: string) => `upstreams:
${stdioUpstreamYaml('crm', SERVER, { SHAPING_FIXTURE: 'reload' }, extra)}
${OPEN_ACCESS_YAML}
storage: { path: ${JSON.stringify(storage)} }
logging: { level: fatal }
`;
    const gw = await startGateway(yaml(''));
    const reload = async (extra: string) => {
      const model = modelFromYaml(yaml(extra));
      model.server.port = 0;
      const result = await gw.gateway.reload(model);
      assert.ok(result.ok, result.ok ? '' : result.error);
    };
    const call = async () => {
      const client = await connectClient(gw.url, 'modern');
      try {
        const tools = new Map((await client.listTools()).tools.map((t) => [t.name, t]));
        const result = await client.callTool({ name: 'crm_get_deal', arguments: { id: 'R-1' } });
        return { schema: tools.get('crm_get_deal')?.outputSchema, value: result.structuredContent };
      } finally {
        await client.close();
      }
    };
    try {
      const before = await call();
      assert.ok(Object.keys(before.value ?? {}).length > 10);
      await reload('    shaping:\n      - tools: [get_deal]\n        pick: [id, amount]\n');
      const shaped = await call();
      assert.deepEqual(shaped.value, { id: 'R-1', amount: 125000 });
      assert.deepEqual(Object.keys((shaped.schema as { properties: object }).properties), ['id', 'amount']);
      await reload('');
      assert.deepEqual(await call(), before);
    } finally {
      await gw.close();
    }
  });
});
