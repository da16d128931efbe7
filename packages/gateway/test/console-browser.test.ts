/**
 * The console in headless Chromium (Debian's chromium via playwright-core), against a real gateway
 * with a fixture upstream: sign-in with an approver's API key (a non-approver's key and an unknown
 * one are refused on the page); a destructive call queued for approval appears in the live queue,
 * is approved in the page as the signed-in approver, and the caller's retry completes; the calls
 * are found on the audit page, a record shows its place on the hash chain and the chain verifies;
 * a key made on the keys page works once and not after it is revoked. axe-core's WCAG 2.1 AA
 * rules on every page. Screenshots when LANTERN_SCREENSHOTS names a folder (docs/console/).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/client';
import type { Browser, Page } from 'playwright-core';
import { accessibilityViolations, launchChromium, screenshot } from '../../lantern/test/helpers/browser.ts';
import { SqliteApiKeys } from '../src/auth/api-keys-sqlite.ts';
import { APPROVAL_META_KEY } from '../src/stages/approve.ts';
import { newConsolePage, submitKey } from './helpers/console.ts';
import {
  connectClient,
  fixtureUpstreamYaml,
  startGateway,
  type TestGateway,
  tempStorage,
  textOf,
} from './helpers/harness.ts';

const CONFIG = `auth:
  apiKeys: true
approvals:
  mode: queue
  destructiveTools: true
  approvers: [admin]
policy:
  groups:
    work:
      allow:
        - tools: [alpha_wipe, alpha_echo]
    everything:
      allow: [{ tools: ["*"] }]
  roles:
    ops: { groups: [work] }
    admin: { groups: [everything] }
`;

let gw: TestGateway;
let browser: Browser;
const keys: Record<string, string> = {};
let consoleUrl: string;

before(async () => {
  const storage = tempStorage();
  const yaml = `upstreams:\n${fixtureUpstreamYaml('alpha', { FIXTURE_DESTRUCTIVE: 'wipe' })}\n${CONFIG}storage: { path: ${JSON.stringify(storage)} }\n`;
  writeFileSync(`${storage}.yaml`, yaml);
  const store = new SqliteApiKeys(storage);
  keys.alice = store.create({ user: 'alice', roles: ['ops'] }).key;
  keys.bob = store.create({ user: 'bob', roles: ['admin'] }).key;
  store.close();
  gw = await startGateway(yaml);
  consoleUrl = new URL('/console', gw.url).toString();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await gw?.close();
});

function as(key: string): Promise<Client> {
  return connectClient(gw.url, 'modern', undefined, {}, { authorization: `Bearer ${key}` });
}

async function signIn(key: string): Promise<Page> {
  const page = await newConsolePage(browser);
  await page.goto(`${consoleUrl}/approvals`);
  assert.match(page.url(), /\/console\/login\?next=%2Fconsole%2Fapprovals$/);
  await submitKey(page, key);
  await page.waitForLoadState();
  return page;
}

it('refuses an unknown key and a key of a role that is not an approver, on the page', async () => {
  const unknown = await signIn('ghk_not_a_key');
  assert.match((await unknown.getByRole('alert').textContent()) ?? '', /That key is unknown or revoked/);
  assert.deepEqual(await accessibilityViolations(unknown), []);
  await screenshot(unknown, 'console-login');
  const ops = await signIn(keys.alice as string);
  assert.match(
    (await ops.getByRole('alert').textContent()) ?? '',
    /The console is for the roles \[admin\]; this key has \[ops\]/,
  );
  await unknown.context().close();
  await ops.context().close();
});

it('shows a queued call live, approves it as the signed-in approver, and the retry completes', async () => {
  const page = await signIn(keys.bob as string);
  assert.match(page.url(), /\/console\/approvals$/);
  const alice = await as(keys.alice as string);
  try {
    const queued = (await alice.callTool({ name: 'alpha_wipe', arguments: { target: 'staging' } })) as {
      _meta?: Record<string, { approvalId: string }>;
    };
    const id = queued._meta?.[APPROVAL_META_KEY]?.approvalId;
    assert.ok(id, JSON.stringify(queued));
    const row = page.locator(`tr[id="${id}"]`);
    await row.waitFor({ timeout: 10_000 }); // the live refresh brings it in
    assert.match((await row.textContent()) ?? '', /alice[\s\S]*alpha_wipe[\s\S]*staging/);
    assert.deepEqual(await accessibilityViolations(page), []);
    await screenshot(page, 'console-approvals');
    await page.getByLabel(`Note for ${id}`).fill('staging only');
    await page.getByRole('button', { name: `Approve ${id}` }).click();
    await page.waitForLoadState();
    assert.match(
      (await page.getByRole('status').textContent()) ?? '',
      new RegExp(`Approved ${id} \\(alpha_wipe for alice\\)`),
    );
    assert.match(
      (await page.locator('tbody').nth(1).textContent()) ?? '',
      /approved[\s\S]*bob[\s\S]*staging only/,
    );
    const done = await alice.callTool({ name: 'alpha_wipe', arguments: { target: 'staging' } });
    assert.match(textOf(done), /wipe staging call #1/);
  } finally {
    await alice.close();
    await page.context().close();
  }
});

it('finds the calls on the audit page, shows a record on the chain, and verifies the chain', async () => {
  const alice = await as(keys.alice as string);
  try {
    for (const text of ['one', 'two'])
      await alice.callTool({ name: 'alpha_echo', arguments: { message: text } });
  } finally {
    await alice.close();
  }
  const page = await signIn(keys.bob as string);
  await page.goto(`${consoleUrl}/audit`);
  await page.getByLabel('Who (user or principal id)').fill('alice');
  await page.getByLabel('Tool or target (* matches any run)').fill('alpha_*');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.waitForLoadState();
  const rows = await page.locator('tbody tr').allTextContents();
  assert.ok(rows.filter((r) => /alpha_echo/.test(r)).length >= 2, rows.join('\n'));
  assert.ok(
    rows.some((r) => /alpha_wipe[\s\S]*ok/.test(r)),
    'the approved wipe, completed',
  );
  assert.ok(rows.every((r) => /alice/.test(r)));
  assert.deepEqual(await accessibilityViolations(page), []);
  await screenshot(page, 'console-audit');
  await page.locator('tbody tr a').first().click();
  await page.waitForLoadState();
  assert.match(
    (await page.locator('main').textContent()) ?? '',
    /Previous hash[\s\S]*[0-9a-f]{64}[\s\S]*Hash[\s\S]*[0-9a-f]{64}/,
  );
  assert.deepEqual(await accessibilityViolations(page), []);
  await page.goto(`${consoleUrl}/audit`);
  await page.getByRole('button', { name: 'Verify the chain' }).click();
  await page.waitForLoadState();
  assert.match((await page.getByRole('status').textContent()) ?? '', /The chain verifies: \d+ records/);
  await page.context().close();
});

it('makes a key shown once, which works until it is revoked', async () => {
  const page = await signIn(keys.bob as string);
  await page.goto(`${consoleUrl}/keys`);
  await page.getByLabel('User').fill('carol');
  await page.getByLabel('Roles (comma-separated)').fill('ops');
  await page.getByRole('button', { name: 'Create key' }).click();
  await page.waitForLoadState();
  const key = ((await page.locator('code.secret').textContent()) ?? '').trim();
  assert.match(key, /^ghk_/);
  assert.deepEqual(await accessibilityViolations(page), []);
  await screenshot(page, 'console-keys');
  const carol = await as(key);
  assert.match(textOf(await carol.callTool({ name: 'alpha_echo', arguments: { message: 'hi' } })), /hi/);
  await carol.close();
  await page.goto(`${consoleUrl}/keys`);
  assert.doesNotMatch((await page.content()) ?? '', new RegExp(key));
  const row = page.locator('tbody tr', { hasText: 'carol' });
  await row.getByRole('button').click();
  await page.waitForLoadState();
  assert.match((await page.getByRole('status').textContent()) ?? '', /Revoked /);
  await assert.rejects(() => as(key), /401|unknown or revoked|Unauthorized/);
  await page.context().close();
});
