/** What the console's browser tests share: a page in a fresh context, and the API-key sign-in form. */
import type { Browser, Page } from 'playwright-core';

/** A page in a context of its own (no cookies). bypassCSP only so that axe-core can be injected. */
export async function newConsolePage(browser: Browser, width = 1200): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, bypassCSP: true });
  return context.newPage();
}

/** Fills the sign-in page the browser is on with `key` and submits it. */
export async function submitKey(page: Page, key: string): Promise<void> {
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
