/**
 * The demo, asked in plain language: `gatehouse demo` on free ports with a temp data directory,
 * then `gatehouse chat` with the keys it prints. A sales question about a customer is answered
 * through customer_get_customer_profile (the audit shows the call under the sales principal),
 * and a finance transfer asks for confirmation in the chat before any money moves. The model is
 * the loopback OpenAI-compatible server; everything else is the demo as a user starts it.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';
import type { Transcript } from '../src/agent/transcript.ts';
import { chatVia, GATEHOUSE_BIN, gatehouse, runChat, startChat } from './helpers/gatehouse-cli.ts';
import type { LoopbackModel } from './helpers/loopback-script.ts';
import { startOpenAiLoopback } from './helpers/openai-loopback.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DEMO_CONFIG = join(ROOT, 'examples/demo/gatehouse.yaml');

interface Demo {
  child: ChildProcess;
  url: string;
  keys: Record<string, string>;
  tools: Record<string, string[]>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** `gatehouse demo`, read until its banner (URL, a key and the tools per role) is complete. */
function startDemo(env: NodeJS.ProcessEnv, args: string[]): Promise<Demo> {
  const child = spawn(process.execPath, [GATEHOUSE_BIN, 'demo', ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`the demo did not start:\n${text}\n${stderr.slice(-3000)}`));
    }, 180_000);
    child.once('exit', (code) => reject(new Error(`the demo exited (${code}):\n${stderr.slice(-3000)}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (!text.includes('Claude Desktop')) return;
      clearTimeout(timer);
      const url = /MCP endpoint\s+(\S+)/.exec(text)?.[1] ?? '';
      const keys: Record<string, string> = {};
      const tools: Record<string, string[]> = {};
      for (const m of text.matchAll(/^ {2}(\w+)\s+(ghk_\S+)\n\s+\d+ tools: (.*)$/gm)) {
        keys[m[1] as string] = m[2] as string;
        tools[m[1] as string] = (m[3] as string).split(', ');
      }
      resolve({ child, url, keys, tools });
    });
  });
}

async function stopDemo(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

describe('gatehouse chat against the running demo', () => {
  const dataDir = makeTempDir('gatehouse-demo-chat-');
  const env = { ...process.env, GATEHOUSE_DATA_DIR: dataDir };
  let demo: Demo | undefined;
  const models: LoopbackModel[] = [];

  const audit = (target: string): Promise<string> =>
    gatehouse(['audit', 'query', '--config', DEMO_CONFIG, '--target', target], env);

  before(async () => {
    const [port, sandboxPort, lanternPort, lanternInternalPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    demo = await startDemo(env, [
      ...['--port', String(port), '--sandbox-port', String(sandboxPort)],
      ...['--lantern-port', String(lanternPort), '--lantern-internal-port', String(lanternInternalPort)],
    ]);
  });

  after(async () => {
    await Promise.all(models.map((m) => m.close()));
    await stopDemo(demo?.child);
  });

  it('answers a sales question about a customer through customer_get_customer_profile, audited as sales', async () => {
    const running = demo as Demo;
    const model = await startOpenAiLoopback([
      {
        toolCalls: [
          { name: 'customer_get_customer_profile', arguments: { customer: 'Sawtooth Trading Post' } },
        ],
      },
      { text: (ctx) => `Here is the account: ${ctx.lastToolResult}` },
    ]);
    models.push(model);
    const run = await runChat(
      [
        ...chatVia(running.url, 'openai', model.baseUrl),
        '--prompt',
        'Who owns the Sawtooth Trading Post account, and is their renewal at risk?',
        '--json',
      ],
      { GATEHOUSE_API_KEY: running.keys.sales as string },
    );
    assert.equal(run.code, 0, run.stderr);
    const transcript = JSON.parse(run.stdout) as Transcript;
    const turn = transcript.turns[0];
    assert.equal(turn?.outcome, 'answered');
    assert.deepEqual(
      turn?.toolCalls.map((c) => [c.name, c.isError]),
      [['customer_get_customer_profile', false]],
    );
    // The profile the customer server built reached the model.
    assert.match(turn?.text ?? '', /^Here is the account: [\s\S]*Sawtooth Trading Post/);
    // The model was offered the sales role's tools, and only those.
    const offered = ((model.requests[0]?.body.tools ?? []) as { function: { name: string } }[]).map(
      (t) => t.function.name,
    );
    assert.deepEqual(offered.sort(), [...(running.tools.sales ?? [])].sort());
    assert.match(
      await audit('customer_get_customer_profile'),
      /sales\[sales\] \S+ tools\/call customer_get_customer_profile ok /,
    );
  });

  it('asks for confirmation of a finance transfer in the chat, and moves the money only after yes', async () => {
    const running = demo as Demo;
    const transfer = {
      fromAccountId: 'acc_finance_eur',
      toAccountId: 'acc_sales_eur',
      amount: '12.00',
      currency: 'EUR',
      idempotencyKey: 'demo-chat-transfer-0001',
    };
    const model = await startOpenAiLoopback([
      { toolCalls: [{ name: 'wallet_transfer', arguments: transfer }] },
      { text: (ctx) => `Transfer done: ${ctx.lastToolResult}` },
    ]);
    models.push(model);
    const chat = startChat(['--url', running.url, '--provider', 'openai', '--base-url', model.baseUrl], {
      GATEHOUSE_API_KEY: running.keys.finance as string,
    });
    try {
      await chat.waitFor(/you> $/);
      chat.send('Move 12 EUR from the finance wallet to sales');
      await chat.waitFor(/→ wallet_transfer \{"fromAccountId":"acc_finance_eur"/);
      await chat.waitFor(/\? [\s\S]*wallet_transfer[\s\S]* — allow wallet_transfer\? \[y\/n\] $/);
      assert.doesNotMatch(
        await audit('wallet_transfer'),
        /wallet_transfer ok /,
        'nothing moved before the yes',
      );
      chat.send('y');
      await chat.waitFor(/Transfer done: \{"transferId":"tr_/);
      assert.equal(await chat.end(), 0, chat.stderr());
    } finally {
      chat.child.kill('SIGKILL');
    }
    assert.match(await audit('wallet_transfer'), /finance\[finance\] \S+ tools\/call wallet_transfer ok /);
  });
});
