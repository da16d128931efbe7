/**
 * A tool call answered with an `isError` result is audited as `tool_error` with the reason, not
 * as `ok`, and `gatehouse audit query --status tool_error` finds it (issue 15).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { gatehouseCli } from './helpers/child-gateway.ts';
import {
  connectClient,
  fixtureUpstreamYaml,
  OPEN_ACCESS_YAML,
  startGateway,
  type TestGateway,
  tempStorage,
} from './helpers/harness.ts';

describe('audit of tool errors', () => {
  let gw: TestGateway | undefined;
  after(async () => {
    await gw?.close();
  });

  it('records an isError answer as tool_error with the reason, filterable from the CLI', async () => {
    const storage = tempStorage();
    const yaml = `upstreams:\n${fixtureUpstreamYaml('alpha')}\n${OPEN_ACCESS_YAML}storage: { path: ${JSON.stringify(storage)} }\n`;
    const config = `${storage}.yaml`;
    writeFileSync(config, yaml);
    gw = await startGateway(yaml);
    const client = await connectClient(gw.url, 'legacy');
    try {
      // The upstream refuses the arguments (its schema wants a string): an isError result. (An
      // integer would be taken as its text: the gateway's one lenient coercion.)
      const refused = await client.callTool({ name: 'alpha_echo', arguments: { message: { a: 1 } } });
      assert.equal(refused.isError, true);
      await client.callTool({ name: 'alpha_echo', arguments: { message: 'fine' } });
    } finally {
      await client.close();
    }
    await gw.gateway.access.audit?.flush();
    const query = await gatehouseCli([
      'audit',
      'query',
      '--status',
      'tool_error',
      '--json',
      '--config',
      config,
    ]);
    assert.equal(query.status, 0, query.stderr);
    const records = query.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { target: string; status: string; errorMessage: string | null });
    assert.equal(records.length, 1, query.stdout);
    assert.equal(records[0]?.target, 'alpha_echo');
    assert.equal(records[0]?.status, 'tool_error');
    assert.match(records[0]?.errorMessage ?? '', /\S/, 'the reason is recorded');
    assert.match(records[0]?.errorMessage ?? '', /tool alpha_echo\b/, 'in the name the caller called');
    const ok = await gatehouseCli([
      'audit',
      'query',
      '--status',
      'ok',
      '--target',
      'alpha_echo',
      '--json',
      '--config',
      config,
    ]);
    assert.equal(ok.stdout.trim().split('\n').filter(Boolean).length, 1, 'the good call stays ok');
  });
});
