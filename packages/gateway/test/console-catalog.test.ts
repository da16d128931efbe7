/**
 * The console's catalog page, in headless Chromium and over plain HTTP, against a real gateway
 * with a fixture upstream: a user's view is what `gatehouse catalog --as` prints (the real binary,
 * compared entry by entry), each entry with decide()'s rule, and what the policy hides with the
 * rule that hides it; "try it" runs the call through the pipeline as the SIGNED-IN approver —
 * audited under that approver, approvals applying — never as the inspected caller, and its result
 * is shown escaped. Bad input (an unknown user or role, bad JSON) gets a clear page, nothing
 * called. axe-core's WCAG 2.1 AA rules on every state of the page; screenshots into
 * LANTERN_SCREENSHOTS (docs/console/).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { accessibilityViolations, launchChromium, screenshot } from '../../lantern/test/helpers/browser.ts';
import type { AuditRecord } from '../src/audit/event.ts';
import { SqliteApiKeys } from '../src/auth/api-keys-sqlite.ts';
import { newConsolePage, submitKey } from './helpers/console.ts';
import { fixtureUpstreamYaml, startGateway, type TestGateway, tempStorage } from './helpers/harness.ts';

const BIN = fileURLToPath(new URL('../bin/gatehouse.mjs', import.meta.url));

const CONFIG = `auth:
  apiKeys: true
approvals:
  mode: queue
  destructiveTools: true
  approvers: [admin, reviewer]
policy:
  groups:
    work:
      allow:
        - tools: [alpha_echo, alpha_wipe, alpha_pid]
        - resources: ["fixture://alpha/*"]
      deny:
        - tools: [alpha_pid]
    reading:
      allow:
        - tools: [alpha_echo]
    everything:
      allow: [{ tools: ["*"], resources: ["*"], prompts: ["*"] }]
  roles:
    ops: { groups: [work] }
    reviewer: { groups: [reading] }
    admin: { groups: [everything] }
`;

let gw: TestGateway;
let browser: Browser;
let configFile = '';
let consoleUrl = '';
const keys: Record<string, string> = {};

before(async () => {
  const storage = tempStorage();
  const yaml = `upstreams:\n${fixtureUpstreamYaml('alpha', { FIXTURE_DESTRUCTIVE: 'wipe' })}\n${CONFIG}storage: { path: ${JSON.stringify(storage)} }\n`;
  configFile = `${storage}.yaml`;
  writeFileSync(configFile, yaml);
  const store = new SqliteApiKeys(storage);
  keys.alice = store.create({ user: 'alice', roles: ['ops'] }).key;
  keys.bob = store.create({ user: 'bob', roles: ['admin'] }).key;
  keys.dave = store.create({ user: 'dave', roles: ['reviewer'] }).key;
  store.close();
  gw = await startGateway(yaml);
  consoleUrl = new URL('/console', gw.url).toString();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await gw?.close();
});

async function signIn(key: string): Promise<Page> {
  const page = await newConsolePage(browser);
  await page.goto(`${consoleUrl}/login?next=%2Fconsole%2Fcatalog`);
  await submitKey(page, key);
  await page.waitForLoadState();
  return page;
}

async function audited(filter: { principal: string; target: string }): Promise<AuditRecord[]> {
  const audit = gw.gateway.access.audit;
  assert.ok(audit);
  await audit.flush();
  return audit.query({ ...filter, method: 'tools/call' });
}

function cells(page: Page, heading: string): Promise<string[]> {
  return page
    .locator('section', { has: page.getByRole('heading', { name: new RegExp(`^${heading} \\(`) }) })
    .locator('tbody tr td:first-child')
    .allTextContents();
}

it("shows a user's catalog exactly as `gatehouse catalog --as` does, each entry with its rule", async () => {
  const page = await signIn(keys.bob as string);
  assert.match(page.url(), /\/console\/catalog$/);
  await page.getByLabel("User (an API key's or the stdio user)").selectOption('alice');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.waitForLoadState();
  const cli = spawnSync(
    process.execPath,
    [BIN, 'catalog', '--as', 'alice', '--json', '--config', configFile],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  assert.equal(cli.status, 0, cli.stderr);
  const seen = JSON.parse(cli.stdout) as {
    tools: { name: string }[];
    resources: string[];
    prompts: string[];
  };
  assert.deepEqual(
    await cells(page, 'Tools'),
    seen.tools.map((t) => t.name),
  );
  assert.deepEqual(await cells(page, 'Resources'), seen.resources);
  assert.deepEqual(await cells(page, 'Prompts'), seen.prompts);
  assert.deepEqual(seen.tools.map((t) => t.name).sort(), ['alpha_echo', 'alpha_wipe']);
  const echo = page.locator('tr', { hasText: 'alpha_echo' }).first();
  assert.match((await echo.textContent()) ?? '', /role:ops → group:work\/allow\[0\]/);
  const hidden = page.locator('section', { has: page.getByRole('heading', { name: /^Hidden from alice/ }) });
  assert.match(
    (await hidden.locator('tr', { hasText: 'alpha_pid' }).textContent()) ?? '',
    /role:ops → group:work\/deny\[0\][\s\S]*tool "alpha_pid" is denied/,
  );
  assert.match(
    (await hidden.locator('tr', { hasText: 'alpha_slow_progress' }).textContent()) ?? '',
    /\(none — deny by default\)/,
  );
  assert.deepEqual(await accessibilityViolations(page), []);
  await screenshot(page, 'console-catalog');
  await page.context().close();
});

it('runs "try it" as the signed-in approver through the pipeline, shows the result escaped, audits it', async () => {
  const page = await signIn(keys.bob as string);
  await page.goto(`${consoleUrl}/catalog?user=alice`);
  await page.getByText('Try as bob').first().click();
  await page.getByLabel('Arguments for alpha_echo (JSON)').fill('{"message": "<b>hi</b>"}');
  await page.getByRole('button', { name: 'Call alpha_echo as bob' }).click();
  await page.waitForLoadState();
  const status = page.getByRole('status');
  assert.match((await status.textContent()) ?? '', /alpha_echo, called as bob[\s\S]*alpha: <b>hi<\/b>/);
  assert.equal(await page.locator('main b', { hasText: 'hi' }).count(), 0, 'the result is text, not markup');
  const records = await audited({ principal: 'bob', target: 'alpha_echo' });
  assert.equal(records.length, 1);
  assert.equal(records[0]?.status, 'ok');
  assert.equal((await audited({ principal: 'alice', target: 'alpha_echo' })).length, 0);
  assert.deepEqual(await accessibilityViolations(page), []);
  await screenshot(page, 'console-catalog-try');
  // A destructive tool: the approval the policy asks for applies to the console's call too.
  await page.getByText('Try as bob').nth(1).click();
  await page.getByLabel('Arguments for alpha_wipe (JSON)').fill('{"target": "staging"}');
  await page.getByRole('button', { name: 'Call alpha_wipe as bob' }).click();
  await page.waitForLoadState();
  const pending = await gw.gateway.access.approvals.list({ status: 'pending' });
  assert.equal(pending.length, 1);
  assert.equal(pending[0]?.principal.user, 'bob');
  assert.match((await page.getByRole('status').textContent()) ?? '', new RegExp(pending[0]?.id ?? 'none'));
  await page.context().close();
});

it('offers "try it" only on what the signed-in principal may call, and runs it as them whatever is inspected', async () => {
  const page = await signIn(keys.dave as string);
  await page.goto(`${consoleUrl}/catalog?roles=admin`);
  const pid = page.locator('tr', { hasText: 'alpha_pid' }).first();
  assert.match((await pid.textContent()) ?? '', /not callable by you/);
  assert.equal(await page.getByRole('button', { name: /Call alpha_pid/ }).count(), 0);
  assert.deepEqual(await accessibilityViolations(page), []);
  // A forged form for a tool dave may not call: the pipeline refuses it as dave, and audits that.
  const csrf = await page.locator('input[name="csrf"]').first().inputValue();
  const answer = await page.request.post(`${consoleUrl}/catalog/try`, {
    form: { csrf, tool: 'alpha_pid', args: '{}', roles: 'admin', user: '' },
  });
  assert.equal(answer.status(), 200);
  assert.match(await answer.text(), /alpha_pid, called as dave[\s\S]*Refused or failed \(JSON-RPC -?\d+\)/);
  const records = await audited({ principal: 'dave', target: 'alpha_pid' });
  assert.equal(records.length, 1);
  assert.equal(records[0]?.decision, 'deny');
  await page.context().close();
});

it('refuses an unknown user, an unknown role and bad JSON with a clear page, and calls nothing', async () => {
  const login = await fetch(`${consoleUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams({ key: keys.bob as string }),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const nobody = await fetch(`${consoleUrl}/catalog?user=nobody`, { headers: { cookie } });
  assert.equal(nobody.status, 404);
  const nobodyPage = await nobody.text();
  assert.match(nobodyPage, /no active API key for user &quot;nobody&quot;; pick roles instead\./);
  const ghost = await fetch(`${consoleUrl}/catalog?roles=ops,ghost`, { headers: { cookie } });
  assert.equal(ghost.status, 422);
  assert.match(
    await ghost.text(),
    /The policy has no role &quot;ghost&quot; \(its roles: ops, reviewer, admin\)\./,
  );
  const csrf = /name="csrf" value="([^"]+)"/.exec(nobodyPage)?.[1] ?? '';
  const before = (await audited({ principal: 'bob', target: '*' })).length;
  for (const [args, message] of [
    ['{"message": ', /The arguments are not valid JSON \([^)]*\); nothing was called\./],
    ['["hi"]', /The arguments must be a JSON object \(\{…\}\); nothing was called\./],
  ] as const) {
    const bad = await fetch(`${consoleUrl}/catalog/try`, {
      method: 'POST',
      headers: { cookie },
      body: new URLSearchParams({ csrf, tool: 'alpha_echo', args, user: 'alice', roles: '' }),
    });
    assert.equal(bad.status, 422, args);
    const text = await bad.text();
    assert.match(text, message);
    assert.match(text, /role="alert"/);
  }
  assert.equal((await audited({ principal: 'bob', target: '*' })).length, before, 'nothing was called');
  // Still serving.
  assert.equal((await fetch(`${consoleUrl}/catalog?user=alice`, { headers: { cookie } })).status, 200);
});
