/**
 * The host talking to servers directly, from a servers file: a kit domain server over stdio and
 * over Streamable HTTP in both eras, @modelcontextprotocol/server-everything from npm, list_changed
 * refreshing the registry, and reconnection after a server is killed (only PIDs started here).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { connectToolSource, type McpToolSource } from '../src/index.ts';
import { answering, noQuestions } from './helpers/asking.ts';
import {
  EVERYTHING,
  FIXTURE,
  killStarted,
  processGone,
  type Running,
  startEverythingHttp,
  startKitHttp,
  tempFile,
  WEATHER,
  waitFor,
} from './helpers/processes.ts';

after(() => killStarted());

const node = process.execPath;

function serversFile(servers: Record<string, unknown>): string {
  return tempFile('servers.json', { mcpServers: servers });
}

const ERAS = [
  ['2025-11-25', 'legacy'],
  ['2026-07-28', 'modern'],
] as const;

/** The weather server's answer to a call without a place: its own validation, so the call reached it. */
async function assertWeatherAnswers(source: McpToolSource): Promise<void> {
  const tool = source.tools().find((t) => t.name === 'weather__get_weather');
  assert.ok(
    tool,
    source
      .tools()
      .map((t) => t.name)
      .join(', '),
  );
  assert.equal(tool.server, 'weather');
  assert.equal(tool.serverToolName, 'get_weather');
  assert.equal(tool.inputSchema.type, 'object');
  const result = await source.callTool('weather__get_weather', {}, noQuestions());
  assert.equal(result.isError, true);
  assert.match(result.text, /Say where/);
}

describe('a kit domain server', () => {
  for (const [protocol, era] of ERAS) {
    it(`over stdio, ${protocol}`, async () => {
      const file = serversFile({ weather: { command: node, args: [WEATHER], protocol } });
      const source = await connectToolSource({ kind: 'servers', file });
      try {
        const [status] = source.servers();
        assert.equal(status?.state, 'ready');
        assert.equal(status?.era, era);
        assert.ok(status?.pid !== undefined);
        await assertWeatherAnswers(source);
      } finally {
        await source.close();
      }
    });

    it(`over Streamable HTTP, ${protocol}`, async () => {
      const server = await startKitHttp(WEATHER);
      const file = serversFile({ weather: { type: 'http', url: server.url, protocol } });
      const source = await connectToolSource({ kind: 'servers', file });
      try {
        assert.equal(source.servers()[0]?.era, era);
        await assertWeatherAnswers(source);
      } finally {
        await source.close();
        await server.stop();
      }
    });
  }

  it('era auto picks 2026-07-28 from a server that offers it', async () => {
    const file = serversFile({ weather: { command: node, args: [WEATHER] } });
    const source = await connectToolSource({ kind: 'servers', file });
    try {
      assert.equal(source.servers()[0]?.protocolVersion, '2026-07-28');
    } finally {
      await source.close();
    }
  });
});

describe('@modelcontextprotocol/server-everything (npm, 2025 era)', {
  skip: !existsSync(EVERYTHING) && 'not installed: npm ci in conformance/third-party',
}, () => {
  it('lists its tools, prompts and resources, asks through ask and reports progress', async () => {
    const file = serversFile({ everything: { command: node, args: [EVERYTHING, 'stdio'] } });
    const source = await connectToolSource({ kind: 'servers', file });
    try {
      const names = source.tools().map((t) => t.name);
      assert.ok(names.includes('everything__trigger-elicitation-request'), names.join(', '));
      assert.ok(source.prompts().some((p) => p.name === 'everything__simple-prompt'));
      assert.ok(source.resources().length > 0);

      const asked = answering({ action: 'accept', content: { name: 'Ada Lovelace' } });
      const elicited = await source.callTool('everything__trigger-elicitation-request', {}, asked);
      assert.equal(asked.questions.length, 1);
      assert.equal(asked.questions[0]?.tool, 'everything__trigger-elicitation-request');
      assert.ok(asked.questions[0]?.requestedSchema);
      assert.match(elicited.text, /Ada Lovelace/);

      const options = noQuestions();
      const long = await source.callTool(
        'everything__trigger-long-running-operation',
        { duration: 1, steps: 4 },
        options,
      );
      assert.match(long.text, /completed/);
      // Every step, the last one included (read in the same chunk as the result).
      assert.deepEqual(
        options.statuses.map((s) => (s.kind === 'progress' ? s.progress : s.kind)),
        [1, 2, 3, 4],
      );

      const image = await source.callTool('everything__get-tiny-image', {}, noQuestions());
      assert.match(image.text, /\[image: image\/png\]/);

      const prompt = await source.getPrompt('everything__simple-prompt');
      assert.ok(prompt.messages.length > 0);

      const [resource] = source.resources();
      assert.equal(resource?.server, 'everything');
      const read = await source.readResource(resource?.uri ?? '');
      assert.equal(read.contents[0]?.uri, resource?.uri);
    } finally {
      await source.close();
    }
  });
});

// The fixture server speaks the 2025 era only; the 2026-07-28 listen stream is held by
// gateway.test.ts (the gateway sends list_changed on it).
describe('@modelcontextprotocol/server-everything over Streamable HTTP', {
  skip: !existsSync(EVERYTHING) && 'not installed: npm ci in conformance/third-party',
}, () => {
  it('era auto falls back to the 2025-11-25 handshake for a server that does not offer 2026-07-28', async () => {
    const server = await startEverythingHttp();
    const source = await connectToolSource({
      kind: 'servers',
      file: serversFile({ everything: { url: server.url } }),
    });
    try {
      assert.equal(source.servers()[0]?.era, 'legacy');
      const result = await source.callTool('everything__echo', { message: 'over http' }, noQuestions());
      assert.equal(result.text, 'Echo: over http');
    } finally {
      await source.close();
      await server.stop();
    }
  });
});

describe('list_changed refreshes the registry', () => {
  for (const protocol of ['2025-11-25', 'auto'] as const) {
    it(`a tool added at run time appears, ${protocol}`, async () => {
      const file = serversFile({
        fx: { command: node, args: [FIXTURE], env: { FIXTURE_NAME: 'fx' }, protocol },
      });
      const source = await connectToolSource({ kind: 'servers', file });
      let changed = 0;
      source.onToolsChanged(() => changed++);
      try {
        const added = await source.callTool('fx__add_tool', {}, noQuestions());
        const name = `fx__${added.text}`;
        await waitFor(() => source.tools().some((t) => t.name === name), 10_000, `${name} listed`);
        assert.equal(changed, 1);
        assert.equal((await source.callTool(name, {}, noQuestions())).text, added.text);
      } finally {
        await source.close();
      }
    });
  }
});

describe('reconnecting after the server is killed', () => {
  it('stdio: a new process is started, the tools stay, calls work again', async () => {
    const file = serversFile({ fx: { command: node, args: [FIXTURE], env: { FIXTURE_NAME: 'fx' } } });
    const source = await connectToolSource({
      kind: 'servers',
      file,
      reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
    });
    try {
      const first = Number((await source.callTool('fx__pid', {}, noQuestions())).text);
      assert.equal(source.servers()[0]?.pid, first);
      const states: string[] = [];
      source.onServersChanged(() => states.push(source.servers()[0]?.state ?? ''));
      process.kill(first, 'SIGKILL');
      await waitFor(() => processGone(first), 5000, 'the killed server gone');
      await waitFor(() => states.includes('ready'), 15_000, 'reconnected');
      assert.deepEqual(states.slice(0, 1), ['reconnecting']);
      assert.ok(source.tools().some((t) => t.name === 'fx__echo'));
      const second = Number((await source.callTool('fx__pid', {}, noQuestions())).text);
      assert.notEqual(second, first);
    } finally {
      await source.close();
    }
  });

  for (const [protocol] of ERAS) {
    it(`Streamable HTTP, ${protocol}: the call during the outage says so in one line, and the next one works`, async () => {
      let server: Running = await startKitHttp(WEATHER);
      const port = new URL(server.url).port;
      const file = serversFile({ weather: { url: server.url, protocol } });
      const source = await connectToolSource({
        kind: 'servers',
        file,
        reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
      });
      try {
        await server.stop();
        const options = noQuestions();
        const failed = await source.callTool('weather__get_weather', {}, options).then(
          () => assert.fail('answered'),
          (e: { userMessage?: string }) => e,
        );
        assert.equal(
          failed.userMessage,
          'the connection to server "weather" dropped during weather__get_weather; it may or may not have run',
        );
        server = await startKitHttp(WEATHER, {}, Number(port));
        await waitFor(() => source.servers()[0]?.state === 'ready', 15_000, 'reconnected');
        await assertWeatherAnswers(source);
      } finally {
        await source.close();
        await server.stop();
      }
    });
  }
});

describe('giving up on a server', () => {
  it('after maxAttempts the server is failed and a call says why in one line', async () => {
    const server = await startKitHttp(WEATHER);
    const file = serversFile({ weather: { url: server.url, protocol: '2026-07-28' } });
    const source = await connectToolSource({
      kind: 'servers',
      file,
      reconnect: { initialDelayMs: 20, maxDelayMs: 50, maxAttempts: 2 },
    });
    try {
      await server.stop();
      await assert.rejects(source.callTool('weather__get_weather', {}, noQuestions()), {
        kind: 'connection-lost',
      });
      await waitFor(() => source.servers()[0]?.state === 'failed', 10_000, 'failed');
      assert.deepEqual(source.tools(), [], 'a server given up on offers no tools');
      await assert.rejects(source.callTool('weather__get_weather', {}, noQuestions()), {
        kind: 'unknown-tool',
      });
      assert.equal(source.servers()[0]?.lastError, 'cannot reach server "weather": connection refused');
    } finally {
      await source.close();
    }
  });
});
