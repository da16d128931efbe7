/**
 * The console's OIDC callback over plain HTTP, against a scripted issuer (discovery, JWKS and a
 * token endpoint whose ID token each test chooses): an ID token with another nonce, for another
 * client, signed by a key the issuer does not publish, or expired is refused on the sign-in page
 * (401) with nothing signed in; the client secret is sent as HTTP Basic; an issuer that cannot be
 * reached and a client secret whose variable is unset are refused on the page, and the gateway
 * keeps serving. The sign-in through a real provider is in console-oidc.test.ts.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type JWK, type JWTPayload, SignJWT } from 'jose';
import { startGateway, type TestGateway } from './helpers/harness.ts';

const CLIENT_ID = 'gatehouse-console';
const SECRET_ENV = 'GH_TEST_CONSOLE_TOKENS_SECRET';
const SECRET = 'a-secret-for-the-console-client';

function ecKey(kid: string): { jwk: JWK; privateKey: ReturnType<typeof generateKeyPairSync>['privateKey'] } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' }, privateKey };
}

const published = ecKey('published');
const stranger = ecKey('published'); // same kid, another key: the signature cannot verify

/** What the scripted token endpoint answers with; set per test. */
let mint: (nonce: string) => Promise<string> = async () => '';
let lastAuthorization: string | undefined;
let issuer: string;
let idp: Server;
const nonces = new Map<string, string>(); // code → nonce (the code is the state here)

function sign(payload: JWTPayload, key = published): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', kid: 'published' })
    .setIssuedAt()
    .sign(key.privateKey);
}

function valid(nonce: string, overrides: JWTPayload = {}): JWTPayload {
  return {
    iss: issuer,
    aud: CLIENT_ID,
    sub: 'u-1',
    preferred_username: 'erin',
    roles: ['approvers'],
    nonce,
    exp: Math.floor(Date.now() / 1000) + 300,
    ...overrides,
  };
}

before(async () => {
  idp = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    res.setHeader('connection', 'close');
    if (url.pathname === '/.well-known/openid-configuration') {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['ES256'],
          code_challenge_methods_supported: ['S256'],
        }),
      );
    } else if (url.pathname === '/jwks') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [published.jwk] }));
    } else if (url.pathname === '/token' && req.method === 'POST') {
      let body = '';
      for await (const chunk of req) body += chunk;
      lastAuthorization = req.headers.authorization;
      const code = new URLSearchParams(body).get('code') ?? '';
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          access_token: 'opaque',
          token_type: 'Bearer',
          id_token: await mint(nonces.get(code) ?? ''),
        }),
      );
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve) => idp.close(() => resolve()));
});

function yamlFor(issuerUrl: string, secretEnv: string): string {
  return `auth:
  apiKeys: true
  oidc:
    issuer: ${issuerUrl}
    claims: { user: preferred_username, roles: roles }
    roleMap: { approvers: [admin] }
    console: { clientId: ${CLIENT_ID}, clientSecretEnv: ${secretEnv} }
approvals:
  approvers: [admin]
`;
}

/** Starts a sign-in as a browser would, and comes back to the callback with a code. */
async function signIn(gw: TestGateway): Promise<Response> {
  const start = await fetch(new URL('/console/oidc/start', gw.url), { redirect: 'manual' });
  assert.equal(start.status, 303);
  const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  assert.match(cookie, /^gatehouse_console_oidc=/);
  const authorize = new URL(start.headers.get('location') ?? '');
  assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
  const state = authorize.searchParams.get('state') ?? '';
  nonces.set(state, authorize.searchParams.get('nonce') ?? '');
  return fetch(new URL(`/console/oidc/callback?code=${state}&state=${state}`, gw.url), {
    headers: { cookie },
    redirect: 'manual',
  });
}

function alertOf(html: string): string {
  return (/<div class="alert" role="alert">([^<]*)<\/div>/.exec(html)?.[1] ?? '')
    .replaceAll('&#39;', "'")
    .replaceAll('&quot;', '"');
}

describe('the console OIDC callback', () => {
  let gw: TestGateway;
  before(async () => {
    process.env[SECRET_ENV] = SECRET;
    gw = await startGateway(yamlFor(issuer, SECRET_ENV));
  });
  after(async () => {
    await gw?.close();
  });

  it('signs in with a valid ID token, authenticating the client with its secret', async () => {
    mint = (nonce) => sign(valid(nonce));
    const response = await signIn(gw);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /Signed in as erin/);
    assert.match(
      response.headers.get('set-cookie') ?? '',
      /gatehouse_console=[^;]+;.*HttpOnly.*SameSite=Strict/i,
    );
    assert.equal(lastAuthorization, `Basic ${Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64')}`);
  });

  const refusals: [string, (nonce: string) => Promise<string>, string][] = [
    ['another nonce', (_nonce) => sign(valid('not-the-nonce')), 'The token was not issued for this sign-in'],
    [
      'another client',
      (nonce) => sign(valid(nonce, { aud: 'someone-else' })),
      'The token was not issued for this resource',
    ],
    [
      'a key the issuer does not publish',
      (nonce) => sign(valid(nonce), stranger),
      'The token signature is invalid',
    ],
    [
      'an expired token',
      (nonce) => sign(valid(nonce, { exp: Math.floor(Date.now() / 1000) - 600 })),
      'The token has expired',
    ],
    [
      'another issuer',
      (nonce) => sign(valid(nonce, { iss: 'https://evil.example' })),
      'The token was not issued by a trusted issuer',
    ],
    ['no ID token at all', async () => '', 'sent no ID token (the "openid" scope is needed)'],
  ];
  for (const [what, minted, reason] of refusals) {
    it(`refuses an ID token with ${what}, on the sign-in page, signing no one in`, async () => {
      mint = minted;
      const response = await signIn(gw);
      assert.equal(response.status, 401);
      assert.equal(response.headers.get('set-cookie')?.includes('gatehouse_console='), false);
      const alert = alertOf(await response.text());
      assert.ok(alert.includes(reason), alert);
      assert.ok(alert.includes(issuer), alert);
    });
  }
});

describe('the console OIDC sign-in, when it cannot work', () => {
  it('refuses to start when the issuer cannot be reached, and keeps serving', async () => {
    const gw = await startGateway(yamlFor('http://127.0.0.1:9', SECRET_ENV));
    try {
      const start = await fetch(new URL('/console/oidc/start', gw.url), { redirect: 'manual' });
      assert.equal(start.status, 502);
      assert.equal(
        alertOf(await start.text()),
        'http://127.0.0.1:9 cannot be reached just now; try again, or sign in with an API key.',
      );
      const login = await fetch(new URL('/console/login', gw.url));
      assert.equal(login.status, 200);
    } finally {
      await gw.close();
    }
  });

  it('refuses to start when the client secret variable is unset, naming the variable (not a value)', async () => {
    const gw = await startGateway(yamlFor(issuer, 'GH_TEST_CONSOLE_UNSET_SECRET'));
    try {
      const start = await fetch(new URL('/console/oidc/start', gw.url), { redirect: 'manual' });
      assert.equal(start.status, 503);
      assert.equal(
        alertOf(await start.text()),
        `Signing in through ${issuer} is not set up: the environment variable GH_TEST_CONSOLE_UNSET_SECRET (the client secret) is not set.`,
      );
    } finally {
      await gw.close();
    }
  });

  it('answers 404 for the OIDC routes when no console client is configured', async () => {
    const gw = await startGateway('auth:\n  apiKeys: true\n');
    try {
      const start = await fetch(new URL('/console/oidc/start', gw.url), { redirect: 'manual' });
      assert.equal(start.status, 404);
      const login = await (await fetch(new URL('/console/login', gw.url))).text();
      assert.doesNotMatch(login, /Sign in with/);
    } finally {
      await gw.close();
    }
  });
});
