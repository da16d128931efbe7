/**
 * OIDC bearer tokens through the gateway's HTTP front door: a real OIDC provider on loopback
 * issues client_credentials JWTs for the gateway's resource URL; the gateway challenges callers
 * without one (RFC 6750 / RFC 9728), serves its protected-resource metadata, maps token claims to
 * a principal whose roles decide which tools it sees, refuses tokens for another audience, without
 * the required scope or signed by a key the provider does not publish, and audits the principal.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/client';
import { SignJWT } from 'jose';
import type { SqliteAuditStore } from '../src/audit/sqlite-store.ts';
import { openCommittedAudit } from './helpers/audit-reader.ts';
import {
  connectClient,
  fixtureUpstreamYaml,
  startGateway,
  type TestGateway,
  tempStorage,
  textOf,
  waitFor,
} from './helpers/harness.ts';
import { type LoopbackOidcProvider, startOidcProvider } from './helpers/oidc-provider.ts';

/** Only names the token audience and the resource URL; the gateway itself listens elsewhere. */
const PUBLIC_URL = 'http://127.0.0.1:1/mcp';
const METADATA_PATH = '/.well-known/oauth-protected-resource/mcp';
const ALPHA_TOOLS = ['alpha_add_tool', 'alpha_ask', 'alpha_echo', 'alpha_pid', 'alpha_slow_progress'];

function gatewayYaml(issuer: string, storage: string): string {
  return `server:
  publicUrl: ${JSON.stringify(PUBLIC_URL)}
upstreams:
${fixtureUpstreamYaml('alpha')}
${fixtureUpstreamYaml('beta')}
auth:
  apiKeys: false
  oidc:
    issuer: ${JSON.stringify(issuer)}
    requiredScopes: [mcp]
    claims: { user: preferred_username, org: org, roles: groups }
    roleMap:
      mcp-agents: [agent]
policy:
  groups:
    alpha-tools:
      allow: [{ tools: ["alpha_*"] }]
  roles:
    agent: { groups: [alpha-tools] }
storage: { path: ${JSON.stringify(storage)} }
`;
}

function decodePart(token: string, index: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[index] ?? '', 'base64url').toString('utf8'));
}

describe('OIDC bearer tokens through the gateway front door', () => {
  let idp: LoopbackOidcProvider;
  let gw: TestGateway;
  let storage: string;
  /** Where the gateway really listens (gw.url is the publicUrl, which nothing serves). */
  let mcpUrl: string;

  before(async () => {
    idp = await startOidcProvider({
      resource: PUBLIC_URL,
      scopes: ['mcp', 'reports'],
      claims: {
        preferred_username: 'agent@acme.example',
        org: 'acme',
        groups: ['mcp-agents', 'not-mapped'],
      },
    });
    storage = tempStorage();
    gw = await startGateway(gatewayYaml(idp.issuer, storage));
    mcpUrl = `http://127.0.0.1:${gw.http.port}/mcp`;
  });

  after(async () => {
    await gw?.close();
    await idp?.close();
  });

  /**
   * A raw 2025-era `initialize` over fetch, so refusals can be checked on the wire. A session it
   * opens is ended right away; the response body is left for the caller.
   */
  async function initialize(authorization?: string): Promise<Response> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    if (authorization !== undefined) headers.authorization = authorization;
    const response = await fetch(mcpUrl, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-11-25',
          capabilities: {},
          clientInfo: { name: 'raw-fetch', version: '1.0.0' },
        },
      }),
    });
    const sessionId = response.headers.get('mcp-session-id');
    if (sessionId !== null) {
      await fetch(mcpUrl, {
        method: 'DELETE',
        headers: { ...headers, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' },
      }).then((r) => r.body?.cancel());
    }
    return response;
  }

  async function challengeOf(response: Response): Promise<string> {
    await response.body?.cancel();
    return response.headers.get('www-authenticate') ?? '';
  }

  it('answers 401 with a Bearer challenge naming the resource metadata when no token is sent', async () => {
    const response = await initialize();
    assert.equal(response.status, 401);
    const challenge = await challengeOf(response);
    assert.match(challenge, /^Bearer /);
    assert.ok(
      challenge.includes(`resource_metadata="http://127.0.0.1:1${METADATA_PATH}"`),
      `challenge: ${challenge}`,
    );
    assert.doesNotMatch(challenge, /error=/, 'no error code when no credentials were sent (RFC 6750 §3.1)');
  });

  it('serves the protected-resource metadata on its own origin', async () => {
    const response = await fetch(new URL(METADATA_PATH, mcpUrl));
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /application\/json/);
    const metadata = (await response.json()) as Record<string, unknown>;
    assert.equal(metadata.resource, PUBLIC_URL);
    assert.deepEqual(metadata.authorization_servers, [idp.issuer]);
    assert.ok(Array.isArray(metadata.bearer_methods_supported));
    assert.ok(metadata.bearer_methods_supported.includes('header'));
    assert.deepEqual(metadata.scopes_supported, ['mcp']);
  });

  for (const era of ['legacy', 'modern'] as const) {
    it(`lets a valid token see exactly its role's tools, and call one (${era})`, async () => {
      const token = await idp.token({ scope: 'mcp' });
      const payload = decodePart(token, 1);
      assert.equal(payload.aud, PUBLIC_URL);
      assert.equal(payload.iss, idp.issuer);
      let client: Client | undefined;
      try {
        client = await connectClient(mcpUrl, era, undefined, {}, { authorization: `Bearer ${token}` });
        assert.deepEqual((await client.listTools()).tools.map((t) => t.name).sort(), ALPHA_TOOLS);
        const result = await client.callTool({ name: 'alpha_echo', arguments: { message: `hi ${era}` } });
        assert.equal(textOf(result), `alpha: hi ${era}`);
        await assert.rejects(client.callTool({ name: 'beta_echo', arguments: { message: 'x' } }));
      } finally {
        await client?.close();
      }
    });
  }

  it('refuses a token issued for another audience with 401 invalid_token', async () => {
    const token = await idp.token({ resource: 'http://127.0.0.1:2/other-mcp', scope: 'mcp' });
    assert.equal(decodePart(token, 1).aud, 'http://127.0.0.1:2/other-mcp');
    const response = await initialize(`Bearer ${token}`);
    assert.equal(response.status, 401);
    const challenge = await challengeOf(response);
    assert.match(challenge, /^Bearer /);
    assert.match(challenge, /error="invalid_token"/);
    assert.match(challenge, /resource_metadata="[^"]+\/\.well-known\/oauth-protected-resource\/mcp"/);
  });

  it('refuses a token without the required scope with 403 insufficient_scope', async () => {
    const token = await idp.token({ scope: 'reports' });
    assert.equal(decodePart(token, 1).scope, 'reports');
    const response = await initialize(`Bearer ${token}`);
    assert.equal(response.status, 403);
    const challenge = await challengeOf(response);
    assert.match(challenge, /^Bearer /);
    assert.match(challenge, /error="insufficient_scope"/);
    assert.match(challenge, /scope="mcp"/);
  });

  it('refuses a forged token (real claims, a key the provider does not publish) with 401', async () => {
    const real = await idp.token({ scope: 'mcp' });
    const header = decodePart(real, 0);
    assert.equal(typeof header.kid, 'string');
    const forger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const forged = await new SignJWT(decodePart(real, 1))
      .setProtectedHeader({ alg: 'ES256', typ: String(header.typ ?? 'at+jwt'), kid: String(header.kid) })
      .sign(forger);
    const genuine = await initialize(`Bearer ${real}`);
    assert.equal(genuine.status, 200, 'the genuine token is accepted');
    await genuine.body?.cancel();
    const response = await initialize(`Bearer ${forged}`);
    assert.equal(response.status, 401);
    assert.match(await challengeOf(response), /error="invalid_token"/);
  });

  it('records the OIDC principal in the audit log', async () => {
    const authorization = `Bearer ${await idp.token({ scope: 'mcp' })}`;
    const client = await connectClient(mcpUrl, 'legacy', undefined, {}, { authorization });
    try {
      await client.callTool({ name: 'alpha_echo', arguments: { message: 'audited' } });
    } finally {
      await client.close();
    }
    const expectedId = `oidc:${idp.issuer}#${idp.clientId}`;
    const store = await openCommittedAudit(storage);
    try {
      let calls: Awaited<ReturnType<SqliteAuditStore['query']>> = [];
      await waitFor(
        async () => {
          calls = (await store.query({ method: 'tools/call', limit: 1000 })).filter(
            (r) => r.principal?.via === 'oidc' && r.target === 'alpha_echo',
          );
          return calls.length > 0;
        },
        10_000,
        'an audited OIDC tools/call',
      );
      const record = calls.find((r) => r.status === 'ok');
      assert.ok(record, 'an allowed call is audited');
      assert.ok(record.principal?.id.startsWith('oidc:'));
      assert.deepEqual(
        { ...record.principal },
        { id: expectedId, user: 'agent@acme.example', org: 'acme', roles: ['agent'], via: 'oidc' },
      );
      assert.equal(record.transport, 'http');
      assert.equal(record.decision, 'allow');
      const byId = await store.query({ principal: expectedId, limit: 1000 });
      assert.ok(byId.length >= calls.length, 'the principal id is queryable');
    } finally {
      await store.close();
    }
  });
});
