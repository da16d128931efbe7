/**
 * The kit's process helpers: `spawnServerProcess` runs a tiny kit server script over HTTP and
 * hands back its URL, its stderr and its exit code; a bad environment makes `url` reject with
 * the process's own message; `httpClient` connects to it in both eras.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { httpClient, spawnServerProcess } from '../src/testing.ts';

const GREETER = fileURLToPath(new URL('./fixtures/greeter-main.ts', import.meta.url));

describe('spawnServerProcess', () => {
  for (const era of ['legacy', 'modern'] as const) {
    test(`reports the URL, is reachable with httpClient and stops cleanly (${era})`, async () => {
      const server = spawnServerProcess(GREETER, { env: { GREETER_WORD: 'hej' }, name: 'greeter' });
      try {
        const url = await server.url;
        assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
        assert.match(server.stderr(), /greeter listening on http:\/\//);
        const client = await httpClient(url, era);
        try {
          const result = await client.callTool({ name: 'greet', arguments: { name: 'Ana' } });
          assert.deepEqual(result.structuredContent, { greeting: 'hej Ana' });
        } finally {
          await client.close();
        }
      } finally {
        assert.equal(await server.stop(), 0, server.stderr());
      }
      assert.equal(await server.exited(), 0);
      assert.equal(await server.stop(), 0, 'stopping an ended process just reports its exit code');
    });
  }

  test('a process that ends before listening rejects url with its stderr and the name', async () => {
    const server = spawnServerProcess(GREETER, { env: { GREETER_WORD: undefined }, name: 'greeter' });
    await assert.rejects(
      server.url,
      /^Error: greeter exited with 1 before listening: bad environment: GREETER_WORD is required/,
    );
    assert.equal(await server.exited(), 1);
    assert.match(server.stderr(), /GREETER_WORD is required/);
  });

  test('an unawaited url of a failed process is not an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const server = spawnServerProcess(GREETER, { env: { GREETER_WORD: '' } });
      assert.equal(await server.exited(), 1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  test('args replace the default --port 0', async () => {
    const server = spawnServerProcess(GREETER, { env: { GREETER_WORD: 'hi' }, args: ['--port', 'nope'] });
    await assert.rejects(server.url, /server exited with 1 before listening: invalid --port: nope/);
    assert.equal(await server.exited(), 1);
  });

  const tlsMistakes: [string[], RegExp][] = [
    [
      ['--tls-cert', '/nonexistent/server.pem'],
      /--tls-cert and --tls-key go together: give both, or neither/,
    ],
    [['--tls-client-ca', '/nonexistent/ca.pem'], /--tls-client-ca needs --tls-cert and --tls-key/],
    [
      ['--tls-cert', '/nonexistent/server.pem', '--tls-key', '/nonexistent/server-key.pem'],
      /--tls-cert \/nonexistent\/server\.pem: cannot read the file \(ENOENT\)/,
    ],
    [['--tls-cert', GREETER, '--tls-key', GREETER], /--tls-cert \S+greeter-main\.ts: not a PEM certificate/],
  ];
  for (const [flags, message] of tlsMistakes) {
    test(`a TLS mistake stops the server at start, naming the flag and the file: ${flags.join(' ')}`, async () => {
      const server = spawnServerProcess(GREETER, {
        env: { GREETER_WORD: 'hi' },
        args: ['--port', '0', ...flags],
      });
      await assert.rejects(server.url, message);
      assert.equal(await server.exited(), 1);
    });
  }

  test('a bad --health-port stops the server at start', async () => {
    const server = spawnServerProcess(GREETER, {
      env: { GREETER_WORD: 'hi' },
      args: ['--port', '0', '--health-port', 'nope'],
    });
    await assert.rejects(server.url, /invalid --health-port: nope/);
    assert.equal(await server.exited(), 1);
  });

  test('TLS flags without --port are refused (stdio has no TLS)', async () => {
    const server = spawnServerProcess(GREETER, {
      env: { GREETER_WORD: 'hi' },
      args: ['--tls-cert', 'a.pem', '--tls-key', 'b.pem'],
    });
    await assert.rejects(server.url, /need --port \(TLS is for HTTP, not stdio\)/);
    assert.equal(await server.exited(), 1);
  });
});
