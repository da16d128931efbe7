/**
 * The web UI in headless Chromium: a user signs in with the keyboard, opens an incident through
 * the form, acknowledges it, and an admin confirms a delete; every page passes axe-core's WCAG
 * 2.1 AA rules. Screenshots when LANTERN_SCREENSHOTS names a folder.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { sqliteDatabases } from './helpers/backends.ts';
import { accessibilityViolations, launchChromium, screenshot } from './helpers/browser.ts';
import { ALICE, BOB, startTestLantern, TEST_PASSWORD, type TestLantern } from './helpers/lantern.ts';

const databases = sqliteDatabases();
let t: TestLantern;
let browser: Browser;
before(async () => {
  t = await startTestLantern(await databases.fresh());
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await t?.close();
  await databases.cleanup();
});

async function signIn(email: string) {
  // bypassCSP: only so that axe-core can be injected; the pages themselves run under the CSP.
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 }, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${t.url}/`);
  assert.equal(new URL(page.url()).pathname, '/login');
  await page.waitForFunction(() => document.activeElement?.id === 'email');
  await page.keyboard.type(email); // the email field has focus on arrival
  await page.keyboard.press('Tab');
  await page.keyboard.type(TEST_PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${t.url}/`);
  return { context, page };
}

it('signs in with the keyboard, opens and acknowledges an incident, with no accessibility violations', async () => {
  const login = await (await browser.newContext({ bypassCSP: true })).newPage();
  await login.goto(`${t.url}/login`);
  assert.deepEqual(await accessibilityViolations(login), []);
  await screenshot(login, 'login');

  const { context, page } = await signIn(BOB);
  assert.deepEqual(await accessibilityViolations(page), []);
  await page.getByLabel('Title').fill('Checkout p99 over 2 s');
  await page.getByLabel('Service').selectOption('checkout-api');
  await page.getByLabel('Severity').selectOption('sev2');
  await page.getByLabel('Summary').fill('Since the 14:05 deploy; payments look fine.');
  await screenshot(page, 'incidents');
  await page.getByRole('button', { name: 'Open incident' }).click();
  await page.waitForURL(/\/incidents\/INC-\d+$/);
  assert.match(await page.locator('h1').innerText(), /^INC-\d+: Checkout p99 over 2 s$/);
  await page.getByRole('button', { name: 'Acknowledge' }).click();
  await page.waitForLoadState();
  assert.equal(await page.locator('.badge.acknowledged').count(), 1);
  await page.getByLabel('Add a note').fill('Rolling back 2024.12.1.');
  await page.getByRole('button', { name: 'Add note' }).click();
  await page.waitForLoadState();
  assert.match(await page.locator('.notes').innerText(), /Rolling back 2024\.12\.1\./);
  assert.deepEqual(await accessibilityViolations(page), []);
  await screenshot(page, 'incident');
  await context.close();
});

it('asks an admin before deleting, and the skip link reaches the content', async () => {
  const { context, page } = await signIn(ALICE);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
  await page.goto(`${t.url}/incidents/INC-3`);
  await page.getByRole('button', { name: 'Delete…' }).click();
  await page.waitForLoadState();
  assert.match(await page.locator('[role=alertdialog]').innerText(), /deleted for good/);
  assert.deepEqual(await accessibilityViolations(page), []);
  await screenshot(page, 'confirm-delete');
  await page.getByRole('button', { name: 'Delete for good' }).click();
  await page.waitForURL(`${t.url}/`);
  assert.equal(await page.getByRole('link', { name: 'INC-3', exact: true }).count(), 0);
  await context.close();
});
