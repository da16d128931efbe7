/**
 * Verifies OAuth 2.1 / OIDC access tokens (signed JWTs) for the gateway as a resource server, and
 * turns a valid token into a `Principal`.
 *
 *   const verifier = new OidcVerifier({
 *     issuer: 'https://idp.example.com/realms/acme',
 *     audience: 'https://gw.example.com/mcp', // the gateway's resource URL (RFC 8707)
 *     requiredScopes: ['mcp'],
 *     claims: { user: 'preferred_username', org: 'org', roles: 'realm_access.roles' },
 *     roleMap: { 'mcp-admins': ['admin'] },
 *     onError: (error, { stage }) => log.warn({ err: error, stage }, 'OIDC keys unavailable'),
 *   });
 *   const outcome = await verifier.verify(token); // never throws
 *   // outcome.ok → outcome.principal, outcome.expiresAt (epoch ms of `exp`)
 *   // else → answer outcome.status with WWW-Authenticate from resource-metadata.ts `wwwAuthenticate`
 *   //        ({ resourceMetadataUrl, error, description, scope }).
 *
 * What a token must satisfy: a signature by a key the issuer publishes (its JWKS), with an allowed
 * algorithm; `iss` equal to the configured issuer; `aud` containing the gateway's resource URL
 * (tokens issued for any other resource are refused — and the gateway never forwards a client's
 * token upstream); `exp` present and not passed, `nbf` (when present) reached, both with the
 * clock tolerance; a `sub`; and every required scope (else 403 `insufficient_scope`).
 *
 * Keys: jose's remote JWKS set caches the issuer's keys and refetches them when a token names an
 * unknown `kid` (at most once per `jwksCooldownMs`) — that is how key rotation is picked up. The
 * JWKS URL is configured or discovered lazily on the first `verify` by the MCP SDK's
 * `discoverAuthorizationServerMetadata`: RFC 8414's `/.well-known/oauth-authorization-server`,
 * then OpenID Connect Discovery's `openid-configuration` (both path-inserted for issuers with a
 * path, and `${issuer}/.well-known/openid-configuration`); the document's `issuer` must equal
 * the configured one. A successful discovery is kept; a failed one
 * is retried by the first `verify` after `discoveryRetryMs`. When keys cannot be obtained, the
 * token is refused (401) as "could not be verified" and `onError` is told why.
 *
 * Descriptions in refusals are short and fixed; they never echo the token or internal errors.
 */
import {
  type AuthorizationServerMetadata,
  discoverAuthorizationServerMetadata,
} from '@modelcontextprotocol/client';
import { createRemoteJWKSet, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { Principal } from './principal.ts';

export interface OidcClaimPaths {
  /** Claim with the user's name (default `sub`; falls back to `sub` when absent). */
  user?: string;
  org?: string;
  /** Claim with the IdP's roles or groups: an array, or a space/comma-separated string. */
  roles?: string;
}

export interface VerifierErrorContext {
  stage: 'discovery' | 'jwks';
  issuer: string;
}

export interface OidcVerifierOptions {
  issuer: string;
  /** The gateway's canonical resource URL; tokens must carry it in `aud`. */
  audience: string;
  /** The issuer's JWKS URL; discovered from the issuer's metadata when absent. */
  jwksUri?: string;
  /** Allowed JWS algorithms (default RS256, ES256, PS256, EdDSA). */
  algorithms?: string[];
  clockToleranceSec?: number;
  /** Scopes every token must carry; missing ones give 403 `insufficient_scope`. */
  requiredScopes?: string[];
  /**
   * Claim paths: dot paths into nested objects (`realm_access.roles`); a name that is itself a key
   * (URL-like claims such as `https://example.com/roles`) matches first.
   */
  claims?: OidcClaimPaths;
  /** IdP role/group → gateway roles. When set, only mapped roles are kept. */
  roleMap?: Record<string, string[]>;
  /** Timeout of each discovery and JWKS request (default 5000). */
  fetchTimeoutMs?: number;
  /** Expected JWT `typ` header, e.g. `at+jwt` (RFC 9068); not checked when absent. */
  requiredTokenType?: string;
  /** Minimum time between JWKS refetches caused by unknown `kid`s (default 30 s). */
  jwksCooldownMs?: number;
  /** Keys older than this are refetched before use (default 10 min). */
  jwksCacheMaxAgeMs?: number;
  /** After a failed discovery, verifies within this time fail fast without retrying (default 5 s). */
  discoveryRetryMs?: number;
  /** The clock (epoch ms); for tests. */
  now?: () => number;
  /** Told why keys could not be obtained (discovery or JWKS fetch failures). Must not throw. */
  onError?: (error: unknown, context: VerifierErrorContext) => void;
}

export type VerifyOutcome =
  | { ok: true; principal: Principal; expiresAt: number }
  | {
      ok: false;
      status: 401 | 403;
      error: 'invalid_token' | 'insufficient_scope' | 'invalid_request';
      description: string;
      /** The scopes needed, space-separated (with `insufficient_scope`). */
      scope?: string;
    };

type Refusal = Extract<VerifyOutcome, { ok: false }>;

export const DEFAULT_ALGORITHMS: readonly string[] = Object.freeze(['RS256', 'ES256', 'PS256', 'EdDSA']);
export const KEYS_UNAVAILABLE_DESCRIPTION = 'The token could not be verified: signing keys are unavailable';

/** Thrown from inside key resolution so that `verify` can tell "no keys" from "bad token". */
class KeysUnavailable extends Error {}

function invalidToken(description: string): Refusal {
  return { ok: false, status: 401, error: 'invalid_token', description };
}

/** Why jose refused a token, in a few fixed words. */
function describeRejection(error: unknown): string {
  if (!(error instanceof errors.JOSEError)) return 'The token is invalid';
  switch (error.code) {
    case errors.JWTExpired.code:
      return 'The token has expired';
    case errors.JWTClaimValidationFailed.code: {
      const claim = (error as errors.JWTClaimValidationFailed).claim;
      if (claim === 'iss') return 'The token was not issued by a trusted issuer';
      if (claim === 'aud') return 'The token was not issued for this resource';
      if (claim === 'nbf') return 'The token is not yet valid';
      if (claim === 'exp') return 'The token has no valid expiry';
      return 'The token has invalid claims';
    }
    case errors.JWSSignatureVerificationFailed.code:
      return 'The token signature is invalid';
    case errors.JWKSNoMatchingKey.code:
    case errors.JWKSMultipleMatchingKeys.code:
      return 'The token is signed with an unknown key';
    case errors.JOSEAlgNotAllowed.code:
    case errors.JOSENotSupported.code:
      return 'The token signing algorithm is not accepted';
    default:
      return 'The token is malformed';
  }
}

/** Follows a claim path; a key equal to the whole remaining path wins over splitting at dots. */
export function claimAt(source: unknown, path: string): unknown {
  if (source === null || typeof source !== 'object') return undefined;
  const record = source as Record<string, unknown>;
  if (Object.hasOwn(record, path)) return record[path];
  for (let dot = path.indexOf('.'); dot !== -1; dot = path.indexOf('.', dot + 1)) {
    const head = path.slice(0, dot);
    if (Object.hasOwn(record, head)) {
      const found = claimAt(record[head], path.slice(dot + 1));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function scalarString(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** An array of strings, or a string split at spaces and commas. */
function stringList(value: unknown, separator: RegExp): string[] {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(separator) : [];
  return items.filter((item): item is string => typeof item === 'string' && item !== '');
}

function tokenScopes(payload: JWTPayload): string[] {
  const raw = payload.scope ?? payload.scp;
  return [...new Set(stringList(raw, / +/))];
}

function mapRoles(idpRoles: string[], roleMap: Record<string, string[]> | undefined): string[] {
  if (roleMap === undefined) return [...new Set(idpRoles)];
  const mapped = idpRoles.flatMap((role) => (Object.hasOwn(roleMap, role) ? (roleMap[role] ?? []) : []));
  return [...new Set(mapped)];
}

/**
 * The JWKS URL from discovered metadata. The SDK already refuses a document whose `issuer` differs
 * (it forgives a trailing slash); tokens are checked against the configured issuer exactly, so
 * the document must match it exactly too.
 */
function jwksUriOf(metadata: AuthorizationServerMetadata | undefined, issuer: string): string {
  if (metadata === undefined) throw new Error('the issuer publishes no OAuth or OIDC metadata');
  if (metadata.issuer !== issuer) {
    throw new Error(`metadata issuer ${JSON.stringify(metadata.issuer)} is not the configured issuer`);
  }
  if (typeof metadata.jwks_uri !== 'string') throw new Error('metadata has no jwks_uri');
  return metadata.jwks_uri;
}

export class OidcVerifier {
  private readonly options: OidcVerifierOptions;
  private readonly algorithms: string[];
  private readonly requiredScopes: string[];
  private readonly fetchTimeoutMs: number;
  private readonly now: () => number;
  private keys: JWTVerifyGetKey | undefined;
  private discovery: Promise<JWTVerifyGetKey | undefined> | undefined;
  private discoveryFailedAt: number | undefined;

  constructor(options: OidcVerifierOptions) {
    if (options.issuer === '') throw new TypeError('OidcVerifier needs an issuer');
    if (options.audience === '') throw new TypeError('OidcVerifier needs an audience (the resource URL)');
    if (!URL.canParse(options.issuer)) throw new TypeError(`OIDC issuer is not a URL: ${options.issuer}`);
    this.options = options;
    this.algorithms = [...(options.algorithms ?? DEFAULT_ALGORITHMS)];
    this.requiredScopes = [...new Set(options.requiredScopes ?? [])];
    this.fetchTimeoutMs = options.fetchTimeoutMs ?? 5000;
    this.now = options.now ?? Date.now;
    if (options.jwksUri !== undefined) this.keys = this.remoteKeys(options.jwksUri);
  }

  get issuer(): string {
    return this.options.issuer;
  }

  /**
   * Verifies one token. Never throws; every refusal is an outcome. With `expect.nonce` (an ID
   * token from a sign-in this process started), the token's `nonce` must equal it.
   */
  async verify(token: string, expect: { nonce?: string } = {}): Promise<VerifyOutcome> {
    if (token.trim() === '') {
      return { ok: false, status: 401, error: 'invalid_request', description: 'No bearer token was given' };
    }
    const keys = await this.resolveKeys();
    if (keys === undefined) return invalidToken(KEYS_UNAVAILABLE_DESCRIPTION);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: this.algorithms,
        clockTolerance: this.options.clockToleranceSec ?? 30,
        requiredClaims: ['exp'],
        currentDate: new Date(this.now()),
        ...(this.options.requiredTokenType !== undefined ? { typ: this.options.requiredTokenType } : {}),
      }));
    } catch (error) {
      if (error instanceof KeysUnavailable) return invalidToken(KEYS_UNAVAILABLE_DESCRIPTION);
      return invalidToken(describeRejection(error));
    }
    if (expect.nonce !== undefined && payload.nonce !== expect.nonce) {
      return invalidToken('The token was not issued for this sign-in');
    }
    return this.accept(payload);
  }

  private accept(payload: JWTPayload): VerifyOutcome {
    const sub = payload.sub;
    if (typeof sub !== 'string' || sub === '') return invalidToken('The token has no subject');
    const scopes = tokenScopes(payload);
    const granted = new Set(scopes);
    if (this.requiredScopes.some((scope) => !granted.has(scope))) {
      return {
        ok: false,
        status: 403,
        error: 'insufficient_scope',
        description: 'The token lacks a required scope',
        scope: this.requiredScopes.join(' '),
      };
    }
    const claims = this.options.claims ?? {};
    const user = scalarString(claimAt(payload, claims.user ?? 'sub')) ?? sub;
    const org = claims.org === undefined ? undefined : scalarString(claimAt(payload, claims.org));
    const idpRoles = claims.roles === undefined ? [] : stringList(claimAt(payload, claims.roles), /[\s,]+/);
    const principal: Principal = Object.freeze({
      id: `oidc:${this.options.issuer}#${sub}`,
      user,
      org,
      roles: Object.freeze(mapRoles(idpRoles, this.options.roleMap)),
      via: 'oidc',
      scopes: Object.freeze(scopes),
    });
    return { ok: true, principal, expiresAt: (payload.exp ?? 0) * 1000 };
  }

  /** The key resolver, discovering the JWKS URL first when needed; undefined when unavailable. */
  private async resolveKeys(): Promise<JWTVerifyGetKey | undefined> {
    if (this.keys !== undefined) return this.keys;
    if (this.discovery === undefined) {
      const failedAt = this.discoveryFailedAt;
      if (failedAt !== undefined && this.now() - failedAt < (this.options.discoveryRetryMs ?? 5000)) {
        return undefined;
      }
      this.discovery = this.discover().finally(() => {
        this.discovery = undefined;
      });
    }
    return this.discovery;
  }

  private async discover(): Promise<JWTVerifyGetKey | undefined> {
    const issuer = this.options.issuer;
    try {
      const metadata = await discoverAuthorizationServerMetadata(issuer, { fetchFn: this.timedFetch });
      this.keys = this.remoteKeys(jwksUriOf(metadata, issuer));
      this.discoveryFailedAt = undefined;
      return this.keys;
    } catch (error) {
      this.discoveryFailedAt = this.now();
      const reason = error instanceof Error ? error.message : String(error);
      this.report(new Error(`OIDC discovery failed for ${issuer}: ${reason}`), 'discovery');
      return undefined;
    }
  }

  /** fetch with the per-request timeout, for discovery. */
  private readonly timedFetch = (url: string | URL, init?: RequestInit): Promise<Response> =>
    fetch(url, { ...init, signal: AbortSignal.timeout(this.fetchTimeoutMs) });

  /** jose's cached remote key set, wrapped so that fetch failures read as "keys unavailable". */
  private remoteKeys(jwksUri: string): JWTVerifyGetKey {
    const remote = createRemoteJWKSet(new URL(jwksUri), {
      timeoutDuration: this.fetchTimeoutMs,
      cooldownDuration: this.options.jwksCooldownMs ?? 30_000,
      cacheMaxAge: this.options.jwksCacheMaxAgeMs ?? 600_000,
    });
    return async (header, token) => {
      try {
        return await remote(header, token);
      } catch (error) {
        if (
          error instanceof errors.JWKSNoMatchingKey ||
          error instanceof errors.JWKSMultipleMatchingKeys ||
          error instanceof errors.JOSENotSupported
        ) {
          throw error;
        }
        this.report(error, 'jwks');
        throw new KeysUnavailable('signing keys unavailable', { cause: error });
      }
    };
  }

  private report(error: unknown, stage: VerifierErrorContext['stage']): void {
    try {
      this.options.onError?.(error, { stage, issuer: this.options.issuer });
    } catch {
      // A logging callback must not turn a refusal into an exception.
    }
  }
}
