/**
 * `gatehouse chat` through the front door, without a gateway: `--servers` talks to the servers of
 * a servers file directly (the real wallet server over stdio, the loopback model), and every kind
 * of bad input is one line on stderr and exit 2, before anything connects.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';
import type { Transcript } from '../src/agent/transcript.ts';
import { gatehouse, runChat, WALLET_SERVER } from './helpers/gatehouse-cli.ts';
import { startOpenAiLoopback } from './helpers/openai-loopback.ts';

describe('gatehouse chat --servers: the servers of a servers file, directly', () => {
  it('answers through a stdio server named in the file (tools as <server>__<tool>)', async () => {
    const dir = makeTempDir('gatehouse-chat-servers-');
    const file = join(dir, 'servers.json');
    const wallet = {
      command: process.execPath,
      args: [WALLET_SERVER],
      env: { WALLET_DB_PATH: join(dir, 'wallet.db') },
    };
    writeFileSync(file, JSON.stringify({ mcpServers: { wallet } }));
    const model = await startOpenAiLoopback([
      { toolCalls: [{ name: 'wallet__get_balance', arguments: { accountId: 'acc_sales_eur' } }] },
      { text: (ctx) => `The wallet answered: ${ctx.lastToolResult}` },
    ]);
    try {
      const run = await runChat(
        [
          '--servers',
          file,
          '--provider',
          'openai',
          '--base-url',
          model.baseUrl,
          '--prompt',
          'Sales balance?',
          '--json',
        ],
        {},
      );
      assert.equal(run.code, 0, run.stderr);
      const transcript = JSON.parse(run.stdout) as Transcript;
      assert.equal(transcript.tools.source, file);
      assert.equal(transcript.turns[0]?.toolCalls[0]?.name, 'wallet__get_balance');
      const result = transcript.turns[0]?.text.replace('The wallet answered: ', '') ?? '';
      assert.ok(
        result.length > 0 && Buffer.byteLength(result) === transcript.turns[0]?.toolCalls[0]?.resultBytes,
      );
    } finally {
      await model.close();
    }
  });

  it('a server of the file that fails to start is one line, and the chat goes on with the others', async () => {
    const dir = makeTempDir('gatehouse-chat-servers-');
    const file = join(dir, 'servers.json');
    const wallet = {
      command: process.execPath,
      args: [WALLET_SERVER],
      env: { WALLET_DB_PATH: join(dir, 'wallet.db') },
    };
    const broken = { command: process.execPath, args: ['-e', 'console.error("no config"); process.exit(4)'] };
    writeFileSync(file, JSON.stringify({ mcpServers: { wallet, broken } }));
    const model = await startOpenAiLoopback([
      { toolCalls: [{ name: 'wallet__get_balance', arguments: { accountId: 'acc_sales_eur' } }] },
      { text: (ctx) => `The wallet answered: ${ctx.lastToolResult}` },
    ]);
    try {
      const run = await runChat(
        [
          '--servers',
          file,
          '--provider',
          'openai',
          '--base-url',
          model.baseUrl,
          '--prompt',
          'Sales balance?',
        ],
        {},
      );
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stderr,
        /^gatehouse chat: server "broken" failed to start: exited with code 4; stderr: no config; going on with the other 1$/m,
      );
      assert.match(run.stdout, /^The wallet answered: /);
      const firstRequest = model.requests[0]?.body as
        | { tools?: { function: { name: string } }[] }
        | undefined;
      const offered = firstRequest?.tools ?? [];
      assert.ok(offered.length > 0 && offered.every((tool) => tool.function.name.startsWith('wallet__')));
    } finally {
      await model.close();
    }
  });

  it('a servers file that is not there: one line, exit 2', async () => {
    const run = await runChat(
      ['--servers', '/nonexistent/servers.json', '--provider', 'openai', '--prompt', 'Hi'],
      {},
    );
    assert.equal(run.code, 2, run.stderr);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, /^gatehouse chat: .*\/nonexistent\/servers\.json/);
  });
});

describe('gatehouse chat: bad input is one line and exit 2', () => {
  const cases: { what: string; args: string[]; env: Record<string, string>; line: RegExp }[] = [
    {
      what: 'an unknown provider',
      args: ['--url', 'http://127.0.0.1:1/mcp', '--provider', 'gemini', '--prompt', 'Hi'],
      env: { GATEHOUSE_API_KEY: 'ghk_x' },
      line: /^gatehouse chat: unknown provider "gemini": use one of anthropic, openai$/,
    },
    {
      what: 'anthropic without ANTHROPIC_API_KEY',
      args: ['--url', 'http://127.0.0.1:1/mcp', '--prompt', 'Hi'],
      env: { GATEHOUSE_API_KEY: 'ghk_x' },
      line: /^gatehouse chat: the anthropic provider needs a key: set ANTHROPIC_API_KEY$/,
    },
    {
      what: 'no gateway key',
      args: ['--url', 'http://127.0.0.1:1/mcp', '--provider', 'openai', '--prompt', 'Hi'],
      env: {},
      line: /^gatehouse chat: no API key for the gateway: GATEHOUSE_API_KEY is empty .*\(see gatehouse chat --help\)$/,
    },
    {
      what: 'no tools named',
      args: ['--provider', 'openai', '--prompt', 'Hi'],
      env: {},
      line: /^gatehouse chat: say where the tools are: --url URL \(a Gatehouse gateway\) or --servers FILE \(see gatehouse chat --help\)$/,
    },
    {
      what: '--json without --prompt',
      args: ['--url', 'http://127.0.0.1:1/mcp', '--json'],
      env: { GATEHOUSE_API_KEY: 'ghk_x' },
      line: /^gatehouse chat: --json prints the transcript of one question: give it with --prompt/,
    },
    {
      what: 'a bad --max-steps',
      args: ['--url', 'http://127.0.0.1:1/mcp', '--max-steps', '0', '--prompt', 'Hi'],
      env: { GATEHOUSE_API_KEY: 'ghk_x' },
      line: /^gatehouse chat: --max-steps must be a whole number ≥ 1, found 0/,
    },
  ];
  for (const c of cases) {
    it(c.what, async () => {
      const run = await runChat(c.args, c.env);
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
      assert.match(run.stderr.trim(), c.line);
      assert.equal(run.stdout, '');
    });
  }

  it('--help prints the usage (exit 0), and gatehouse --help lists chat', async () => {
    const help = await gatehouse(['chat', '--help']);
    assert.match(help, /gatehouse chat \(--url URL \[--key-env VAR\] \| --servers FILE\)/);
    assert.match(await gatehouse(['--help']), /gatehouse chat /);
  });
});
