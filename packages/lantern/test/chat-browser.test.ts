/**
 * The built-in chat in headless Chromium, with the real AI SDK provider client talking to a
 * loopback OpenAI-compatible model that plays a script (the only double: no model runs here).
 * The chat's tools are Lantern's internal MCP server, reached with the service credential and the
 * signed-in user in every call's _meta:
 *
 * - Bob asks which incidents are open; the page shows the tool call and the answer built from the
 *   tool's real result, and the activity-free read leaves Lantern as it was;
 * - Alice asks to delete an incident: the page asks her first; Cancel leaves it, Confirm deletes it
 *   (in the activity log as hers, via internal-mcp);
 * - every chat page passes axe-core's WCAG 2.1 AA rules.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type LoopbackModel, startOpenAiLoopback } from '../../host/test/helpers/openai-loopback.ts';
import { type RunningLantern, startLantern } from '../src/server.ts';
import { sqliteDatabases } from './helpers/backends.ts';
import { accessibilityViolations, launchChromium, screenshot } from './helpers/browser.ts';
import { ALICE, BOB, PASSWORDS, TEST_PASSWORD } from './helpers/lantern.ts';

const databases = sqliteDatabases();
let model: LoopbackModel;
let lantern: RunningLantern;
let browser: Browser;

/** Refs named in a list_incidents result. */
function refsIn(result: string | undefined): string[] {
  return [...new Set((result ?? '').match(/INC-\d+/g) ?? [])];
}

/** A web actor for a seeded user (for checks straight on the domain). */
async function actorFor(email: string) {
  const user = await lantern.core.accounts.userByEmail(email);
  assert.ok(user, `no seeded user ${email}`);
  return { kind: 'user' as const, user, via: 'web' as const };
}

before(async () => {
  model = await startOpenAiLoopback([
    // Bob: which incidents are open?
    { toolCalls: [{ name: 'lantern-incidents__list_incidents', arguments: { status: 'open' } }] },
    { text: (ctx) => `Open now: ${refsIn(ctx.lastToolResult).join(', ')}.` },
    // Alice: delete INC-4 — she cancels.
    { toolCalls: [{ name: 'lantern-incidents__delete_incident', arguments: { ref: 'INC-4' } }] },
    {
      text: (ctx) => (/declined/.test(ctx.lastToolResult ?? '') ? 'Understood, INC-4 stays.' : 'unexpected'),
    },
    // Alice: delete INC-5 — she confirms.
    { toolCalls: [{ name: 'lantern-incidents__delete_incident', arguments: { ref: 'INC-5' } }] },
    {
      text: (ctx) =>
        /"ref":"INC-5"/.test(ctx.lastToolResult ?? '')
          ? 'Deleted INC-5.'
          : `unexpected: ${ctx.lastToolResult}`,
    },
  ]);
  lantern = await startLantern({
    database: await databases.fresh(),
    seedPasswords: PASSWORDS,
    logError: () => {},
    chat: {
      provider: 'openai',
      baseUrl: model.baseUrl,
      model: 'scripted',
      env: { OPENAI_API_KEY: 'loopback' },
    },
  });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await lantern?.close();
  await model?.close();
  await databases.cleanup();
});

/** Signs `email` in on the Lantern at `url` (the one under test by default) and opens the chat. */
async function chatAs(email: string, url = lantern.url): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${url}/login?next=%2Fchat`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${url}/chat`);
  return page;
}

async function ask(page: Page, question: string): Promise<void> {
  await page.getByLabel('Your question').fill(question);
  await page.keyboard.press('Enter');
}

it('answers a question from a tool call it shows, with the real result', async () => {
  const page = await chatAs(BOB);
  // A responder's chat reaches only the component a responder can use.
  assert.match(await page.locator('main').innerText(), /Reaches: lantern-incidents \(\d+ tools\)\./);
  await ask(page, 'Which incidents are open?');
  const answer = page.locator('.msg.bot .answer').last();
  await answer.filter({ hasText: 'Open now:' }).waitFor();
  const open = await lantern.core.incidents.list(await actorFor(BOB), { status: 'open' });
  assert.equal(await answer.innerText(), `Open now: ${open.map((i) => i.ref).join(', ')}.`);
  const call = page.locator('.tools li').last();
  assert.match(await call.innerText(), /lantern-incidents__list_incidents done \(\d+ ms\)/);
  await page.locator('.msg.bot .muted').last().filter({ hasText: 'tool call' }).waitFor();
  assert.match(
    await page.locator('.msg.bot .muted').last().innerText(),
    /^1 tool call · \d+ tokens · [\d.]+ s$/,
  );
  assert.deepEqual(await accessibilityViolations(page), []);
  await screenshot(page, 'chat-answer');
  // The model was sent the internal tools under their server's name, with bob's question.
  const first = model.requests[0]?.body as { tools?: { function: { name: string } }[] };
  assert.ok(first.tools?.some((t) => t.function.name === 'lantern-incidents__list_incidents'));
  await page.context().close();
});

it('asks before a destructive call: Cancel leaves the incident, Confirm deletes it', async () => {
  const page = await chatAs(ALICE);
  assert.match(
    await page.locator('main').innerText(),
    /Reaches: lantern-incidents \(\d+ tools\), lantern-analytics \(\d+ tools\)\./,
  );
  await ask(page, 'Delete INC-4.');
  const question = page.getByRole('alertdialog');
  await question.waitFor();
  assert.match(
    await question.innerText(),
    /lantern-incidents__delete_incident\(\{"ref":"INC-4"\}\)\. This cannot be undone/,
  );
  assert.equal(
    await page.evaluate(() => document.activeElement?.textContent),
    'Cancel',
    'focus starts on the safe choice',
  );
  assert.deepEqual(await accessibilityViolations(page), []);
  await screenshot(page, 'chat-confirm');
  await page.keyboard.press('Enter');
  await page.locator('.msg.bot .answer').last().filter({ hasText: 'INC-4 stays' }).waitFor();
  assert.equal((await lantern.core.incidents.get(await actorFor(ALICE), 'INC-4')).ref, 'INC-4');

  await ask(page, 'Delete INC-5.');
  await page.getByRole('alertdialog').waitFor();
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.locator('.msg.bot .answer').last().filter({ hasText: 'Deleted INC-5.' }).waitFor();
  const alice = await actorFor(ALICE);
  await assert.rejects(() => lantern.core.incidents.get(alice, 'INC-5'), /no incident INC-5/);
  const activity = await lantern.core.sql.all<{ actor: string; via: string }>(
    "SELECT actor, via FROM activity WHERE action = 'incident.deleted' AND target = 'INC-5'",
  );
  assert.deepEqual(activity, [{ actor: ALICE, via: 'internal-mcp' }]);
  await screenshot(page, 'chat-confirmed');
  await page.context().close();
  assert.equal(model.remaining(), 0);
});

it('says on the page when no chat is configured', async () => {
  const plain = await startLantern({
    database: await databases.fresh(),
    seedPasswords: PASSWORDS,
    logError: () => {},
  });
  try {
    const page = await chatAs(BOB, plain.url);
    assert.match(
      await page.getByRole('alert').innerText(),
      /The chat is not configured: start Lantern with --chat-provider/,
    );
    await page.context().close();
  } finally {
    await plain.close();
  }
});
