/**
 * The resource-server side of MCP authorization on the wire, as pure helpers (no I/O):
 *
 * - `protectedResourceMetadata()` — the RFC 9728 document the HTTP server serves (JSON) so that
 *   clients can find the authorization server(s) that issue tokens for this gateway;
 * - `resourceMetadataUrl()` / `resourceMetadataPaths()` — where that document lives: RFC 9728 §3.1
 *   inserts `/.well-known/oauth-protected-resource` between the host and the path of the
 *   resource URL; the HTTP server answers that path and, for clients that fall back to it, the
 *   root well-known path too;
 * - `wwwAuthenticate()` — the `WWW-Authenticate: Bearer …` challenge for 401 and 403 answers
 *   (RFC 6750 §3, RFC 9728 §5.1): `resource_metadata` always, plus `error`,
 *   `error_description` and `scope` when given, each a correctly escaped quoted-string;
 * - `bearerToken()` — the access token from an `Authorization` header, or why there is none.
 *
 * Typical use by the HTTP front: `bearerToken(req.headers.get('authorization'))`; when missing,
 * answer 401 with `wwwAuthenticate({ resourceMetadataUrl, scope })`; when malformed, 400 with
 * `error: 'invalid_request'`; otherwise verify (oidc-verifier.ts) and on failure answer the
 * outcome's status with `wwwAuthenticate({ resourceMetadataUrl, error, description, scope })`.
 */

/** The RFC 9728 well-known path segment. */
export const PROTECTED_RESOURCE_WELL_KNOWN = '/.well-known/oauth-protected-resource';

export interface ProtectedResourceMetadataInput {
  /** The gateway's canonical resource URL (the MCP endpoint), e.g. `https://gw.example.com/mcp`. */
  resource: string;
  /** Issuer URLs of the authorization servers whose tokens the gateway accepts (at least one). */
  authorizationServers: readonly string[];
  scopesSupported?: readonly string[];
  resourceName?: string;
  documentationUrl?: string;
}

/** The RFC 9728 §2 document (only the fields the gateway publishes). */
export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  bearer_methods_supported: ['header'];
  scopes_supported?: string[];
  resource_name?: string;
  resource_documentation?: string;
}

export function protectedResourceMetadata(input: ProtectedResourceMetadataInput): ProtectedResourceMetadata {
  if (input.authorizationServers.length === 0) {
    throw new TypeError('protected resource metadata needs at least one authorization server');
  }
  const metadata: ProtectedResourceMetadata = {
    resource: input.resource,
    authorization_servers: [...input.authorizationServers],
    bearer_methods_supported: ['header'],
  };
  if (input.scopesSupported !== undefined) metadata.scopes_supported = [...input.scopesSupported];
  if (input.resourceName !== undefined) metadata.resource_name = input.resourceName;
  if (input.documentationUrl !== undefined) metadata.resource_documentation = input.documentationUrl;
  return metadata;
}

function parseResourceUrl(resourceUrl: string): URL {
  let url: URL;
  try {
    url = new URL(resourceUrl);
  } catch {
    throw new TypeError(`resource URL is not an absolute URL: ${resourceUrl}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`resource URL must be http(s): ${resourceUrl}`);
  }
  if (url.hash !== '' || resourceUrl.includes('#')) {
    throw new TypeError(`resource URL must not have a fragment: ${resourceUrl}`);
  }
  return url;
}

/** The resource's path with the terminating slash of a bare host removed ("/" → ""). */
function resourcePath(url: URL): string {
  return url.pathname === '/' ? '' : url.pathname;
}

/**
 * The metadata URL for a resource (RFC 9728 §3.1): `https://gw.example.com/mcp` →
 * `https://gw.example.com/.well-known/oauth-protected-resource/mcp`; a query stays at the end.
 */
export function resourceMetadataUrl(resourceUrl: string): string {
  const url = parseResourceUrl(resourceUrl);
  return `${url.origin}${PROTECTED_RESOURCE_WELL_KNOWN}${resourcePath(url)}${url.search}`;
}

/**
 * The request paths the HTTP server should answer with the metadata document: the path-inserted
 * one first, then the root well-known path (once, when the resource is the bare host).
 */
export function resourceMetadataPaths(resourceUrl: string): string[] {
  const inserted = `${PROTECTED_RESOURCE_WELL_KNOWN}${resourcePath(parseResourceUrl(resourceUrl))}`;
  return inserted === PROTECTED_RESOURCE_WELL_KNOWN ? [inserted] : [inserted, PROTECTED_RESOURCE_WELL_KNOWN];
}

export type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

export interface ChallengeInput {
  /** Absolute URL of the protected resource metadata (see `resourceMetadataUrl`). */
  resourceMetadataUrl: string;
  error?: BearerErrorCode;
  /** Human-readable, for developers; reduced to printable ASCII. */
  description?: string;
  /** Scopes needed (space-separated string or list); each must be a valid RFC 6749 scope token. */
  scope?: string | readonly string[];
}

/** RFC 6749 §3.3 scope-token: NQCHAR = %x21 / %x23-5B / %x5D-7E. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** A quoted-string (RFC 9110 §5.6.4): `"` and `\` backslash-escaped. */
function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** Printable ASCII only: controls (CR/LF included) become spaces, anything else `?`. */
function printableAscii(value: string): string {
  return value.replace(/[^\x20-\x7E]/gu, (c) => (c.charCodeAt(0) < 0x20 || c === '\x7F' ? ' ' : '?'));
}

function scopeList(scope: string | readonly string[]): string[] {
  const tokens = typeof scope === 'string' ? scope.split(' ').filter((s) => s !== '') : [...scope];
  for (const token of tokens) {
    if (!SCOPE_TOKEN.test(token)) throw new TypeError(`invalid scope token: ${JSON.stringify(token)}`);
  }
  return tokens;
}

/**
 * The `WWW-Authenticate` value, e.g.
 * `Bearer error="insufficient_scope", error_description="…", scope="a b", resource_metadata="https://…"`.
 */
export function wwwAuthenticate(input: ChallengeInput): string {
  const params: string[] = [];
  if (input.error !== undefined) params.push(`error=${quoted(input.error)}`);
  if (input.description !== undefined && input.description !== '') {
    params.push(`error_description=${quoted(printableAscii(input.description))}`);
  }
  if (input.scope !== undefined) {
    const scopes = scopeList(input.scope);
    if (scopes.length > 0) params.push(`scope=${quoted(scopes.join(' '))}`);
  }
  params.push(`resource_metadata=${quoted(printableAscii(input.resourceMetadataUrl))}`);
  return `Bearer ${params.join(', ')}`;
}

export type BearerTokenResult = { ok: true; token: string } | { ok: false; reason: 'missing' | 'malformed' };

/** RFC 9110 token68, the syntax of an RFC 6750 bearer token. */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
/** An auth-scheme (RFC 9110 token). */
const AUTH_SCHEME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BEARER_AFTER_COMMA = /,\s*bearer(?:\s|$)/i;

/**
 * The bearer token from an `Authorization` header value.
 *
 * - no header, an empty one, or credentials of another scheme only (`Basic …`) → `missing`: the
 *   request carries no bearer credentials, so the answer is a plain 401 challenge;
 * - `Bearer` (any case) without a token, with something that is not a token68, with more than one
 *   token, or several credentials in one header (`Bearer a, Bearer b`, `Basic x, Bearer y` — a
 *   repeated header arrives joined with commas) → `malformed` (400 `invalid_request`).
 */
export function bearerToken(authorizationHeader: string | null | undefined): BearerTokenResult {
  const value = (authorizationHeader ?? '').trim();
  if (value === '') return { ok: false, reason: 'missing' };
  const space = value.indexOf(' ');
  const scheme = space === -1 ? value : value.slice(0, space);
  if (!AUTH_SCHEME.test(scheme)) return { ok: false, reason: 'malformed' };
  if (scheme.toLowerCase() !== 'bearer') {
    // Another scheme; a Bearer credential listed after it is still more than one credential.
    return { ok: false, reason: BEARER_AFTER_COMMA.test(value) ? 'malformed' : 'missing' };
  }
  if (value.includes(',')) return { ok: false, reason: 'malformed' };
  const token = space === -1 ? '' : value.slice(space + 1).replace(/^ +/, '');
  if (!TOKEN68.test(token)) return { ok: false, reason: 'malformed' };
  return { ok: true, token };
}
