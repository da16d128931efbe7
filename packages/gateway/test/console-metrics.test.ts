/**
 * The upstreams and traffic pages in headless Chromium, against a real gateway with fixture and
 * fault-server upstreams: calls made through the gateway appear live on the upstreams page (calls,
 * latency, error rate per upstream), an upstream answering errors shows its breaker open and its
 * error rate, one that crashed and may not restart shows "failed" with its last error, readiness
 * as /readyz says; the traffic page charts the same requests per role and per tool with their
 * numbers in tables (a slow tool's p50 above its delay). axe-core finds no violation on either page.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/client';
import type { Browser, Page } from 'playwright-core';
import { accessibilityViolations, launchChromium, screenshot } from '../../lantern/test/helpers/browser.ts';
import { SqliteApiKeys } from '../src/auth/api-keys-sqlite.ts';
import { newConsolePage, submitKey } from './helpers/console.ts';
import { faultUpstreamYaml, ModeFile, tempDir } from './helpers/faults.ts';
import {
  connectClient,
  fixtureUpstreamYaml,
  startGateway,
  type TestGateway,
  tempStorage,
  waitFor,
} from './helpers/harness.ts';

let gw: TestGateway;
let browser: Browser;
let flakyMode: ModeFile;
const keys: Record<string, string> = {};
let consoleUrl: string;

before(async () => {
  const storage = tempStorage();
  flakyMode = new ModeFile(tempDir(), 'flaky');
  const noRetry = 'retry: { maxAttempts: 1 }';
  const yaml = `upstreams:
${fixtureUpstreamYaml('alpha')}
${faultUpstreamYaml('flaky', `    resilience: { ${noRetry}, breaker: { failures: 2, halfOpenAfterMs: 600000 } }\n`, flakyMode)}
${faultUpstreamYaml('crashy', '    restart: { initialDelayMs: 50, maxDelayMs: 50, maxRestarts: 0 }\n')}
auth:
  apiKeys: true
approvals:
  approvers: [admin]
policy:
  groups:
    everything:
      allow: [{ tools: ["*"] }]
  roles:
    ops: { groups: [everything] }
    support: { groups: [everything] }
    admin: { groups: [everything] }
storage: { path: ${JSON.stringify(storage)} }
`;
  writeFileSync(`${storage}.yaml`, yaml);
  const store = new SqliteApiKeys(storage);
  keys.alice = store.create({ user: 'alice', roles: ['ops'] }).key;
  keys.dana = store.create({ user: 'dana', roles: ['support'] }).key;
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

async function signIn(path: string): Promise<Page> {
  const page = await newConsolePage(browser, 1280);
  await page.goto(`${consoleUrl}${path}`);
  await submitKey(page, keys.bob as string);
  await page.waitForURL(`**/console${path}`);
  return page;
}

/** The cells of an upstream's row, once the live refresh shows what `ready` wants. */
async function rowWhen(page: Page, name: string, ready: (cells: string[]) => boolean): Promise<string[]> {
  let cells: string[] = [];
  await waitFor(async () => {
    cells = (await page.locator(`tr[id="upstream-${name}"] > *`).allTextContents()).map((c) => c.trim());
    return ready(cells);
  }, 15_000).catch(() => assert.fail(`the row of ${name} stayed ${JSON.stringify(cells)}`));
  return cells;
}

function millis(text: string): number {
  const m = /^([\d.]+) (ms|s)$/.exec(text);
  assert.ok(m, `a duration: ${text}`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

it('shows calls, latency and failures live on the upstreams page, as they happen', async () => {
  const page = await signIn('/upstreams');
  // Columns: upstream, state, breaker, restarts, calls, p50, p99, error rate, last error.
  const quiet = await rowWhen(page, 'alpha', (c) => c.length === 9);
  assert.equal(quiet[1], 'ready');
  assert.equal(quiet[2], 'closed');
  assert.equal(quiet[4], '0');
  assert.match((await page.locator('.readiness').textContent()) ?? '', /ready/);

  const alice = await as(keys.alice as string);
  const dana = await as(keys.dana as string);
  try {
    for (let i = 0; i < 4; i++) await alice.callTool({ name: 'alpha_echo', arguments: { message: `a${i}` } });
    for (let i = 0; i < 2; i++) await dana.callTool({ name: 'flaky_slow', arguments: { ms: 300 } });
    const alpha = await rowWhen(page, 'alpha', (c) => c[4] === '4');
    assert.equal(alpha[7], '0%');
    assert.ok(millis(alpha[5] as string) < 250, `alpha's p50 ${alpha[5]}`);
    const slow = await rowWhen(page, 'flaky', (c) => c[4] === '2');
    assert.ok(millis(slow[5] as string) >= 250, `flaky's p50 ${slow[5]} covers its 300 ms`);

    // flaky now answers errors: two failures open its breaker, the third call is refused by it.
    flakyMode.set('error');
    for (let i = 0; i < 3; i++)
      await dana.callTool({ name: 'flaky_echo', arguments: { text: 'x' } }).catch(() => undefined);
    const failing = await rowWhen(page, 'flaky', (c) => c[4] === '5' && c[2] === 'open');
    assert.equal(failing[7], '60%', 'three of its five calls failed');

    // crashy dies mid-call and may not restart: failed, with the reason.
    await alice.callTool({ name: 'crashy_crash', arguments: {} }).catch(() => undefined);
    const crashed = await rowWhen(page, 'crashy', (c) => c[1] === 'failed');
    assert.equal(crashed[3], '1', 'one restart counted');
    assert.match(crashed[8] as string, /exit|closed/i);
    assert.match((await page.locator('.readiness').textContent()) ?? '', /ready/);
  } finally {
    await alice.close();
    await dana.close();
  }
  assert.deepEqual(await accessibilityViolations(page), []);
  await screenshot(page, 'console-upstreams');

  await page.getByRole('link', { name: 'flaky' }).click();
  await page.waitForURL('**/console/upstreams/flaky');
  const main = (await page.locator('main').textContent()) ?? '';
  assert.match(main, /Circuit-breaker changes\s*1/);
  assert.match(main, /opens after 2 failures in a row/);
  assert.match(main, /flaky_slow\s*2/);
  assert.match(main, /flaky_echo\s*3/);
  assert.deepEqual(await accessibilityViolations(page), []);
  await page.context().close();
});

it('charts the requests per role and per tool on the traffic page, with the numbers in tables', async () => {
  const page = await signIn('/traffic');
  const text = (await page.locator('main').textContent()) ?? '';
  assert.match(text, /sampled every 10 s and kept for 1 h/);
  assert.match(text, /The last 15 min: \d+ requests/);
  const toolRow = async (tool: string) =>
    (await page.locator(`tr[id="tool-${tool}"] > *`).allTextContents()).map((c) => c.trim());
  // Columns: name, requests, rate, p50, p99, error rate.
  const echo = await toolRow('alpha_echo');
  assert.equal(echo[1], '4');
  assert.equal(echo[5], '0%');
  const slow = await toolRow('flaky_slow');
  assert.equal(slow[1], '2');
  assert.ok(millis(slow[3] as string) >= 250, `flaky_slow's p50 ${slow[3]}`);
  assert.equal((await toolRow('flaky_echo'))[5], '100%');
  const roles = await page.locator('tr[id^="role-"] > th').allTextContents();
  assert.ok(roles.includes('ops') && roles.includes('support'), roles.join());
  for (const id of ['total-rate', 'total-latency', 'total-errors', 'role-rate', 'tool-p99', 'tool-errors']) {
    const chart = page.locator(`svg[aria-labelledby="${id}-t ${id}-d"]`);
    assert.equal(await chart.getAttribute('role'), 'img', id);
    assert.ok(
      (await chart.locator('path').count()) + (await chart.locator('circle').count()) > 0,
      `${id} has lines`,
    );
  }
  assert.match((await page.locator('#tool-errors-d').textContent()) ?? '', /flaky_echo: highest 100%/);

  // New calls show up on the next refresh of the charts.
  const alice = await as(keys.alice as string);
  await alice.callTool({ name: 'alpha_echo', arguments: { message: 'again' } });
  await alice.close();
  await waitFor(async () => (await toolRow('alpha_echo'))[1] === '5', 20_000);

  await page.getByLabel('Window').selectOption('5m');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.waitForURL('**/console/traffic?window=5m');
  assert.match((await page.locator('main').textContent()) ?? '', /The last 5 min/);
  assert.deepEqual(await accessibilityViolations(page), []);
  await screenshot(page, 'console-traffic');
  await page.context().close();
});
