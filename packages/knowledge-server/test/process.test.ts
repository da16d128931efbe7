/**
 * The knowledge server as its own process: spawned with `--port 0` and called over Streamable
 * HTTP by an SDK client (both eras), and launched over stdio by the Gatehouse gateway, whose
 * clients see its tools as `knowledge_<tool>` and its documents as resources.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { httpClient, spawnServerProcess } from '@gatehouse/kit/testing';
import type { Client } from '@modelcontextprotocol/client';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';
import {
  connectClient,
  startGateway,
  stdioUpstreamYaml,
  type TestGateway,
  textOf,
} from '../../gateway/test/helpers/harness.ts';

const MAIN = 'packages/knowledge-server/src/main.ts';

let dir: string;
before(() => {
  dir = makeTempDir('knowledge-process-');
});
after(() => rmSync(dir, { recursive: true, force: true }));

const spawnServer = (env: Record<string, string>) =>
  spawnServerProcess(MAIN, { env: { LOG_LEVEL: 'warn', ...env }, name: 'knowledge server' });

describe('standalone process over HTTP', () => {
  for (const era of ['legacy', 'modern'] as const) {
    test(`serves search, documents and health (${era})`, async () => {
      const server = spawnServer({ KNOWLEDGE_DB_PATH: join(dir, `http-${era}.db`) });
      let client: Client | undefined;
      try {
        client = await httpClient(await server.url, era);
        const names = (await client.listTools()).tools.map((t) => t.name).sort();
        assert.deepEqual(names, ['get_document', 'health', 'ingest_docs', 'search_docs']);
        const search = await client.callTool({
          name: 'search_docs',
          arguments: { query: 'Patroni failover' },
        });
        assert.equal(search.isError, undefined);
        const results = (search.structuredContent as { results: { document: string; lines: string }[] })
          .results;
        assert.ok(results.some((r) => r.document === 'runbooks/ledger-db-failover.md'));
        const bad = await client.callTool({ name: 'search_docs', arguments: { query: '"(' } });
        assert.equal(bad.isError, true);
        assert.match(textOf(bad), /no searchable words/);
        const read = await client.readResource({ uri: 'doc://runbooks/ledger-db-failover.md' });
        assert.equal((read.contents[0] as { mimeType?: string }).mimeType, 'text/markdown');
        const health = await client.callTool({ name: 'health', arguments: {} });
        assert.equal((health.structuredContent as { status: string }).status, 'ok');
      } finally {
        await client?.close().catch(() => {});
        assert.equal(await server.stop(), 0, server.stderr());
      }
    });
  }

  test('a bad environment stops the process with the problem named', async () => {
    const server = spawnServer({ EMBEDDINGS_BASE_URL: 'http://127.0.0.1:1', EMBEDDINGS_MODEL: '' });
    await assert.rejects(server.url, /EMBEDDINGS_MODEL is required/);
    assert.equal(await server.exited(), 1);
  });
});

describe('behind the gateway', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway(`upstreams:
${stdioUpstreamYaml('knowledge', MAIN, { KNOWLEDGE_DB_PATH: join(dir, 'gateway.db'), LOG_LEVEL: 'warn' }, '    forwardIdentity: { meta: true }\n')}
`);
  });
  after(() => gw.close());

  for (const era of ['legacy', 'modern'] as const) {
    test(`exposes knowledge_* tools and doc:// resources (${era})`, async () => {
      const client = await connectClient(gw.url, era);
      try {
        const names = (await client.listTools()).tools.map((t) => t.name);
        for (const name of ['knowledge_search_docs', 'knowledge_get_document', 'knowledge_ingest_docs']) {
          assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
        }
        const search = await client.callTool({
          name: 'knowledge_search_docs',
          arguments: { query: 'transactional outbox Debezium', kind: 'adr' },
        });
        const results = (search.structuredContent as { results: { document: string; heading: string }[] })
          .results;
        assert.equal(results[0]?.document, 'adr/0005-transactional-outbox.md');
        const section = await client.callTool({
          name: 'knowledge_get_document',
          arguments: { path: results[0]?.document, heading: results[0]?.heading },
        });
        assert.match(textOf(section), /^adr\/0005-transactional-outbox\.md L\d+-L\d+/);
        const { resources } = await client.listResources();
        assert.ok(resources.some((r) => r.uri === 'doc://adr/0005-transactional-outbox.md'));
        const read = await client.readResource({ uri: 'doc://adr/0005-transactional-outbox.md' });
        assert.match((read.contents[0] as { text: string }).text, /^# ADR 0005/);
      } finally {
        await client.close();
      }
    });
  }
});
