/**
 * A real OpenID Connect provider (node-oidc-provider) on a free loopback port, for tests that
 * need genuine access tokens: one confidential client using the client_credentials grant, and
 * RFC 8707 resource indicators so each token is a signed JWT whose `aud` is the requested resource.
 *
 * For browser sign-ins (the authorization code flow): `users` are the accounts (id → claims, put
 * in the ID token for the scopes asked: `profile` → name, preferred_username; `roles` → roles),
 * `addClient` registers a client with its redirect URI once the relying party's address is known,
 * and node-oidc-provider's development interactions are on: a login form (any password; the
 * login is the account id) and a consent form ("Continue", or "[ Cancel ]" → access_denied).
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type AdapterFactory, type AdapterPayload } from 'oidc-provider';

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface OidcProviderOptions {
  /** The resource (and so the audience) a token is for when `token()` names none. */
  resource: string;
  /** Scopes the resource server offers, and the default scope requested. Default: `['mcp']`. */
  scopes?: string[];
  /** Access-token lifetime in seconds. Default: 600. */
  accessTokenTtlSec?: number;
  /** Extra claims added to every access token, e.g. `{ org: 'acme', roles: ['ops'] }`. */
  claims?: Record<string, unknown>;
  /** The client's id (its secret is `<id>-secret`). Default: `svc-agent`. */
  clientId?: string;
  /** Accounts for browser sign-ins: id → claims. Turns on the development login and consent forms. */
  users?: Record<string, Record<string, unknown>>;
}

export interface CodeClient {
  clientId: string;
  /** Absent for a public client (PKCE only). */
  clientSecret?: string;
  redirectUri: string;
}

export interface TokenRequest {
  /** RFC 8707 resource indicator; becomes the token's `aud`. Default: the provider's `resource`. */
  resource?: string;
  /** Space-separated scopes. Default: every configured scope. */
  scope?: string;
}

export interface LoopbackOidcProvider {
  /** `http://127.0.0.1:<port>` — also the `iss` of every token. */
  readonly issuer: string;
  readonly clientId: string;
  /** A client_credentials access token (a JWT), or throws with the provider's error. */
  token(request?: TokenRequest): Promise<string>;
  /** Registers an authorization-code client (PKCE, ES256 ID tokens). */
  addClient(client: CodeClient): Promise<void>;
  close(): Promise<void>;
}

/** In-memory storage for the provider (its built-in dev adapter logs a warning on start). */
function inMemoryAdapter(entries: Map<string, AdapterPayload>): AdapterFactory {
  const key = (model: string, id: string) => `${model}/${id}`;
  return (model) => ({
    async upsert(id: string, payload: AdapterPayload) {
      entries.set(key(model, id), payload);
    },
    async find(id: string) {
      return entries.get(key(model, id));
    },
    async findByUid(uid: string) {
      for (const [k, payload] of entries)
        if (k.startsWith(`${model}/`) && payload.uid === uid) return payload;
      return undefined;
    },
    async findByUserCode() {
      return undefined;
    },
    async consume(id: string) {
      const payload = entries.get(key(model, id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    },
    async destroy(id: string) {
      entries.delete(key(model, id));
    },
    async revokeByGrantId() {},
  });
}

export async function startOidcProvider(options: OidcProviderOptions): Promise<LoopbackOidcProvider> {
  const scopes = options.scopes ?? ['mcp'];
  const ttl = options.accessTokenTtlSec ?? 600;
  const claims = options.claims ?? {};
  const clientId = options.clientId ?? 'svc-agent';
  const clientSecret = `${clientId}-secret`;
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signingKey = {
    ...privateKey.export({ format: 'jwk' }),
    kid: 'loopback-es256',
    alg: 'ES256',
    use: 'sig',
  };

  let handler: NodeHandler | undefined;
  const server = createServer((req, res) => {
    res.setHeader('connection', 'close'); // no pooled sockets left behind when the test ends
    if (handler) handler(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const entries = new Map<string, AdapterPayload>();
  const users = options.users;
  const provider = new Provider(issuer, {
    adapter: inMemoryAdapter(entries),
    jwks: { keys: [signingKey] },
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        id_token_signed_response_alg: 'ES256', // the default (RS256) needs an RSA key
      },
    ],
    ...(users === undefined
      ? {}
      : {
          findAccount: (_ctx: unknown, id: string) => {
            const claims = Object.hasOwn(users, id) ? users[id] : undefined;
            return claims === undefined
              ? undefined
              : { accountId: id, claims: () => ({ sub: id, ...claims }) };
          },
          claims: { openid: ['sub'], profile: ['name', 'preferred_username'], roles: ['roles'] },
          conformIdTokenClaims: false, // the scopes' claims in the ID token, as the console reads them
        }),
    features: {
      devInteractions: { enabled: users !== undefined },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => options.resource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => ({
          scope: scopes.join(' '),
          audience: resource,
          accessTokenFormat: 'jwt',
          accessTokenTTL: ttl,
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
    ttl: {
      ClientCredentials: ttl,
      AccessToken: ttl,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    extraTokenClaims: () => claims,
  });
  handler = provider.callback();

  return {
    issuer,
    clientId,
    async token(request = {}) {
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
        },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          resource: request.resource ?? options.resource,
          scope: request.scope ?? scopes.join(' '),
        }),
      });
      const body = (await response.json()) as { access_token?: unknown; error?: string };
      if (response.status !== 200 || typeof body.access_token !== 'string') {
        throw new Error(`token request failed (${response.status}): ${JSON.stringify(body)}`);
      }
      return body.access_token;
    },
    async addClient(client) {
      const metadata: AdapterPayload = {
        client_id: client.clientId,
        ...(client.clientSecret === undefined
          ? { token_endpoint_auth_method: 'none' }
          : { client_secret: client.clientSecret }),
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: [client.redirectUri],
        id_token_signed_response_alg: 'ES256',
      };
      entries.set(`Client/${client.clientId}`, metadata);
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
