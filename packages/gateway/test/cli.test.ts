/** The CLI through its real entry point: check, usage errors, and `stdio` serving a real client. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { fixtureUpstreamYaml, OPEN_ACCESS_YAML, tempStorage, textOf } from './helpers/harness.ts';

const BIN = fileURLToPath(new URL('../bin/gatehouse.mjs', import.meta.url));

function gatehouse(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 30_000,
  });
}

function writeConfig(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
  const file = join(dir, 'gatehouse.yaml');
  writeFileSync(file, text);
  return file;
}

describe('gatehouse CLI', () => {
  it('check prints the normalized config', () => {
    const file = writeConfig(
      'server:\n  port: ${CLI_TEST_PORT}\nupstreams:\n  - { name: a, transport: http, url: "http://127.0.0.1:1/mcp" }\n',
    );
    const run = gatehouse(['check', '--config', file], { CLI_TEST_PORT: '7000' });
    assert.equal(run.status, 0, run.stderr);
    const model = JSON.parse(run.stdout) as {
      server: { port: number };
      upstreams: { namespace: { prefix: string } }[];
    };
    assert.equal(model.server.port, 7000);
    assert.equal(model.upstreams[0]?.namespace.prefix, 'a');
  });

  it('check exits 2 and names file, path, line, expectation and finding', () => {
    const file = writeConfig('server:\n  port: "eighty"\n');
    const run = gatehouse(['check', '--config', file]);
    assert.equal(run.status, 2);
    assert.match(
      run.stderr,
      new RegExp(
        `${file.replaceAll('/', '\\/')}:2:\\d+: server\\.port: .*found "eighty" \\[CONFIG_INVALID\\]`,
      ),
    );
  });

  it('rejects unknown commands and options with usage', () => {
    assert.equal(gatehouse(['frobnicate', '--config', writeConfig('{}')]).status, 2);
    const bad = gatehouse(['check', '--bogus']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /Usage: gatehouse/);
  });

  it('stdio serves a client through the same pipeline', async () => {
    const file = writeConfig(
      `upstreams:\n${fixtureUpstreamYaml('alpha')}\n${OPEN_ACCESS_YAML}\nstorage: { path: ${JSON.stringify(tempStorage())} }\n`,
    );
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'stdio', '--config', file],
      env: { PATH: process.env.PATH ?? '' },
      stderr: 'ignore',
    });
    const client = new Client({ name: 'cli-test', version: '1' });
    await client.connect(transport);
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      assert.ok(names.includes('alpha_echo'));
      const result = await client.callTool({ name: 'alpha_echo', arguments: { message: 'via stdio' } });
      assert.equal(textOf(result), 'alpha: via stdio');
      await assert.rejects(
        client.callTool({ name: 'missing', arguments: {} }),
        (e: { code?: number }) => e.code === -32602,
      );
    } finally {
      await client.close();
    }
  });
});
