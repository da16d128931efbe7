/**
 * Signing in to the console through OIDC, in headless Chromium against a real provider
 * (node-oidc-provider on loopback, its development login and consent forms): "Sign in with
 * <issuer>" on the sign-in page, the login at the provider, back on the console as that user
 * (the gateway's claim mapping and role map); a user without an approver role is refused on the
 * page; a cancelled login, a forged or replayed state and a forged code are refused, and leave no
 * session. The console is reached at localhost and the provider at 127.0.0.1 — two sites — so the
 * SameSite=Strict session cookie meets the cross-site return it meets in production (a plain
 * redirect after the callback would land signed out; the "Signed in" page's own navigation does
 * not). axe-core on the sign-in page; a screenshot of it (docs/console/).
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { accessibilityViolations, launchChromium, screenshot } from '../../lantern/test/helpers/browser.ts';
import { openAccess } from '../src/access.ts';
import { Gateway } from '../src/gateway.ts';
import { silentLogger } from '../src/observability/logger.ts';
import { listenHttp, type RunningHttp } from '../src/transport/http-server.ts';
import { modelFromYaml, tempStorage } from './helpers/harness.ts';
import { type LoopbackOidcProvider, startOidcProvider } from './helpers/oidc-provider.ts';

const SECRET_ENV = 'GH_TEST_CONSOLE_OIDC_SECRET';
const CLIENT_ID = 'gatehouse-console';

let idp: LoopbackOidcProvider;
let gateway: Gateway;
let http: RunningHttp;
let browser: Browser;
let consoleUrl: string;

/** A free loopback port: the redirect URI is derived from the configured port, so it must be known. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}

before(async () => {
  const port = await freePort();
  // The console at localhost and the provider at 127.0.0.1: two sites, so the provider's redirect
  // back is a cross-site navigation, as with a real issuer (SameSite cookies behave as in production).
  const origin = `http://localhost:${port}`;
  idp = await startOidcProvider({
    resource: `${origin}/mcp`,
    users: {
      carol: { name: 'Carol', preferred_username: 'carol', roles: ['console-approvers'] },
      dave: { name: 'Dave', preferred_username: 'dave', roles: ['staff'] },
    },
  });
  process.env[SECRET_ENV] = 'console-client-secret-for-tests';
  await idp.addClient({
    clientId: CLIENT_ID,
    clientSecret: process.env[SECRET_ENV],
    redirectUri: `${origin}/console/oidc/callback`,
  });
  const yaml = `server: { host: 127.0.0.1, port: ${port}, publicUrl: "${origin}" }
auth:
  apiKeys: true
  oidc:
    issuer: ${idp.issuer}
    claims: { user: preferred_username, roles: roles }
    roleMap: { console-approvers: [admin], staff: [ops] }
    console: { clientId: ${CLIENT_ID}, clientSecretEnv: ${SECRET_ENV}, scopes: [profile, roles] }
approvals:
  approvers: [admin]
storage: { path: ${JSON.stringify(tempStorage())} }
`;
  const model = modelFromYaml(yaml);
  const log = silentLogger();
  gateway = new Gateway(model, log, await openAccess(model, log));
  gateway.start();
  http = await listenHttp(gateway, model.server, log);
  consoleUrl = `${origin}/console`;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await http?.close();
  await gateway?.stop();
  await idp?.close();
});

async function freshPage(): Promise<Page> {
  // bypassCSP only so that axe-core can be injected; the pages run under their CSP otherwise.
  const context = await browser.newContext({ viewport: { width: 1000, height: 760 }, bypassCSP: true });
  return context.newPage();
}

/** From the console's sign-in page through the provider's login, up to its consent form. */
async function loginAtProvider(page: Page, user: string): Promise<void> {
  await page.goto(`${consoleUrl}/approvals`);
  await page.getByRole('link', { name: `Sign in with ${idp.issuer}` }).click();
  await page.waitForURL(`${idp.issuer}/**`);
  await page.getByPlaceholder('Enter any login').fill(user);
  await page.getByPlaceholder('and password').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).waitFor();
}

async function alertText(page: Page): Promise<string> {
  return (await page.getByRole('alert').textContent())?.trim() ?? '';
}

async function loginRecords(user: string) {
  return (await gateway.access.audit?.query({ method: 'console/login', principal: user })) ?? [];
}

it('shows "Sign in with <issuer>" next to the API-key form, and the page passes axe', async () => {
  const page = await freshPage();
  await page.goto(`${consoleUrl}/login`);
  const link = page.getByRole('link', { name: `Sign in with ${idp.issuer}` });
  assert.equal(await link.getAttribute('href'), '/console/oidc/start?next=%2Fconsole%2Fapprovals');
  assert.ok(await page.getByLabel('API key').isVisible());
  assert.deepEqual(await accessibilityViolations(page), []);
  await screenshot(page, 'console-login-oidc');
  await page.context().close();
});

it('signs an approver in through the provider, as the user its claims and role map name', async () => {
  const page = await freshPage();
  await loginAtProvider(page, 'carol');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${consoleUrl}/approvals`);
  assert.equal((await page.locator('.who').textContent())?.trim(), 'carol · admin');
  const [record] = await loginRecords('carol');
  assert.equal(record?.status, 'ok');
  assert.equal(record?.principal?.id, `oidc:${idp.issuer}#carol`);
  assert.equal(record?.principal?.via, 'oidc');
  // The session is a real one: a page behind sign-in opens, and signing out ends it.
  await page.goto(`${consoleUrl}/keys`);
  assert.match(page.url(), /\/console\/keys$/);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/console\/login$/);
  await page.context().close();
});

it('refuses a user without an approver role on the sign-in page, audited, with no session', async () => {
  const page = await freshPage();
  await loginAtProvider(page, 'dave');
  const callback = page.waitForResponse((r) => r.url().startsWith(`${consoleUrl}/oidc/callback`));
  await page.getByRole('button', { name: 'Continue' }).click();
  assert.equal((await callback).status(), 403);
  assert.equal(await alertText(page), `The console is for the roles [admin]; ${idp.issuer} gives you [ops].`);
  const [record] = await loginRecords('dave');
  assert.equal(record?.status, 'denied');
  assert.equal(record?.errorMessage, `The console is for the roles [admin]; ${idp.issuer} gives you [ops].`);
  await page.goto(`${consoleUrl}/approvals`);
  assert.match(page.url(), /\/console\/login\?next=/);
  await page.context().close();
});

it('refuses a login cancelled at the provider', async () => {
  const page = await freshPage();
  await loginAtProvider(page, 'carol');
  const callback = page.waitForResponse((r) => r.url().startsWith(`${consoleUrl}/oidc/callback`));
  await page.getByRole('link', { name: '[ Cancel ]' }).click();
  assert.equal((await callback).status(), 401);
  assert.equal(await alertText(page), `${idp.issuer} did not sign you in (access_denied).`);
  await page.context().close();
});

/** Starts a sign-in at the console and returns the `state` it sent the browser to the provider with. */
async function startedState(page: Page): Promise<string> {
  await page.goto(`${consoleUrl}/login`);
  const started = page.waitForResponse((r) => r.url().startsWith(`${consoleUrl}/oidc/start`));
  await page.getByRole('link', { name: `Sign in with ${idp.issuer}` }).click();
  const location = (await started).headers().location ?? '';
  const state = new URL(location).searchParams.get('state');
  assert.ok(state, location);
  return state;
}

const NOT_STARTED = 'This sign-in was not started in this browser, or it has expired; sign in again.';

it('refuses a forged state, and the sign-in it was aimed at cannot be finished afterwards', async () => {
  const page = await freshPage();
  const state = await startedState(page);
  const forged = await page.goto(`${consoleUrl}/oidc/callback?code=abc&state=forged-state`);
  assert.equal(forged?.status(), 400);
  assert.equal(await alertText(page), NOT_STARTED);
  const late = await page.goto(`${consoleUrl}/oidc/callback?code=abc&state=${state}`);
  assert.equal(late?.status(), 400);
  assert.equal(await alertText(page), NOT_STARTED);
  await page.goto(`${consoleUrl}/approvals`);
  assert.match(page.url(), /\/console\/login\?next=/);
  await page.context().close();
});

it("refuses another browser's callback, a forged code, and a replayed callback", async () => {
  const page = await freshPage();
  const state = await startedState(page);
  const elsewhere = await freshPage();
  const stolen = await elsewhere.goto(`${consoleUrl}/oidc/callback?code=abc&state=${state}`);
  assert.equal(stolen?.status(), 400);
  await elsewhere.context().close();
  const forged = await page.goto(`${consoleUrl}/oidc/callback?code=not-a-code&state=${state}`);
  assert.equal(forged?.status(), 401);
  assert.equal(await alertText(page), `${idp.issuer} did not accept the sign-in's code.`);
  await page.goto(`${consoleUrl}/approvals`);
  assert.match(page.url(), /\/console\/login\?next=/);
  // A real callback, once used, is not accepted again.
  const callbacks: string[] = [];
  page.on('request', (request) => {
    if (request.url().startsWith(`${consoleUrl}/oidc/callback`)) callbacks.push(request.url());
  });
  await loginAtProvider(page, 'carol');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${consoleUrl}/approvals`);
  assert.equal(callbacks.length, 1);
  const replay = await page.goto(callbacks[0] as string);
  assert.equal(replay?.status(), 400);
  assert.equal(await alertText(page), NOT_STARTED);
  await page.context().close();
});
