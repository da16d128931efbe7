/**
 * `gatehouse chat` through the front door: the real CLI, a real gateway (`gatehouse serve` with
 * the wallet domain server) and the loopback model servers. `--prompt --json` answers through the
 * gateway's tools and prints the transcript (either provider); the interactive chat shows calls
 * as they run, asks a confirmation inline, and Ctrl-C cancels a turn without ending the chat (on
 * a pipe and on a terminal); a provider error, a malformed tool call, a refused key and an
 * unreachable gateway are one line and exit 1. Confirmations and approval waits in --prompt mode:
 * chat-cli-confirm.test.ts; bad input before connecting: chat-cli-input.test.ts.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import type { Transcript } from '../src/agent/transcript.ts';
import { chatVia, gatehouse, runChat, runChatOnTerminal, startChat } from './helpers/gatehouse-cli.ts';
import { TRANSFER, useWalletChat } from './helpers/wallet-gateway.ts';

describe('gatehouse chat against a running gateway', () => {
  const wallet = useWalletChat();

  it('--prompt --json: answers through the gateway and prints the whole transcript', async () => {
    const model = await wallet.openai([
      {
        toolCalls: [{ name: 'wallet_get_balance', arguments: { accountId: 'acc_finance_eur' } }],
        usage: { input: 900, output: 25 },
      },
      {
        text: (ctx) => `Balance, as the wallet said: ${ctx.lastToolResult}`,
        usage: { input: 1100, output: 40 },
      },
    ]);
    const run = await runChat(
      [
        ...chatVia(wallet.gateway.url, 'openai', model.baseUrl),
        '--model',
        'loopback-1',
        '--prompt',
        'What is the finance EUR balance?',
        '--json',
      ],
      { GATEHOUSE_API_KEY: wallet.financeKey },
    );
    assert.equal(run.code, 0, run.stderr);
    const transcript = JSON.parse(run.stdout) as Transcript;
    assert.equal(transcript.provider, 'openai');
    assert.equal(transcript.model, 'loopback-1');
    assert.equal(transcript.tools.source, wallet.gateway.url);
    const turn = transcript.turns[0];
    assert.equal(transcript.turns.length, 1);
    assert.equal(turn?.outcome, 'answered');
    assert.equal(turn?.prompt, 'What is the finance EUR balance?');
    const call = turn?.toolCalls[0];
    assert.equal(call?.name, 'wallet_get_balance');
    assert.deepEqual(call?.arguments, { accountId: 'acc_finance_eur' });
    assert.equal(call?.isError, false);
    assert.ok((call?.resultBytes ?? 0) > 0 && (call?.latencyMs ?? -1) >= 0);
    // The wallet's real answer reached the model: the text quotes it.
    assert.match(turn?.text ?? '', /^Balance, as the wallet said: .*acc_finance_eur/s);
    assert.equal(turn?.tokens.input, 2000);
    assert.equal(turn?.tokens.output, 65);
    assert.equal(turn?.tokens.requests, 2);
    assert.ok((turn?.tokens.toolDefinitions ?? 0) > 0);
    assert.equal(turn?.tokens.toolDefinitionsCountedWith, 'o200k_base');
    // The model was offered exactly the finance role's tools.
    const sent = ((model.requests[0]?.body.tools ?? []) as { function: { name: string } }[]).map(
      (t) => t.function.name,
    );
    assert.deepEqual(sent.sort(), ['wallet_get_balance', 'wallet_list_transactions', 'wallet_transfer']);
    assert.equal(transcript.tools.count, 3);
    assert.match(run.stderr, /→ wallet_get_balance \{"accountId":"acc_finance_eur"\}/);
    assert.match(run.stderr, /← \d+(\.\d)? (B|KB) in \d+ ms/);
  });

  it('--prompt with --provider anthropic: the same through the Messages API', async () => {
    const model = await wallet.anthropic([
      { toolCalls: [{ name: 'wallet_get_balance', arguments: { accountId: 'acc_finance_eur' } }] },
      { text: (ctx) => `Accounts: ${ctx.lastToolResult}` },
    ]);
    const run = await runChat(
      [...chatVia(wallet.gateway.url, 'anthropic', model.baseUrl), '--prompt', 'My balances?'],
      { GATEHOUSE_API_KEY: wallet.financeKey, ANTHROPIC_API_KEY: 'sk-ant-loopback' },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Accounts: .*acc_finance_eur/s);
    assert.equal(model.requests[0]?.headers['x-api-key'], 'sk-ant-loopback');
    assert.match(
      run.stderr,
      /\[tokens: \d[\d,]* in \(tool definitions \d[\d,]*, o200k count\) · \d+ out · 2 model requests\]/,
    );
  });

  it('interactive on a terminal: Ctrl-C cancels the running turn, the chat goes on, Ctrl-D leaves', async () => {
    const model = await wallet.openai([{ stall: 'Pondering' }, { text: 'Back with you.' }]);
    const run = await runChatOnTerminal(
      ['--url', wallet.gateway.url, '--provider', 'openai', '--base-url', model.baseUrl],
      { GATEHOUSE_API_KEY: wallet.financeKey },
      [
        [/you> /, 'Think about it\r'],
        [/Pondering/, '\x03'],
        [/\(cancelled\)[\s\S]*you> /, 'Hello again\r'],
        [/Back with you\.[\s\S]*you> /, '\x04'],
      ],
    );
    assert.equal(run.unreached, 0, `the chat stopped short:\n${run.stdout}`);
    assert.equal(run.code, 0, run.stdout);
  });

  it('interactive: streams the answer, shows calls, asks the confirmation inline, and Ctrl-C cancels only the turn', async () => {
    const model = await wallet.openai([
      {
        toolCalls: [
          { name: 'wallet_transfer', arguments: { ...TRANSFER, idempotencyKey: 'chat-cli-transfer-0002' } },
        ],
      },
      { text: (ctx) => `Done: ${ctx.lastToolResult}` },
      { stall: 'Let me think' },
      { text: 'Still here.' },
    ]);
    const chat = startChat(
      ['--url', wallet.gateway.url, '--provider', 'openai', '--base-url', model.baseUrl],
      {
        GATEHOUSE_API_KEY: wallet.financeKey,
      },
    );
    try {
      await chat.waitFor(/gatehouse chat: openai gpt-4\.1-mini, 3 tools from .*\nyou> $/);
      chat.send('Send 2.50 EUR to sales');
      await chat.waitFor(/→ wallet_transfer \{"fromAccountId":"acc_finance_eur".*\n/);
      await chat.waitFor(
        /\? Your assistant wants to call the tool "wallet_transfer"[\s\S]+ — allow wallet_transfer\? \[y\/n\] $/,
      );
      chat.send('y');
      await chat.waitFor(/\(allowed\)\n← \d+(\.\d)? (B|KB) in \d+ ms\nDone: \{"transferId":"tr_/);
      await chat.waitFor(/\[tokens: .*\]\nyou> $/);
      const mark = chat.output().length;
      chat.send('Think hard');
      await chat.waitFor(/Let me think/, mark);
      chat.child.kill('SIGINT');
      await chat.waitFor(/\(cancelled\)\n\[tokens: .*\]\nyou> $/, mark);
      chat.send('Are you there?');
      await chat.waitFor(/Still here\.\n/, mark);
      assert.equal(await chat.end(), 0, chat.stderr());
    } finally {
      chat.child.kill('SIGKILL');
    }
    const audit = await gatehouse([
      'audit',
      'query',
      '--config',
      wallet.gateway.configFile,
      '--target',
      'wallet_transfer',
    ]);
    assert.match(audit, /finance\[finance\] \S+ tools\/call wallet_transfer ok /);
  });

  it('a provider error ends the turn with one line and exit 1', async () => {
    const model = await wallet.openai([
      { error: { status: 500, message: 'The server had an error while processing your request' } },
    ]);
    const run = await runChat(
      [...chatVia(wallet.gateway.url, 'openai', model.baseUrl), '--max-retries', '0', '--prompt', 'Hi'],
      { GATEHOUSE_API_KEY: wallet.financeKey },
    );
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /^gatehouse chat: the model provider answered HTTP 500: The server had an error while processing your request$/m,
    );
  });

  it('a malformed tool call ends the turn with one line and exit 1; the tool does not run', async () => {
    const model = await wallet.openai([
      { toolCalls: [{ name: 'wallet_get_balance', arguments: '{"accountId": ' }] },
      { text: 'never' },
    ]);
    const run = await runChat(
      [...chatVia(wallet.gateway.url, 'openai', model.baseUrl), '--prompt', 'Balance?', '--json'],
      { GATEHOUSE_API_KEY: wallet.financeKey },
    );
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /^gatehouse chat: the model sent malformed arguments for "wallet_get_balance": .+; the turn stopped$/m,
    );
    assert.equal(model.requests.length, 1);
    assert.equal((JSON.parse(run.stdout) as Transcript).turns[0]?.outcome, 'malformed-tool-call');
  });

  it('a refused key and an unreachable gateway: one line, exit 1', async () => {
    const refused = await runChat(['--url', wallet.gateway.url, '--provider', 'openai', '--prompt', 'Hi'], {
      GATEHOUSE_API_KEY: 'ghk_not_a_real_key',
    });
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr,
      'gatehouse chat: the gateway refused the key (HTTP 401); check GATEHOUSE_API_KEY or the key you passed\n',
    );
    assert.doesNotMatch(refused.stderr, /ghk_not_a_real_key/);
    const closedPort = await portNobodyListensOn();
    const unreachable = await runChat(
      ['--url', `http://127.0.0.1:${closedPort}/mcp`, '--provider', 'openai', '--prompt', 'Hi'],
      { GATEHOUSE_API_KEY: wallet.financeKey },
    );
    assert.equal(unreachable.code, 1);
    assert.equal(
      unreachable.stderr,
      `gatehouse chat: cannot reach the gateway at http://127.0.0.1:${closedPort}/mcp: connection refused\n`,
    );
  });

  it('an unreachable model provider: its one line, no token summary for a turn that never reached it', async () => {
    const closedPort = await portNobodyListensOn();
    const baseUrl = `http://127.0.0.1:${closedPort}/v1`;
    const run = await runChat(
      [...chatVia(wallet.gateway.url, 'openai', baseUrl), '--max-retries', '0', '--prompt', 'Hi'],
      { GATEHOUSE_API_KEY: wallet.financeKey, OPENAI_API_KEY: 'sk-test' },
    );
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      new RegExp(`^gatehouse chat: the model provider at ${baseUrl} is unreachable: .*\n$`),
    );
    assert.doesNotMatch(run.stderr, /\[tokens:/);
  });
});

/** A loopback port that was free a moment ago: connecting to it is refused. */
function portNobodyListensOn(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
