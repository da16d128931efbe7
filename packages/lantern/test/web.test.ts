/**
 * The web UI over HTTP, as a browser would use it (cookies and forms by hand): sign-in, CSRF,
 * roles in the pages, escaping of what users typed, sign-out. The pages in a real browser (and
 * their accessibility) are in web-browser.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { sqliteDatabases } from './helpers/backends.ts';
import {
  ALICE,
  BOB,
  CAROL,
  DAVE,
  startTestLantern,
  TEST_PASSWORD,
  type TestLantern,
} from './helpers/lantern.ts';

const databases = sqliteDatabases();
let t: TestLantern;
before(async () => {
  t = await startTestLantern(await databases.fresh());
});
after(async () => {
  await t?.close();
  await databases.cleanup();
});

interface Browser {
  get(path: string): Promise<{ status: number; text: string; location: string | null; headers: Headers }>;
  post(
    path: string,
    form: Record<string, string>,
  ): Promise<{ status: number; text: string; location: string | null }>;
  csrf(): Promise<string>;
}

function browser(): Browser {
  let cookie = '';
  async function send(path: string, init: RequestInit = {}) {
    const response = await fetch(`${t.url}${path}`, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    });
    const set = response.headers.get('set-cookie');
    if (set !== null) cookie = set.split(';')[0] ?? '';
    return {
      status: response.status,
      text: await response.text(),
      location: response.headers.get('location'),
      headers: response.headers,
    };
  }
  const b: Browser = {
    get: (path) => send(path),
    post: (path, form) =>
      send(path, {
        method: 'POST',
        body: new URLSearchParams(form).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    async csrf() {
      const page = await send('/');
      return /name="csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    },
  };
  return b;
}

async function signedIn(email: string): Promise<Browser> {
  const b = browser();
  const login = await b.post('/login', { email, password: TEST_PASSWORD, next: '/' });
  assert.equal(login.status, 303, login.text);
  return b;
}

it('sends a signed-out browser to the login page, and back where it was after sign-in', async () => {
  const b = browser();
  const page = await b.get('/incidents/INC-1');
  assert.equal(page.status, 303);
  assert.equal(page.location, '/login?next=%2Fincidents%2FINC-1');
  const login = await b.post('/login', { email: BOB, password: TEST_PASSWORD, next: '/incidents/INC-1' });
  assert.equal(login.location, '/incidents/INC-1');
  assert.match((await b.get('/incidents/INC-1')).text, /INC-1: Card authorisations timing out/);
});

it('refuses a wrong password with one message, and never redirects off-site after sign-in', async () => {
  const b = browser();
  const wrong = await b.post('/login', { email: BOB, password: 'nope' });
  assert.equal(wrong.status, 401);
  assert.match(wrong.text, /role="alert">the email or the password is wrong/);
  const unknown = await b.post('/login', { email: 'nobody@example.com', password: 'nope' });
  assert.match(unknown.text, /the email or the password is wrong/);
  for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
    const login = await b.post('/login', { email: BOB, password: TEST_PASSWORD, next });
    assert.equal(login.location, '/', `next=${next}`);
  }
});

it("refuses a form without the session's CSRF token, and changes nothing", async () => {
  const b = await signedIn(BOB);
  const before = (await b.get('/')).text.match(/<tr>/g)?.length;
  const forged = await b.post('/incidents', {
    title: 'Forged',
    service: 'search-api',
    severity: 'sev4',
    csrf: 'x',
  });
  assert.equal(forged.status, 403);
  assert.equal((await b.get('/')).text.match(/<tr>/g)?.length, before);
});

it('opens, notes and resolves an incident through the forms, escaping what was typed', async () => {
  const b = await signedIn(BOB);
  const csrf = await b.csrf();
  const opened = await b.post('/incidents', {
    csrf,
    title: '<script>alert(1)</script> cart totals wrong',
    service: 'checkout-api',
    severity: 'sev2',
    summary: 'Totals off by tax',
  });
  assert.equal(opened.status, 303);
  const ref = opened.location?.split('/').at(-1) ?? '';
  assert.equal(
    (await b.post(`/incidents/${ref}/notes`, { csrf, body: 'Tax table reloaded & fixed' })).status,
    303,
  );
  assert.equal((await b.post(`/incidents/${ref}/status`, { csrf, status: 'resolved' })).status, 303);
  const page = await b.get(`/incidents/${ref}`);
  assert.doesNotMatch(page.text, /<script>alert/);
  assert.match(page.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt; cart totals wrong/);
  assert.match(page.text, /Tax table reloaded &amp; fixed/);
  assert.match(page.text, /badge resolved/);
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  const again = await b.post(`/incidents/${ref}/status`, { csrf, status: 'acknowledged' });
  assert.equal(again.status, 409);
  assert.match(again.text, /role="alert">an incident that is resolved cannot become acknowledged/);
});

it('shows a viewer no forms and refuses their posts; asks an admin before deleting', async () => {
  const viewer = await signedIn(CAROL);
  const list = await viewer.get('/');
  assert.doesNotMatch(list.text, /Open an incident/);
  const refused = await viewer.post('/incidents', {
    csrf: await viewer.csrf(),
    title: 'Nope',
    service: 'search-api',
    severity: 'sev4',
  });
  assert.equal(refused.status, 403);
  assert.match(refused.text, /viewer.*incidents:write/);
  const admin = await signedIn(ALICE);
  const csrf = await admin.csrf();
  const ask = await admin.post('/incidents/INC-2/delete', { csrf });
  assert.equal(ask.status, 200);
  assert.match(ask.text, /Delete INC-2\?/);
  assert.equal((await admin.get('/incidents/INC-2')).status, 200, 'asking deletes nothing');
  assert.equal((await admin.post('/incidents/INC-2/delete', { csrf, confirm: 'yes' })).status, 303);
  assert.equal((await admin.get('/incidents/INC-2')).status, 404);
});

it('keeps each org to its own incidents in the pages', async () => {
  const dave = await signedIn(DAVE);
  const list = await dave.get('/');
  assert.match(list.text, /CRM portal login loop/);
  assert.doesNotMatch(list.text, /checkout-api/);
  assert.match((await dave.get('/incidents/INC-1')).text, /Invoice PDFs missing line items/);
});

it('issues a token once on the tokens page, and revokes it', async () => {
  const b = await signedIn(CAROL);
  const csrf = await b.csrf();
  const created = await b.post('/tokens', { csrf, label: 'Claude Desktop' });
  assert.equal(created.status, 201);
  const token = /<code class="secret">(lnt_[\w-]+)<\/code>/.exec(created.text)?.[1];
  assert.ok(token);
  assert.equal((await t.api('/me', { token })).status, 200);
  const listed = await b.get('/tokens');
  assert.doesNotMatch(listed.text, new RegExp(token));
  const id = /<tr><td>Claude Desktop<\/td>[\s\S]*?action="\/tokens\/(tok_[\w-]+)\/revoke"/.exec(
    listed.text,
  )?.[1];
  assert.ok(id);
  assert.equal((await b.post(`/tokens/${id}/revoke`, { csrf })).status, 303);
  assert.equal((await t.api('/me', { token })).status, 401);
});

it('signs out: the old cookie no longer works', async () => {
  const b = await signedIn(BOB);
  assert.equal((await b.post('/logout', { csrf: await b.csrf() })).status, 303);
  assert.equal((await b.get('/')).status, 303);
});
