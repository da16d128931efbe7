/**
 * The built-in chat in the demo, across systems, in headless Chromium: `gatehouse demo` as a user
 * starts it (free ports, a temp data directory) with the chat pointed at a loopback
 * OpenAI-compatible model (the only double, behind the real provider client). Bob, a Lantern
 * responder, signs in with the password the banner printed; his chat reaches Lantern's internal
 * server and, with the demo's sre key, the gateway's domain servers.
 *
 * - The automation ran once at start: the degraded checkout-api has an incident it opened, with
 *   its request waiting for an approver at the gateway.
 * - A cross-system question is answered from two tool calls at once (the platform's health
 *   through the gateway, Lantern's incidents through the internal server), both shown.
 * - A restart (destructive) is asked in the page first; once Bob confirms, the gateway holds it
 *   for an approver (the call waits in the page); an admin approves with `gatehouse approvals
 *   approve`, and the answer comes back. The gateway's audit has the restart under the sre principal.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';
import { type LoopbackModel, startOpenAiLoopback } from '../../host/test/helpers/openai-loopback.ts';
import { accessibilityViolations, launchChromium, screenshot } from './helpers/browser.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const GATEHOUSE = join(ROOT, 'packages/gateway/bin/gatehouse.mjs');
const run = promisify(execFile);

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

interface Demo {
  child: ChildProcess;
  banner: string;
  gateway: string;
  lantern: string;
  password(email: string): string;
  key(role: string): string;
}

function startDemo(env: NodeJS.ProcessEnv, args: string[]): Promise<Demo> {
  const child = spawn(process.execPath, [GATEHOUSE, 'demo', ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let banner = '';
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the demo did not start:\n${stderr.slice(-3000)}`)),
      180_000,
    );
    child.once('exit', (code) => reject(new Error(`the demo exited (${code}):\n${stderr.slice(-3000)}`)));
    child.stdout?.on('data', (c: Buffer) => {
      banner += c.toString();
      if (!banner.includes('Press Ctrl+C')) return;
      clearTimeout(timer);
      const find = (re: RegExp) => re.exec(banner)?.[1] ?? '';
      resolve({
        child,
        banner,
        gateway: find(/MCP endpoint\s+(\S+)/),
        lantern: find(/Web UI \+ REST\s+(\S+)/),
        password: (email) => find(new RegExp(`^ {4}${email.replace('.', '\\.')}\\s+(\\S+)$`, 'm')),
        key: (role) => find(new RegExp(`^ {2}${role}\\s+(ghk_\\S+)$`, 'm')),
      });
    });
  });
}

const dataDir = makeTempDir('lantern-demo-chat-');
let model: LoopbackModel;
let demo: Demo;
let browser: Browser;

before(async () => {
  model = await startOpenAiLoopback([
    {
      toolCalls: [
        { name: 'gateway__platform_get_service_health', arguments: { service: 'checkout-api' } },
        { name: 'lantern-incidents__list_incidents', arguments: { service: 'checkout-api', status: 'open' } },
      ],
    },
    {
      text: (ctx) => {
        const health = JSON.parse(ctx.toolResults[0] ?? '{}') as { status?: string };
        const incidents = JSON.parse(ctx.toolResults[1] ?? '{}') as { incidents?: unknown[] };
        return `checkout-api is ${health.status}; ${incidents.incidents?.length} open incident(s) on it.`;
      },
    },
    {
      toolCalls: [
        {
          name: 'gateway__platform_restart_service',
          arguments: { service: 'checkout-api', reason: 'error spike' },
        },
      ],
    },
    {
      text: (ctx) =>
        `Restart requested: ${JSON.parse(ctx.lastToolResult ?? '{}').eventId ?? ctx.lastToolResult}.`,
    },
  ]);
  const ports = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  demo = await startDemo(
    {
      ...process.env,
      GATEHOUSE_DATA_DIR: dataDir,
      LANTERN_CHAT_PROVIDER: 'openai',
      LANTERN_CHAT_BASE_URL: model.baseUrl,
      LANTERN_CHAT_MODEL: 'scripted',
      OPENAI_API_KEY: 'loopback',
    },
    [
      ...['--port', String(ports[0]), '--sandbox-port', String(ports[1])],
      ...['--lantern-port', String(ports[2]), '--lantern-internal-port', String(ports[3])],
    ],
  );
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (demo?.child.exitCode === null) {
    const exited = new Promise((r) => demo.child.once('exit', r));
    demo.child.kill('SIGTERM');
    await exited;
  }
  await model?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function signIn(email: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 1000 }, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${demo.lantern}/login?next=%2Fchat`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(demo.password(email));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${demo.lantern}/chat`);
  return page;
}

async function ask(page: Page, question: string): Promise<void> {
  await page.getByLabel('Your question').fill(question);
  await page.getByRole('button', { name: 'Ask' }).click();
}

it('prints the chat as on in the banner, with the model it talks to', () => {
  assert.match(demo.banner, /Built-in chat {2}scripted at http:\/\/127\.0\.0\.1:\d+\/v1/);
});

it('ran the AgenticOps automation once at start: the degraded services have incidents, opened by it', async () => {
  assert.match(
    demo.banner,
    /AgenticOps {5}automation:health-watch checks the platform through the gateway every 300 s/,
  );
  const page = await signIn('alice@northwind.example');
  await page.goto(`${demo.lantern}/`);
  const rows = await page.locator('tbody tr').allTextContents();
  assert.ok(
    rows.some((row) => /checkout-api degraded/.test(row)),
    rows.join('\n'),
  );
  const ref = /INC-\d+/.exec(rows.find((row) => /checkout-api degraded/.test(row)) ?? '')?.[0];
  await page.goto(`${demo.lantern}/incidents/${ref}`);
  const details = (await page.locator('main').textContent()) ?? '';
  assert.match(details, /opened by automation:health-watch/);
  assert.match(details, /Awaiting approval apr_\S+ at Gatehouse/);
  await page.context().close();
});

it('answers a cross-system question from the gateway and the internal server, showing both calls', async () => {
  const page = await signIn('bob@northwind.example');
  assert.match(
    (await page.locator('main').textContent()) ?? '',
    /lantern-incidents \(\d+ tools\), gateway \(\d+ tools\)/,
  );
  await ask(page, 'Is checkout-api healthy, and do we have an incident open for it?');
  const answer = page.locator('.msg.bot .answer').last();
  await answer.filter({ hasText: 'checkout-api is' }).waitFor({ timeout: 30_000 });
  assert.match(
    (await answer.textContent()) ?? '',
    /^checkout-api is (healthy|degraded|down|recovering); \d+ open incident\(s\) on it\.$/,
  );
  const calls = await page.locator('.tools li').allTextContents();
  assert.equal(calls.length, 2);
  assert.ok(calls.some((c) => /gateway__platform_get_service_health done/.test(c)));
  assert.ok(calls.some((c) => /lantern-incidents__list_incidents done/.test(c)));
  assert.deepEqual(await accessibilityViolations(page), []);
  await screenshot(page, 'chat-cross-system');
  await page.context().close();
});

it('asks before a restart, then the gateway holds it for an approver until an admin approves', async () => {
  const page = await signIn('bob@northwind.example');
  await ask(page, 'Restart checkout-api.');
  await page.getByRole('alertdialog').waitFor({ timeout: 30_000 });
  assert.match(
    (await page.getByRole('alertdialog').textContent()) ?? '',
    /gateway__platform_restart_service\(\{"service":"checkout-api","reason":"error spike"\}\)\. This cannot be undone/,
  );
  await page.getByRole('button', { name: 'Confirm' }).click();
  // The gateway queues the restart for an approver at once and holds the call open (the demo's
  // sre rule waits up to 30 s, then answers "awaiting approval", which the page then shows).
  const env = { ...process.env, GATEHOUSE_API_KEY: demo.key('admin') };
  let id: string | undefined;
  for (const deadline = Date.now() + 30_000; id === undefined; ) {
    const listed = await run(process.execPath, [GATEHOUSE, 'approvals', 'list', '--url', demo.gateway], {
      env,
      cwd: ROOT,
    });
    // The sre key's request (the automation's own requests wait in the same queue).
    id = /^(apr_[\w-]+) pending sre tools\/call platform_restart_service /m.exec(listed.stdout)?.[1];
    assert.ok(id !== undefined || Date.now() < deadline, `no approval request: ${listed.stdout}`);
    if (id === undefined) await new Promise((r) => setTimeout(r, 250));
  }
  assert.match(
    (await page.locator('.tools li .state').last().textContent()) ?? '',
    /running…|waiting for an approver…/,
    'the call waits; it has not run',
  );
  await screenshot(page, 'chat-awaiting-approval');
  await run(process.execPath, [GATEHOUSE, 'approvals', 'approve', id, '--url', demo.gateway], {
    env,
    cwd: ROOT,
  });
  const answer = page.locator('.msg.bot .answer').last();
  await answer.filter({ hasText: 'Restart requested' }).waitFor({ timeout: 60_000 });
  assert.match((await answer.textContent()) ?? '', /^Restart requested: \S+\.$/);
  await screenshot(page, 'chat-approved');
  const audit = await run(
    process.execPath,
    [
      GATEHOUSE,
      'audit',
      'query',
      '--config',
      'examples/demo/gatehouse.yaml',
      '--target',
      'platform_restart_service',
    ],
    { env: { ...process.env, GATEHOUSE_DATA_DIR: dataDir }, cwd: ROOT },
  );
  assert.match(audit.stdout, /sre/);
  await page.context().close();
});
