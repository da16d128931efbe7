/**
 * Every way the MCP side fails, as the one line a user reads (`HostError.userMessage`): a bad
 * servers file (its path and the problem), a server that fails to start (its name, exit code and
 * last stderr line), a call that times out, an unknown tool. And the names the registry gives
 * tools whose names collide or are not valid for model APIs.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { connectToolSource, HostError, isValidToolName, type ToolSourceOptions } from '../src/index.ts';
import { noQuestions } from './helpers/asking.ts';
import { FAULT, FIXTURE, killStarted, tempDir, tempFile, WEATHER } from './helpers/processes.ts';

after(() => killStarted());

const node = process.execPath;

async function failure(options: ToolSourceOptions): Promise<HostError> {
  const error = await connectToolSource(options).then(
    async (source) => {
      await source.close();
      return assert.fail('connected');
    },
    (e: unknown) => e,
  );
  assert.ok(error instanceof HostError, String(error));
  assert.ok(!error.userMessage.includes('\n'), error.userMessage);
  return error;
}

describe('a bad servers file is one line naming the file and the problem', () => {
  it('a missing file', async () => {
    const file = join(tempDir(), 'nope.json');
    const error = await failure({ kind: 'servers', file });
    assert.equal(error.kind, 'servers-file');
    assert.equal(error.userMessage, `cannot read the servers file ${file}: no such file`);
  });

  it('not JSON (without quoting the file, which may hold a secret)', async () => {
    const file = tempFile(
      'servers.json',
      '{"mcpServers": {"a": {"command": "x", "env": {"TOKEN": "s3cret" }}',
    );
    const error = await failure({ kind: 'servers', file });
    assert.match(error.userMessage, new RegExp(`^${file}: not valid JSON`));
    assert.ok(!error.userMessage.includes('s3cret'), error.userMessage);
  });

  it('a server with neither command nor url', async () => {
    const file = tempFile('servers.json', { mcpServers: { files: { args: ['x'] } } });
    const error = await failure({ kind: 'servers', file });
    assert.equal(
      error.userMessage,
      `${file}: mcpServers.files: needs a "command" (stdio) or a "url" (Streamable HTTP); "type" may be "stdio", "http" or "streamable-http" (SSE servers are not supported)`,
    );
  });

  it('a wrong field type', async () => {
    const file = tempFile('servers.json', { mcpServers: { files: { command: 'npx', args: 'x' } } });
    const error = await failure({ kind: 'servers', file });
    assert.match(error.userMessage, new RegExp(`^${file}: mcpServers\\.files\\.args: `));
  });

  it('a server name that cannot prefix tool names', async () => {
    const file = tempFile('servers.json', { mcpServers: { my__files: { command: 'npx' } } });
    const error = await failure({ kind: 'servers', file });
    assert.equal(
      error.userMessage,
      `${file}: mcpServers.my__files: a server name is letters, digits, "-" and single "_" (no "__")`,
    );
  });

  it('an environment variable that is not set', async () => {
    const file = tempFile('servers.json', {
      mcpServers: {
        remote: {
          url: 'http://127.0.0.1:1/mcp',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the servers file's own ${VAR} syntax
          headers: { Authorization: 'Bearer ${HOST_TEST_UNSET_KEY}' },
        },
      },
    });
    const error = await failure({ kind: 'servers', file, env: {} });
    assert.equal(
      error.userMessage,
      `${file}: mcpServers.remote: environment variable \${HOST_TEST_UNSET_KEY} is not set`,
    );
  });

  it('variables are expanded from the environment (the server starts with them)', async () => {
    const file = tempFile('servers.json', {
      mcpServers: {
        fx: {
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the servers file's own ${VAR} syntax
          command: '${HOST_TEST_NODE}',
          args: [FIXTURE],
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the servers file's own ${VAR} syntax
          env: { FIXTURE_NAME: '${HOST_TEST_LABEL:-dflt}' },
        },
      },
    });
    const source = await connectToolSource({ kind: 'servers', file, env: { HOST_TEST_NODE: node } });
    try {
      assert.equal((await source.callTool('fx__echo', { message: 'm' }, noQuestions())).text, 'dflt: m');
    } finally {
      await source.close();
    }
  });
});

describe('a server that fails to start is one line with its name, exit code and last stderr line', () => {
  it('a kit server refusing its configuration', async () => {
    const file = tempFile('servers.json', {
      mcpServers: { weather: { command: node, args: [WEATHER], env: { OPEN_METEO_BASE_URL: 'not a url' } } },
    });
    const error = await failure({ kind: 'servers', file });
    assert.equal(error.kind, 'server-start');
    assert.match(
      error.userMessage,
      /^server "weather" failed to start: exited with code 1; stderr: .*OPEN_METEO_BASE_URL/,
    );
  });

  it('a command that does not exist', async () => {
    const file = tempFile('servers.json', {
      mcpServers: { ghost: { command: 'gatehouse-no-such-command' } },
    });
    const error = await failure({ kind: 'servers', file });
    assert.equal(
      error.userMessage,
      'server "ghost" failed to start: command not found (gatehouse-no-such-command)',
    );
  });

  it('the servers that started carry on; the one that failed is listed as failed with its line', async () => {
    const file = tempFile('servers.json', {
      mcpServers: {
        fx: { command: node, args: [FIXTURE] },
        broken: { command: node, args: ['-e', 'console.error("no config"); process.exit(4)'] },
      },
    });
    const source = await connectToolSource({ kind: 'servers', file });
    try {
      const broken = source.servers().find((server) => server.name === 'broken');
      assert.equal(broken?.state, 'failed');
      assert.equal(
        broken?.lastError,
        'server "broken" failed to start: exited with code 4; stderr: no config',
      );
      assert.equal(source.servers().find((server) => server.name === 'fx')?.state, 'ready');
      assert.ok(source.tools().length > 0);
      assert.ok(source.tools().every((tool) => tool.server === 'fx'));
      assert.equal(
        (await source.callTool('fx__echo', { message: 'still here' }, noQuestions())).isError,
        false,
      );
    } finally {
      await source.close();
    }
  });

  it('a file none of whose servers starts is a failure', async () => {
    const file = tempFile('servers.json', {
      mcpServers: {
        broken: { command: node, args: ['-e', 'console.error("no config"); process.exit(4)'] },
        ghost: { command: 'gatehouse-no-such-command' },
      },
    });
    const error = await failure({ kind: 'servers', file });
    assert.equal(error.kind, 'server-start');
  });
});

describe('calls that get no answer', () => {
  it('a call that times out is one line with the server, the tool and the limit', async () => {
    const file = tempFile('servers.json', {
      mcpServers: { slow: { command: node, args: [FAULT], timeoutMs: 400 } },
    });
    const source = await connectToolSource({ kind: 'servers', file });
    try {
      const started = Date.now();
      const error = await source.callTool('slow__hang', {}, noQuestions()).then(
        () => assert.fail('answered'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof HostError);
      assert.equal(error.kind, 'timeout');
      assert.equal(error.userMessage, 'server "slow" did not answer slow__hang within 400 ms');
      assert.ok(Date.now() - started < 5000);
      // The server is still there for the next call.
      assert.equal((await source.callTool('slow__echo', { text: 'after' }, noQuestions())).isError, false);
    } finally {
      await source.close();
    }
  });

  it('an unknown tool', async () => {
    const file = tempFile('servers.json', { mcpServers: { fx: { command: node, args: [FIXTURE] } } });
    const source = await connectToolSource({ kind: 'servers', file });
    try {
      await assert.rejects(source.callTool('fx__nope', {}, noQuestions()), {
        userMessage: 'no tool named fx__nope',
      });
    } finally {
      await source.close();
    }
  });
});

describe('tool names across servers', () => {
  it('are <server>__<tool>, made valid and unique deterministically', async () => {
    const long = `t${'x'.repeat(70)}`;
    const file = tempFile('servers.json', {
      mcpServers: {
        a: { command: node, args: [FIXTURE], env: { FIXTURE_TOOLS: `dot.name,dot_name,${long}` } },
        b: { command: node, args: [FIXTURE] },
      },
    });
    const source = await connectToolSource({ kind: 'servers', file });
    try {
      const names = source.tools().map((t) => t.name);
      assert.ok(names.every(isValidToolName), names.join(', '));
      assert.equal(new Set(names).size, names.length);
      const byServerName = (server: string, tool: string) =>
        source.tools().find((t) => t.server === server && t.serverToolName === tool)?.name;
      assert.equal(byServerName('a', 'dot.name'), 'a__dot_name');
      assert.equal(byServerName('a', 'dot_name'), 'a__dot_name_2');
      assert.equal(byServerName('a', 'echo'), 'a__echo');
      assert.equal(byServerName('b', 'echo'), 'b__echo');
      const longName = byServerName('a', long) ?? '';
      assert.equal(longName.length, 64);
      assert.match(longName, /^a__txxx+_[0-9a-f]{8}$/);
      // A renamed tool is called by its server name.
      assert.equal((await source.callTool('a__dot_name_2', {}, noQuestions())).text, 'dot_name');
      assert.equal((await source.callTool(longName, {}, noQuestions())).text, long);
    } finally {
      await source.close();
    }
  });
});
