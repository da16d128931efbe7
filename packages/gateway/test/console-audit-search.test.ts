/**
 * The audit page's free-text search in headless Chromium (issue 18): tool calls made through the
 * gateway are found by a value in their arguments — typed into "Text in the arguments" with the
 * other filters — a secret only as redacted, and the page passes axe-core's WCAG 2.1 AA rules.
 * Screenshot console-audit-text when LANTERN_SCREENSHOTS names a folder (docs/console/).
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { accessibilityViolations, launchChromium, screenshot } from '../../lantern/test/helpers/browser.ts';
import { SqliteApiKeys } from '../src/auth/api-keys-sqlite.ts';
import {
  connectClient,
  fixtureUpstreamYaml,
  startGateway,
  type TestGateway,
  tempStorage,
} from './helpers/harness.ts';

let gw: TestGateway;
let browser: Browser;
let admin = '';

before(async () => {
  const storage = tempStorage();
  const store = new SqliteApiKeys(storage);
  admin = store.create({ user: 'bob', roles: ['admin'] }).key;
  store.close();
  gw = await startGateway(
    `upstreams:\n${fixtureUpstreamYaml('alpha')}\nauth: { apiKeys: true }\napprovals: { approvers: [admin] }\npolicy:\n  groups:\n    all: { allow: [{ tools: ["*"] }] }\n  roles:\n    admin: { groups: [all] }\nstorage: { path: ${JSON.stringify(storage)} }\n`,
  );
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await gw?.close();
});

it('finds tool calls by text in their redacted arguments', async () => {
  const client = await connectClient(gw.url, 'modern', undefined, {}, { authorization: `Bearer ${admin}` });
  try {
    for (const message of ['renewal for deal D-1042', 'renewal for deal D-2077', 'password=hunter2 please']) {
      await client.callTool({ name: 'alpha_echo', arguments: { message } });
    }
  } finally {
    await client.close();
  }
  const page = await (
    await browser.newContext({ viewport: { width: 1200, height: 900 }, bypassCSP: true })
  ).newPage();
  await page.goto(new URL('/console/audit', gw.url).toString());
  await page.getByLabel('API key').fill(admin);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState();
  await page.getByLabel('Tool or target (* matches any run)').fill('alpha_*');
  await page.getByLabel('Text in the arguments').fill('d-1042');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.waitForLoadState();
  const rows = await page.locator('tbody tr').allTextContents();
  assert.equal(rows.length, 1, rows.join('\n'));
  assert.match(rows[0] ?? '', /alpha_echo/);
  assert.equal(await page.getByLabel('Text in the arguments').inputValue(), 'd-1042');
  assert.deepEqual(await accessibilityViolations(page), []);
  await screenshot(page, 'console-audit-text');
  await page.locator('tbody tr a').first().click();
  await page.waitForLoadState();
  assert.match((await page.locator('main').textContent()) ?? '', /renewal for deal D-1042/);
  await page.goto(new URL('/console/audit?text=hunter2', gw.url).toString());
  assert.equal(await page.locator('tbody tr').count(), 0, 'a secret is searched only as redacted');
  await page.context().close();
});
