/**
 * Confirmations and approval waits in `gatehouse chat --prompt`, through a real gateway: without
 * a terminal the in-band question is declined with a line and nothing moves; on a terminal it is
 * asked there and a yes moves the money; a call queued for an approver is shown as a wait and
 * goes through once an approver says yes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Transcript } from '../src/agent/transcript.ts';
import { chatVia, createKey, gatehouse, runChat, runChatOnTerminal } from './helpers/gatehouse-cli.ts';
import { TRANSFER, useWalletChat } from './helpers/wallet-gateway.ts';

describe('gatehouse chat --prompt: confirmations and approval waits', () => {
  const wallet = useWalletChat();

  it('--prompt without a terminal: a confirmation is declined with a line, and the gateway moves nothing', async () => {
    const model = await wallet.openai([
      { toolCalls: [{ name: 'wallet_transfer', arguments: TRANSFER }] },
      { text: (ctx) => `Transfer result: ${ctx.lastToolResult}` },
    ]);
    const run = await runChat(
      [
        ...chatVia(wallet.gateway.url, 'openai', model.baseUrl),
        '--prompt',
        'Send 2.50 EUR to sales',
        '--json',
      ],
      { GATEHOUSE_API_KEY: wallet.financeKey },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /^gatehouse chat: declined the confirmation wallet_transfer asks for: there is no terminal to ask on \(stdin is not a TTY\); run the chat without --prompt to answer it$/m,
    );
    const transcript = JSON.parse(run.stdout) as Transcript;
    assert.equal(transcript.turns[0]?.toolCalls[0]?.isError, true);
    const audit = await gatehouse([
      'audit',
      'query',
      '--config',
      wallet.gateway.configFile,
      '--target',
      'wallet_transfer',
    ]);
    // Asked in band, declined: the audit records the question and the refusal, and no transfer.
    assert.match(audit, /finance\[finance\] \S+ tools\/call wallet_transfer input_required /);
    assert.match(audit, /finance\[finance\] \S+ tools\/call wallet_transfer denied /);
    assert.doesNotMatch(audit, /wallet_transfer ok /);
  });

  it('--prompt on a terminal: the confirmation is asked there, and yes moves the money', async () => {
    const model = await wallet.openai([
      {
        toolCalls: [
          { name: 'wallet_transfer', arguments: { ...TRANSFER, idempotencyKey: 'chat-cli-tty-0001' } },
        ],
      },
      { text: (ctx) => `Sent: ${ctx.lastToolResult}` },
    ]);
    const run = await runChatOnTerminal(
      [...chatVia(wallet.gateway.url, 'openai', model.baseUrl), '--prompt', 'Send 2.50 EUR'],
      { GATEHOUSE_API_KEY: wallet.financeKey },
      [[/allow wallet_transfer\? \[y\/n\]/, 'y\r']],
    );
    assert.equal(run.unreached, 0, `no question on the terminal:\n${run.stdout}`);
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.stdout, /\? Your assistant wants to call the tool "wallet_transfer"/);
    assert.match(run.stdout, /Sent: \{"transferId":"tr_/);
    assert.doesNotMatch(run.stdout, /declined/);
  });

  it('an approval wait is shown as a wait, and the call goes through once an approver says yes', async () => {
    const treasuryKey = await createKey(wallet.gateway.configFile, 'finance', ['treasury']);
    await createKey(wallet.gateway.configFile, 'ada', ['admin']);
    const model = await wallet.openai([
      {
        toolCalls: [
          { name: 'wallet_transfer', arguments: { ...TRANSFER, idempotencyKey: 'chat-cli-queued-0001' } },
        ],
      },
      { text: (ctx) => `Queued transfer: ${ctx.lastToolResult}` },
    ]);
    const finished = runChat(
      [...chatVia(wallet.gateway.url, 'openai', model.baseUrl), '--prompt', 'Send it', '--json'],
      { GATEHOUSE_API_KEY: treasuryKey },
    );
    let pending: { id: string }[] = [];
    for (let i = 0; i < 200 && pending.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      pending = JSON.parse(
        await gatehouse(['approvals', 'list', '--config', wallet.gateway.configFile, '--json']),
      ) as { id: string }[];
    }
    const id = pending[0]?.id as string;
    assert.ok(id, 'the call is queued for approval');
    await gatehouse(['approvals', 'approve', id, '--config', wallet.gateway.configFile, '--by', 'ada']);
    const run = await finished;
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      new RegExp(`^… wallet_transfer is waiting for approval: .*\\(request ${id}\\)$`, 'm'),
    );
    const call = (JSON.parse(run.stdout) as Transcript).turns[0]?.toolCalls[0];
    assert.equal(call?.isError, false);
    assert.equal(call?.statuses?.[0]?.kind, 'awaiting-approval');
    assert.match(
      (JSON.parse(run.stdout) as Transcript).turns[0]?.text ?? '',
      /^Queued transfer: \{"transferId":"tr_/,
    );
  });
});
