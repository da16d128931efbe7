/**
 * The server as its own process: Streamable HTTP with `--port 0` in both MCP eras, and a missing or
 * malformed configuration refused at start with one line on stderr naming the variable (never
 * echoing the token) and exit code 1.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { httpClient, spawnServerProcess } from '@gatehouse/kit/testing';
import type { Client } from '@modelcontextprotocol/client';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';
import { BOB, CAROL, MAIN, startWorld, TOOL_NAMES, type World } from './helpers.ts';

let world: World;
before(async () => {
  world = await startWorld();
});
after(() => world.close());

const textOf = (result: { content?: unknown }) =>
  ((result.content ?? []) as { text?: string }[]).map((c) => c.text ?? '').join('');

describe('over Streamable HTTP (--port 0)', () => {
  for (const era of ['legacy', 'modern'] as const) {
    test(`lists the tools and acts as the token's user (${era})`, async () => {
      const server = spawnServerProcess(MAIN, {
        env: {
          LANTERN_URL: world.lantern.url,
          LANTERN_TOKEN: world.lantern.tokens[CAROL],
          LOG_LEVEL: 'warn',
        },
        name: 'lantern-mcp',
      });
      let client: Client | undefined;
      try {
        client = await httpClient(await server.url, era);
        assert.deepEqual((await client.listTools()).tools.map((t) => t.name).sort(), TOOL_NAMES);
        const me = await client.callTool({ name: 'whoami', arguments: {} });
        assert.equal((me.structuredContent as { user: { email: string } }).user.email, CAROL);
        const refused = await client.callTool({
          name: 'set_incident_status',
          arguments: { ref: 'INC-7', status: 'acknowledged' },
        });
        assert.equal(refused.isError, true);
        assert.equal(textOf(refused), 'Lantern refused: your role (viewer) does not allow incidents:write.');
        const health = await client.callTool({ name: 'health', arguments: {} });
        assert.equal((health.structuredContent as { status: string }).status, 'ok');
      } finally {
        await client?.close().catch(() => undefined);
        assert.equal(await server.stop(), 0, server.stderr());
      }
    });
  }
});

describe('a bad configuration stops the process with one line', () => {
  const cases: [string, Record<string, string | undefined>, string][] = [
    [
      'nothing set',
      { LANTERN_URL: undefined, LANTERN_TOKEN: undefined },
      'lantern-mcp: LANTERN_URL is not set (the Lantern base URL, e.g. http://127.0.0.1:7400); LANTERN_TOKEN is not set (your Lantern API token, lnt_…, or LANTERN_TOKEN_FILE naming a file with it)',
    ],
    [
      'a URL that is not http(s)',
      { LANTERN_URL: 'ftp://lantern.example', LANTERN_TOKEN: 'lnt_abc' },
      'lantern-mcp: LANTERN_URL must be an http(s) URL like http://127.0.0.1:7400',
    ],
    [
      'a token that is not a Lantern token',
      { LANTERN_URL: 'http://127.0.0.1:7400', LANTERN_TOKEN: 'sk-secret-value-123' },
      'lantern-mcp: LANTERN_TOKEN is not a Lantern API token (they look like lnt_…)',
    ],
    [
      'a token file that does not exist',
      {
        LANTERN_URL: 'http://127.0.0.1:7400',
        LANTERN_TOKEN: undefined,
        LANTERN_TOKEN_FILE: '/nonexistent/lantern-token',
      },
      'lantern-mcp: LANTERN_TOKEN_FILE /nonexistent/lantern-token does not exist',
    ],
  ];
  for (const [what, env, line] of cases) {
    test(what, async () => {
      const server = spawnServerProcess(MAIN, { env, args: [], name: 'lantern-mcp' });
      assert.equal(await server.exited(), 1);
      await server.url.catch(() => undefined);
      assert.equal(server.stderr(), `${line}\n`);
      assert.ok(!server.stderr().includes('sk-secret'), 'the token is never echoed');
    });
  }

  test('LANTERN_TOKEN_FILE gives the token from a file, kept out of the environment', async () => {
    const dir = makeTempDir('lantern-mcp-token-');
    const file = join(dir, 'token');
    writeFileSync(file, `${world.lantern.tokens[BOB]}\n`, { mode: 0o600 });
    const server = spawnServerProcess(MAIN, {
      env: { LANTERN_URL: world.lantern.url, LANTERN_TOKEN: undefined, LANTERN_TOKEN_FILE: file },
      name: 'lantern-mcp',
    });
    try {
      const client = await httpClient(await server.url, 'modern');
      try {
        const who = await client.callTool({ name: 'whoami', arguments: {} });
        assert.match(JSON.stringify(who.structuredContent), /bob@northwind\.example/);
      } finally {
        await client.close();
      }
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an empty variable counts as unset', async () => {
    const server = spawnServerProcess(MAIN, {
      env: { LANTERN_URL: '  ', LANTERN_TOKEN: world.lantern.tokens[BOB] },
      args: [],
    });
    assert.equal(await server.exited(), 1);
    await server.url.catch(() => undefined);
    assert.match(server.stderr(), /^lantern-mcp: LANTERN_URL is not set/);
  });
});
