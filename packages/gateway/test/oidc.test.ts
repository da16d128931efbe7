/**
 * OAuth bearer-token authentication: the OIDC verifier against a REAL authorization server
 * (oidc-provider on a loopback port, client_credentials grant, RFC 8707 resource indicators so
 * access tokens are JWTs for the gateway's resource URL), plus self-minted tokens for claim
 * mapping edge cases, and unit tests of the RFC 9728 / RFC 6750 helpers in resource-metadata.ts.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type JWK, type JWTPayload, SignJWT } from 'jose';
import Provider, { type AdapterFactory, type AdapterPayload } from 'oidc-provider';
import {
  KEYS_UNAVAILABLE_DESCRIPTION,
  OidcVerifier,
  type OidcVerifierOptions,
  type VerifyOutcome,
} from '../src/auth/oidc-verifier.ts';
import {
  bearerToken,
  protectedResourceMetadata,
  resourceMetadataPaths,
  resourceMetadataUrl,
  wwwAuthenticate,
} from '../src/auth/resource-metadata.ts';

const GATEWAY_URL = 'http://127.0.0.1:8080/mcp';
const RESOURCE_SCOPES = 'mcp:read mcp:write';

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

function rsaSigningKey(kid: string): JWK {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
}

/** oidc-provider's storage, kept per provider instance (and silent, unlike its dev adapter). */
function memoryAdapter(): AdapterFactory {
  const store = new Map<string, AdapterPayload>();
  return (name) => ({
    upsert: async (id: string, payload: AdapterPayload) => void store.set(`${name}:${id}`, payload),
    find: async (id: string) => store.get(`${name}:${id}`),
    findByUid: async () => undefined,
    findByUserCode: async () => undefined,
    consume: async (id: string) => {
      const payload = store.get(`${name}:${id}`);
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    },
    destroy: async (id: string) => void store.delete(`${name}:${id}`),
    revokeByGrantId: async () => {},
  });
}

const CLIENTS = ['svc-bot', 'short-lived'].map((client_id) => ({
  client_id,
  client_secret: `${client_id}-secret`,
  grant_types: ['client_credentials'],
  redirect_uris: [],
  response_types: [],
}));

/** A real OIDC provider on a loopback port that can be stopped, restarted and re-keyed. */
class LoopbackIdp {
  readonly server: Server = createServer((req, res) => this.handle(req, res));
  readonly hits = new Map<string, number>();
  port = 0;
  issuer = '';
  /** When set, only the RFC 8414 metadata location answers (to exercise the fallback). */
  onlyOAuthMetadata = false;
  private app: NodeHandler | undefined;

  async start(signingKey: JWK, port = 0): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.issuer = `http://127.0.0.1:${this.port}`;
    this.configure(signingKey);
  }

  /** A fresh provider (new keys, empty storage) for the same issuer. */
  configure(signingKey: JWK, issuer = this.issuer): void {
    const provider = new Provider(issuer, {
      adapter: memoryAdapter(),
      jwks: { keys: [signingKey] },
      clients: CLIENTS,
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => GATEWAY_URL,
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx: unknown, resource: string) => ({
            scope: RESOURCE_SCOPES,
            audience: resource,
            accessTokenFormat: 'jwt',
          }),
        },
      },
      ttl: {
        ClientCredentials: (_ctx: unknown, _token: unknown, client: { clientId: string }) =>
          client.clientId === 'short-lived' ? 1 : 600,
      },
      extraTokenClaims: () => ({
        org: 'acme',
        preferred_username: 'bot@acme.example',
        realm_access: { roles: ['mcp-admins', 'viewers', 'unmapped'] },
        'https://gatehouse.dev/groups': 'ops, oncall',
      }),
    });
    this.app = provider.callback();
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  async restart(signingKey: JWK): Promise<void> {
    await this.stop();
    await this.start(signingKey, this.port);
  }

  count(path: string): number {
    return this.hits.get(path) ?? 0;
  }

  async token(options: { client?: string; resource?: string; scope?: string } = {}): Promise<string> {
    const client = options.client ?? 'svc-bot';
    const response = await fetch(`${this.issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${client}:${client}-secret`).toString('base64')}` },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        resource: options.resource ?? GATEWAY_URL,
        scope: options.scope ?? RESOURCE_SCOPES,
      }),
    });
    const body = (await response.json()) as { access_token?: string };
    assert.equal(response.status, 200, JSON.stringify(body));
    assert.ok(body.access_token);
    return body.access_token;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    this.hits.set(path, this.count(path) + 1);
    // No keep-alive: a socket pooled before a restart would otherwise fail the first request after.
    res.setHeader('connection', 'close');
    if (this.onlyOAuthMetadata && path === '/.well-known/openid-configuration') {
      res.writeHead(404).end();
      return;
    }
    if (this.onlyOAuthMetadata && path === '/.well-known/oauth-authorization-server') {
      req.url = '/.well-known/openid-configuration';
    }
    this.app?.(req, res);
  }
}

function decode(token: string): { header: Record<string, unknown>; payload: JWTPayload } {
  const [header = '', payload = ''] = token.split('.');
  const json = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  return { header: json(header), payload: json(payload) };
}

function assertRefused(outcome: VerifyOutcome, status: 401 | 403, description?: RegExp): void {
  assert.equal(outcome.ok, false, 'expected a refusal');
  if (outcome.ok) return;
  assert.equal(outcome.status, status);
  assert.equal(outcome.error, status === 401 ? 'invalid_token' : 'insufficient_scope');
  if (description) assert.match(outcome.description, description);
}

describe('OidcVerifier against a real OIDC provider', () => {
  const idp = new LoopbackIdp();
  const impostor = new LoopbackIdp();
  let signingKey: JWK;
  const verifier = (extra: Partial<OidcVerifierOptions> = {}) =>
    new OidcVerifier({ issuer: idp.issuer, audience: GATEWAY_URL, jwksCooldownMs: 0, ...extra });

  before(async () => {
    signingKey = rsaSigningKey('key-1');
    await idp.start(signingKey);
    await impostor.start(signingKey); // same key, different issuer
  });
  after(async () => {
    await Promise.all([idp.stop(), impostor.stop()]);
  });

  it('accepts a valid token and maps user, org, roles and scopes', async () => {
    const token = await idp.token();
    const outcome = await verifier({
      requiredScopes: ['mcp:read'],
      claims: { user: 'preferred_username', org: 'org', roles: 'realm_access.roles' },
      roleMap: { 'mcp-admins': ['admin', 'operator'], viewers: ['reader'] },
    }).verify(token);
    assert.ok(outcome.ok, JSON.stringify(outcome));
    assert.deepEqual(outcome.principal, {
      id: `oidc:${idp.issuer}#svc-bot`,
      user: 'bot@acme.example',
      org: 'acme',
      roles: ['admin', 'operator', 'reader'],
      via: 'oidc',
      scopes: ['mcp:read', 'mcp:write'],
    });
    assert.equal(outcome.expiresAt, (decode(token).payload.exp ?? 0) * 1000);
    assert.ok(outcome.expiresAt > Date.now());
  });

  it('reads URL-like claim names and comma/space separated roles; user falls back to sub', async () => {
    const outcome = await verifier({
      claims: { user: 'email', roles: 'https://gatehouse.dev/groups' },
    }).verify(await idp.token({ scope: 'mcp:read' }));
    assert.ok(outcome.ok);
    assert.equal(outcome.principal.user, 'svc-bot');
    assert.equal(outcome.principal.org, undefined);
    assert.deepEqual(outcome.principal.roles, ['ops', 'oncall']);
    assert.deepEqual(outcome.principal.scopes, ['mcp:read']);
  });

  it('discovers lazily and once, then serves every token from the cached keys', async () => {
    // The SDK asks for RFC 8414 metadata first and OIDC Discovery second; either may answer.
    const discoveryHits = () =>
      idp.count('/.well-known/oauth-authorization-server') + idp.count('/.well-known/openid-configuration');
    const initial = [discoveryHits(), idp.count('/jwks')];
    const v = verifier();
    assert.deepEqual([discoveryHits(), idp.count('/jwks')], initial);
    for (const token of await Promise.all([idp.token(), idp.token(), idp.token()])) {
      assert.ok((await v.verify(token)).ok);
    }
    const [discoveries = 0, jwks = 0] = initial;
    assert.equal(discoveryHits(), discoveries + 1);
    assert.equal(idp.count('/jwks'), jwks + 1);
  });

  it('refuses discovered metadata whose issuer differs from the configured one, even by a slash', async () => {
    const failures: string[] = [];
    const onError = (error: unknown) =>
      void failures.push(error instanceof Error ? error.message : String(error));
    const slashed = verifier({ issuer: `${idp.issuer}/`, onError });
    assertRefused(await slashed.verify(await idp.token()), 401, /could not be verified/);
    assert.equal(failures.length, 1);
    assert.match(failures[0] ?? '', /discovery failed .* is not the configured issuer/);
  });

  it('uses RFC 8414 metadata when the issuer publishes no OIDC discovery document', async () => {
    idp.onlyOAuthMetadata = true;
    try {
      const initial = idp.count('/.well-known/oauth-authorization-server');
      assert.ok((await verifier().verify(await idp.token())).ok);
      assert.equal(idp.count('/.well-known/oauth-authorization-server'), initial + 1);
    } finally {
      idp.onlyOAuthMetadata = false;
    }
  });

  it('refuses an expired token (and honours the clock tolerance)', async () => {
    const token = await idp.token({ client: 'short-lived' });
    const exp = (decode(token).payload.exp ?? 0) * 1000;
    const later = () => exp + 5000;
    assertRefused(await verifier({ now: later, clockToleranceSec: 0 }).verify(token), 401, /expired/);
    assert.ok((await verifier({ now: later, clockToleranceSec: 30 }).verify(token)).ok);
  });

  it('refuses a forged token: same claims, signed with a key the provider does not publish', async () => {
    const real = decode(await idp.token());
    const forger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const forge = (kid: string) =>
      new SignJWT(real.payload).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid }).sign(forger);
    const v = verifier();
    assertRefused(await v.verify(await forge(String(real.header.kid))), 401, /signature is invalid/);
    assertRefused(await v.verify(await forge('unknown-kid')), 401, /unknown key/);
  });

  it('refuses unsigned, garbage and wrongly-typed tokens with 401', async () => {
    const v = verifier();
    const { payload } = decode(await idp.token());
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;
    assertRefused(await v.verify(unsigned), 401, /algorithm|malformed/);
    assertRefused(await v.verify('not-a-jwt'), 401, /malformed/);
    assertRefused(await verifier({ requiredTokenType: 'application/jwt' }).verify(await idp.token()), 401);
    assert.ok((await verifier({ requiredTokenType: 'at+jwt' }).verify(await idp.token())).ok);
    const empty = await v.verify('  ');
    assert.ok(!empty.ok && empty.error === 'invalid_request' && empty.status === 401);
  });

  it('refuses a token issued for another resource (audience)', async () => {
    const token = await idp.token({ resource: 'http://127.0.0.1:9/other-mcp' });
    assert.equal(decode(token).payload.aud, 'http://127.0.0.1:9/other-mcp');
    assertRefused(await verifier().verify(token), 401, /not issued for this resource/);
  });

  it('refuses a token from another issuer, even one signed with a published key', async () => {
    const token = await impostor.token();
    assert.equal(decode(token).payload.iss, impostor.issuer);
    assertRefused(await verifier().verify(token), 401, /trusted issuer/);
  });

  it('answers 403 insufficient_scope with every required scope', async () => {
    const v = verifier({ requiredScopes: ['mcp:read', 'mcp:write'] });
    const outcome = await v.verify(await idp.token({ scope: 'mcp:read' }));
    assertRefused(outcome, 403, /scope/);
    assert.equal(!outcome.ok && outcome.scope, 'mcp:read mcp:write');
    assert.ok((await v.verify(await idp.token())).ok);
  });

  it('picks up a rotated signing key (new kid, same issuer and port) with the keys it cached', async () => {
    const v = verifier();
    const patient = verifier({ jwksCooldownMs: 60_000 });
    const oldToken = await idp.token();
    assert.ok((await v.verify(oldToken)).ok);
    assert.ok((await patient.verify(oldToken)).ok);
    const jwksFetches = idp.count('/jwks');

    const rotated = rsaSigningKey('key-2');
    await idp.restart(rotated);
    try {
      const newToken = await idp.token();
      assert.equal(decode(newToken).header.kid, 'key-2');
      assert.ok((await v.verify(newToken)).ok, 'the unknown kid triggers a JWKS refetch');
      assert.equal(idp.count('/jwks'), jwksFetches + 1);
      assertRefused(await v.verify(oldToken), 401, /unknown key/); // key-1 is no longer published
      assert.equal(idp.count('/jwks'), jwksFetches + 2);
      // Within the cooldown an unknown kid does not refetch (no hammering the IdP on garbage kids).
      assertRefused(await patient.verify(newToken), 401, /unknown key/);
      assert.equal(idp.count('/jwks'), jwksFetches + 2);
    } finally {
      await idp.restart(signingKey);
    }
  });

  it('answers "could not be verified" while the IdP is unreachable, and recovers', async () => {
    const token = await idp.token();
    const cached = verifier();
    assert.ok((await cached.verify(token)).ok);
    let clock = Date.now();
    const failures: string[] = [];
    const onError = (_error: unknown, context: { stage: string }) => void failures.push(context.stage);
    const discovering = verifier({ now: () => clock, discoveryRetryMs: 10_000, onError });
    const pinned = verifier({ jwksUri: `${idp.issuer}/jwks`, onError });

    await idp.stop();
    try {
      assertRefused(await discovering.verify(token), 401, /could not be verified/);
      assert.equal(KEYS_UNAVAILABLE_DESCRIPTION.includes('could not be verified'), true);
      assertRefused(await pinned.verify(token), 401, /could not be verified/);
      assert.deepEqual(failures, ['discovery', 'jwks']);
      assert.ok((await cached.verify(token)).ok, 'keys already cached keep working');
    } finally {
      await idp.start(signingKey, idp.port);
    }

    assertRefused(await discovering.verify(token), 401, /could not be verified/);
    assert.deepEqual(failures, ['discovery', 'jwks'], 'within the backoff: no new attempt');
    clock += 10_000;
    assert.ok((await discovering.verify(token)).ok, 'retried after the backoff');
    assert.ok((await pinned.verify(token)).ok, 'JWKS refetched once reachable');
  });
});

describe('OidcVerifier claim mapping (self-minted tokens, local JWKS)', () => {
  const issuer = 'https://idp.example.com/realms/acme';
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let jwksServer: Server;
  let v: OidcVerifier;
  const mint = (claims: JWTPayload, exp: number | null = Math.floor(Date.now() / 1000) + 60) => {
    const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'ec-1' }).setIssuer(issuer);
    jwt.setAudience(GATEWAY_URL);
    if (exp !== null) jwt.setExpirationTime(exp);
    return jwt.sign(privateKey);
  };

  before(async () => {
    const jwks = JSON.stringify({
      keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'ec-1', alg: 'ES256' }],
    });
    jwksServer = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(jwks),
    );
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', () => resolve()));
    const { port } = jwksServer.address() as AddressInfo;
    v = new OidcVerifier({
      issuer,
      audience: GATEWAY_URL,
      jwksUri: `http://127.0.0.1:${port}/jwks`,
      claims: { user: 'email', org: 'tenant.id', roles: 'https://example.com/claims.roles' },
      roleMap: { Admins: ['admin'], Readers: ['reader'], Writers: [] },
    });
  });
  after(() => new Promise<void>((resolve) => jwksServer.close(() => resolve())));

  it('maps nested and URL-like claims, scp arrays and the role map', async () => {
    const outcome = await v.verify(
      await mint({
        sub: 'u-1',
        email: 'ana@acme.example',
        tenant: { id: 42 },
        'https://example.com/claims.roles': 'Admins,Readers Writers Others',
        scp: ['files:read', 'files:read', 'files:write'],
      }),
    );
    assert.ok(outcome.ok, JSON.stringify(outcome));
    assert.deepEqual(
      { ...outcome.principal },
      {
        id: `oidc:${issuer}#u-1`,
        user: 'ana@acme.example',
        org: '42',
        roles: ['admin', 'reader'],
        via: 'oidc',
        scopes: ['files:read', 'files:write'],
      },
    );
    assert.ok(Object.isFrozen(outcome.principal));
  });

  it('requires exp and sub, and honours nbf', async () => {
    assertRefused(await v.verify(await mint({ sub: 'u-1' }, null)), 401, /expiry/);
    assertRefused(await v.verify(await mint({})), 401, /subject/);
    const notYet = await mint({ sub: 'u-1', nbf: Math.floor(Date.now() / 1000) + 600 });
    assertRefused(await v.verify(notYet), 401, /not yet valid/);
  });
});

describe('resource metadata helpers', () => {
  it('inserts the well-known path between host and path (RFC 9728 §3.1)', () => {
    assert.equal(
      resourceMetadataUrl('https://gw.example.com/mcp'),
      'https://gw.example.com/.well-known/oauth-protected-resource/mcp',
    );
    assert.equal(
      resourceMetadataUrl('https://GW.example.com:8443/tenant/mcp?x=1'),
      'https://gw.example.com:8443/.well-known/oauth-protected-resource/tenant/mcp?x=1',
    );
    for (const bare of ['https://gw.example.com', 'https://gw.example.com/']) {
      assert.equal(resourceMetadataUrl(bare), 'https://gw.example.com/.well-known/oauth-protected-resource');
      assert.deepEqual(resourceMetadataPaths(bare), ['/.well-known/oauth-protected-resource']);
    }
    assert.deepEqual(resourceMetadataPaths('http://127.0.0.1:8080/mcp'), [
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-protected-resource',
    ]);
    assert.throws(() => resourceMetadataUrl('https://gw.example.com/mcp#frag'), /fragment/);
    assert.throws(() => resourceMetadataUrl('/mcp'), /absolute/);
    assert.throws(() => resourceMetadataUrl('ftp://gw.example.com/mcp'), /http/);
  });

  it('builds the protected resource metadata document', () => {
    assert.deepEqual(
      protectedResourceMetadata({
        resource: 'https://gw.example.com/mcp',
        authorizationServers: ['https://idp.example.com'],
        scopesSupported: ['mcp'],
        resourceName: 'Gatehouse',
        documentationUrl: 'https://gw.example.com/docs',
      }),
      {
        resource: 'https://gw.example.com/mcp',
        authorization_servers: ['https://idp.example.com'],
        bearer_methods_supported: ['header'],
        scopes_supported: ['mcp'],
        resource_name: 'Gatehouse',
        resource_documentation: 'https://gw.example.com/docs',
      },
    );
    assert.deepEqual(
      Object.keys(
        protectedResourceMetadata({ resource: 'https://gw', authorizationServers: ['https://idp'] }),
      ),
      ['resource', 'authorization_servers', 'bearer_methods_supported'],
    );
    assert.throws(() => protectedResourceMetadata({ resource: 'https://gw', authorizationServers: [] }));
  });

  it('quotes and escapes WWW-Authenticate parameters', () => {
    const resourceMetadataUrl = 'https://gw.example.com/.well-known/oauth-protected-resource/mcp';
    assert.equal(
      wwwAuthenticate({ resourceMetadataUrl }),
      `Bearer resource_metadata="${resourceMetadataUrl}"`,
    );
    assert.equal(
      wwwAuthenticate({ resourceMetadataUrl, scope: ['files:read', 'files:write'] }),
      `Bearer scope="files:read files:write", resource_metadata="${resourceMetadataUrl}"`,
    );
    const header = wwwAuthenticate({
      resourceMetadataUrl,
      error: 'insufficient_scope',
      description: 'needs "write" \\ more\r\nX-Injected: 1 — ünïcode',
      scope: 'files:write  admin',
    });
    assert.equal(
      header,
      'Bearer error="insufficient_scope", ' +
        'error_description="needs \\"write\\" \\\\ more  X-Injected: 1 ? ?n?code", ' +
        `scope="files:write admin", resource_metadata="${resourceMetadataUrl}"`,
    );
    assert.doesNotMatch(header, /[\r\n]/);
    assert.throws(() => wwwAuthenticate({ resourceMetadataUrl, scope: ['bad"scope'] }), /scope/);
    assert.throws(() => wwwAuthenticate({ resourceMetadataUrl, scope: ['back\\slash'] }), /scope/);
  });

  it('parses bearer credentials', () => {
    const ok = (token: string) => ({ ok: true, token });
    const missing = { ok: false, reason: 'missing' };
    const malformed = { ok: false, reason: 'malformed' };
    const cases: [string | null, object][] = [
      [null, missing],
      ['', missing],
      ['   ', missing],
      ['Basic dXNlcjpwYXNz', missing],
      ['Bearerabc', missing],
      ['Bearer abc.DEF-_~+/==', ok('abc.DEF-_~+/==')],
      ['bearer abc', ok('abc')],
      ['BEARER    abc  ', ok('abc')],
      ['Bearer', malformed],
      ['Bearer ', malformed],
      ['Bearer a b', malformed],
      ['Bearer "abc"', malformed],
      ['Bearer ab=c', malformed],
      ['Bearer a,b', malformed],
      ['Bearer a, Bearer b', malformed],
      ['Basic dXNlcjpwYXNz, Bearer abc', malformed],
      ['Bear@r abc', malformed],
    ];
    for (const [header, expected] of cases) assert.deepEqual(bearerToken(header), expected, String(header));
  });
});
