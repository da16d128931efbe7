/**
 * Headless Chromium for the page tests: Debian's `chromium` (GATEHOUSE_TEST_CHROMIUM, from
 * `source scripts/services.sh`; its absence fails the test) driven by playwright-core, with the
 * flags a closed network needs; and axe-core's accessibility check of the current page.
 * Screenshots go to LANTERN_SCREENSHOTS when set (docs/lantern/ is made that way).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import axe from 'axe-core';
import { type Browser, chromium, type Page } from 'playwright-core';

export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.GATEHOUSE_TEST_CHROMIUM;
  assert.ok(executablePath, 'GATEHOUSE_TEST_CHROMIUM is not set: run `source scripts/services.sh` first');
  return chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's WCAG 2.1 A/AA rules on the page as it is now; returns the violations. */
export async function accessibilityViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: axe.source });
  return page.evaluate(async () => {
    const axe = (
      globalThis as unknown as { axe: { run(o: unknown): Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    const result = await axe.run({
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.LANTERN_SCREENSHOTS;
  if (dir === undefined || dir === '') return;
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}
