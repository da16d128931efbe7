/**
 * A browser sign-in through the configured OIDC issuer (authorization code flow with PKCE), for
 * the console. The relying-party half of OpenID Connect, on the pieces the gateway already uses:
 *
 *   const signIn = new OidcSignIn({ issuer, clientId, clientSecret, redirectUri, scopes, verifier });
 *   const started = await signIn.begin(next);     // → cookie (bind to the browser) + location
 *   const finished = await signIn.finish(cookie, callbackParams); // → principal, or a refusal
 *
 * - Discovery: the issuer's metadata (RFC 8414, then OpenID Connect Discovery — the MCP SDK's
 *   `discoverAuthorizationServerMetadata`, as the access-token verifier uses), kept once found;
 *   its `issuer` must equal the configured one.
 * - `begin`: a random `state`, `nonce` and PKCE verifier (S256 challenge), kept here (in memory,
 *   for PENDING_MS, bounded) under the SHA-256 of a random cookie value the caller binds to the
 *   browser. Nothing secret leaves the process but the cookie value.
 * - `finish`: the pending sign-in is taken (used once, whatever the outcome); the callback's
 *   `state` must match it; the code is exchanged at the token endpoint with the verifier (client
 *   authentication `client_secret_basic` when there is a secret, else the public client's id);
 *   the ID token is verified by an `OidcVerifier` (signature by the issuer's JWKS, `iss`, `aud` =
 *   the client id, `exp`, and the `nonce`) — the same claim mapping and role map as access tokens,
 *   so the principal is the one the same user has on the MCP endpoint (`oidc:<issuer>#<sub>`).
 *
 * Every refusal is a short fixed sentence; none echoes a token, a code or the client secret.
 */

import { createHash, randomBytes } from 'node:crypto';
import {
  type AuthorizationServerMetadata,
  discoverAuthorizationServerMetadata,
} from '@modelcontextprotocol/client';
import { type ExpiringRecords, MemoryExpiringRecords } from '../storage/expiring-records.ts';
import type { OidcVerifier, OidcVerifierOptions } from './oidc-verifier.ts';
import type { Principal } from './principal.ts';

const PENDING_MS = 10 * 60_000;
/** At most this many sign-ins under way in memory (one process). */
export const MAX_PENDING_SIGN_INS = 1_000;

export interface OidcSignInOptions {
  issuer: string;
  clientId: string;
  /** Present for a confidential client (read from its environment variable by the caller). */
  clientSecret?: string;
  /** Set when the client cannot sign anyone in (e.g. its secret's variable is unset): why, shown on the page. */
  unavailable?: string;
  redirectUri: string;
  scopes: string[];
  /** Makes the verifier for ID tokens, given the JWKS URL (configured, else discovered). */
  verifier: (options: Pick<OidcVerifierOptions, 'audience' | 'jwksUri'>) => OidcVerifier;
  /** The JWKS URL when configured; else the discovered one. */
  jwksUri?: string;
  fetchTimeoutMs?: number;
  now?: () => number;
  /** Where sign-ins under way wait for their callback (default: this process's memory). */
  pending?: ExpiringRecords<SignInPending>;
  /** Told why the issuer could not be reached (discovery or token endpoint). Must not throw. */
  onError?: (error: unknown, stage: 'discovery' | 'token') => void;
}

/** A sign-in under way: what the callback must match (kept until used once, or expired). */
export interface SignInPending {
  state: string;
  nonce: string;
  codeVerifier: string;
  next: string;
  expiresAt: number;
}

export type BeginOutcome = { ok: true; cookie: string; location: string } | SignInRefusal;
export type FinishOutcome = { ok: true; principal: Principal; next: string } | SignInRefusal;
export interface SignInRefusal {
  ok: false;
  status: 400 | 401 | 502 | 503;
  message: string;
  /** Where to go after signing in (kept from `begin` when the refusal came after it). */
  next?: string;
}

interface Discovered {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  verifier: OidcVerifier;
}

const random = (bytes: number) => randomBytes(bytes).toString('base64url');
const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** RFC 6749 §2.3.1: id and secret are form-encoded before Basic. */
function basicAuthorization(id: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
}

function endpointsOf(metadata: AuthorizationServerMetadata | undefined, issuer: string) {
  if (metadata === undefined) throw new Error('the issuer publishes no OAuth or OIDC metadata');
  if (metadata.issuer !== issuer) throw new Error('the metadata names another issuer');
  if (typeof metadata.token_endpoint !== 'string') throw new Error('the metadata has no token_endpoint');
  return {
    authorizationEndpoint: metadata.authorization_endpoint,
    tokenEndpoint: metadata.token_endpoint,
    jwksUri: typeof metadata.jwks_uri === 'string' ? metadata.jwks_uri : undefined,
  };
}

export class OidcSignIn {
  readonly #options: OidcSignInOptions;
  readonly #pending: ExpiringRecords<SignInPending>;
  readonly #now: () => number;
  #discovered: Promise<Discovered> | undefined;

  constructor(options: OidcSignInOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#pending =
      options.pending ?? new MemoryExpiringRecords<SignInPending>(MAX_PENDING_SIGN_INS, this.#now);
  }

  get issuer(): string {
    return this.#options.issuer;
  }

  /** Starts a sign-in: the cookie value to bind to the browser and where to send it. */
  async begin(next: string): Promise<BeginOutcome> {
    const unavailable = this.#options.unavailable;
    if (unavailable !== undefined) return { ok: false, status: 503, message: unavailable };
    const discovered = await this.#discover();
    if (discovered === undefined) return this.#unreachable();
    const cookie = random(32);
    const pending: SignInPending = {
      state: random(24),
      nonce: random(24),
      codeVerifier: random(48),
      next,
      expiresAt: this.#now() + PENDING_MS,
    };
    await this.#pending.put(sha256(cookie).toString('hex'), pending, pending.expiresAt);
    const location = new URL(discovered.authorizationEndpoint);
    const params = location.searchParams;
    params.set('response_type', 'code');
    params.set('client_id', this.#options.clientId);
    params.set('redirect_uri', this.#options.redirectUri);
    params.set('scope', this.#options.scopes.join(' '));
    params.set('state', pending.state);
    params.set('nonce', pending.nonce);
    params.set('code_challenge', sha256(pending.codeVerifier).toString('base64url'));
    params.set('code_challenge_method', 'S256');
    return { ok: true, cookie, location: location.toString() };
  }

  /** Finishes the sign-in `cookie` started, with the parameters the issuer sent the browser back with. */
  async finish(cookie: string | undefined, params: URLSearchParams): Promise<FinishOutcome> {
    const pending = await this.#take(cookie);
    if (pending === undefined || params.get('state') !== pending.state) {
      return {
        ok: false,
        status: 400,
        message: 'This sign-in was not started in this browser, or it has expired; sign in again.',
      };
    }
    const refuse = (status: SignInRefusal['status'], message: string): SignInRefusal => ({
      ok: false,
      status,
      message,
      next: pending.next,
    });
    const error = params.get('error');
    if (error !== null) {
      const code = /^[a-z_]{1,64}$/.test(error) ? ` (${error})` : '';
      return refuse(401, `${this.issuer} did not sign you in${code}.`);
    }
    const code = params.get('code');
    if (code === null || code === '') return refuse(400, `${this.issuer} sent no authorization code.`);
    const discovered = await this.#discover();
    if (discovered === undefined) return { ...this.#unreachable(), next: pending.next };
    const idToken = await this.#exchange(discovered.tokenEndpoint, code, pending.codeVerifier);
    if (idToken === 'unreachable') return { ...this.#unreachable(), next: pending.next };
    if (idToken === undefined) return refuse(401, `${this.issuer} did not accept the sign-in's code.`);
    if (idToken === 'none')
      return refuse(401, `${this.issuer} sent no ID token (the "openid" scope is needed).`);
    const verified = await discovered.verifier.verify(idToken, { nonce: pending.nonce });
    if (!verified.ok)
      return refuse(401, `The identity ${this.issuer} sent was refused: ${verified.description}.`);
    return { ok: true, principal: verified.principal, next: pending.next };
  }

  /**
   * The ID token; undefined when the issuer refused the code, 'none' when it answered without an
   * ID token, 'unreachable' when it could not be asked.
   */
  async #exchange(
    tokenEndpoint: string,
    code: string,
    codeVerifier: string,
  ): Promise<string | undefined | 'none' | 'unreachable'> {
    const { clientId, clientSecret, redirectUri } = this.#options;
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: codeVerifier,
    });
    const headers: Record<string, string> = { accept: 'application/json' };
    if (clientSecret === undefined) body.set('client_id', clientId);
    else headers.authorization = basicAuthorization(clientId, clientSecret);
    let response: Response;
    try {
      response = await fetch(tokenEndpoint, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.#options.fetchTimeoutMs ?? 5000),
      });
    } catch (error) {
      this.#report(error, 'token');
      return 'unreachable';
    }
    const answer = (await response.json().catch(() => undefined)) as { id_token?: unknown } | undefined;
    if (response.ok) {
      return typeof answer?.id_token === 'string' && answer.id_token !== '' ? answer.id_token : 'none';
    }
    const reason = (answer as { error?: unknown } | undefined)?.error;
    this.#report(new Error(`token endpoint answered ${response.status} ${String(reason ?? '')}`), 'token');
    return undefined;
  }

  #unreachable(): SignInRefusal {
    return {
      ok: false,
      status: 502,
      message: `${this.issuer} cannot be reached just now; try again, or sign in with an API key.`,
    };
  }

  /** The issuer's endpoints and an ID-token verifier; kept once found, asked again after a failure. */
  async #discover(): Promise<Discovered | undefined> {
    this.#discovered ??= this.#fetchMetadata();
    const discovered = this.#discovered;
    try {
      return await discovered;
    } catch (error) {
      if (this.#discovered === discovered) this.#discovered = undefined;
      this.#report(error, 'discovery');
      return undefined;
    }
  }

  async #fetchMetadata(): Promise<Discovered> {
    const { issuer, clientId } = this.#options;
    const timeout = this.#options.fetchTimeoutMs ?? 5000;
    const metadata = await discoverAuthorizationServerMetadata(issuer, {
      fetchFn: (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(timeout) }),
    });
    const endpoints = endpointsOf(metadata, issuer);
    const jwksUri = this.#options.jwksUri ?? endpoints.jwksUri;
    if (jwksUri === undefined) throw new Error('the metadata has no jwks_uri');
    return {
      authorizationEndpoint: endpoints.authorizationEndpoint,
      tokenEndpoint: endpoints.tokenEndpoint,
      verifier: this.#options.verifier({ audience: clientId, jwksUri }),
    };
  }

  /** The pending sign-in of this cookie, removed (used once), unless expired. */
  async #take(cookie: string | undefined): Promise<SignInPending | undefined> {
    if (cookie === undefined || cookie === '') return undefined;
    return this.#pending.take(sha256(cookie).toString('hex'));
  }

  #report(error: unknown, stage: 'discovery' | 'token'): void {
    try {
      this.#options.onError?.(error, stage);
    } catch {
      // A logging callback must not turn a refusal into an exception.
    }
  }
}
