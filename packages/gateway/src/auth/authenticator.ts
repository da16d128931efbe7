/**
 * Authentication: from what a transport presents to a principal, or a refusal shaped the way the
 * MCP authorization spec asks (401 with `WWW-Authenticate`, 403 `insufficient_scope`). Pure of
 * transport concerns: the HTTP front maps the outcome to a response; stdio uses the configured
 * local principal. The pipeline's identify stage then refuses any request without a principal.
 */
import { createHash } from 'node:crypto';
import type { AuthModel, LocalPrincipalModel, StaticKeyModel } from '../config/model-access.ts';
import { StoreUnavailable } from '../storage/unavailable.ts';
import { type ApiKeyStore, looksLikeApiKey } from './api-keys.ts';
import type { OidcVerifier } from './oidc-verifier.ts';
import { ANONYMOUS, type Principal } from './principal.ts';
import { bearerToken } from './resource-metadata.ts';

export type AuthOutcome =
  | { ok: true; principal: Principal }
  | {
      /** The key store cannot be reached: nothing is known about the credential, retry. */
      ok: false;
      status: 503;
      error?: undefined;
      description: string;
      scope?: undefined;
    }
  | {
      ok: false;
      status: 400 | 401 | 403;
      error?: 'invalid_request' | 'invalid_token' | 'insufficient_scope';
      description: string;
      scope?: string;
    };

export interface AuthenticatorDeps {
  model: AuthModel;
  keys: ApiKeyStore | null;
  oidc: OidcVerifier | null;
  /** Told when the key store cannot be reached (the caller gets 503). */
  onUnavailable?: (error: StoreUnavailable) => void;
}

/** What a caller is told when its API key cannot be checked; the detail goes to the log only. */
export const KEYS_UNAVAILABLE =
  'The API key cannot be checked right now: the shared key store (storage.postgres) is unreachable. Nothing was done; retry shortly';

/** The principal of the configured local (stdio) user. */
export function localPrincipal(local: LocalPrincipalModel): Principal {
  return {
    id: `stdio:${local.user}`,
    user: local.user,
    org: local.org ?? undefined,
    roles: local.roles,
    via: 'stdio',
    scopes: [],
  };
}

/** Keys declared in the config, by the SHA-256 of the secret (hashing first keeps lookups constant-time in the secret). */
function staticKeyIndex(keys: StaticKeyModel[]): Map<string, Principal> {
  return new Map(
    keys.map((k) => [
      k.sha256,
      {
        id: `static:${k.user}`,
        user: k.user,
        org: k.org ?? undefined,
        roles: k.roles,
        via: 'api-key',
        scopes: [],
      },
    ]),
  );
}

export class Authenticator {
  private readonly deps: AuthenticatorDeps;
  private readonly anonymous: Principal | null;
  private readonly staticKeys: Map<string, Principal>;

  constructor(deps: AuthenticatorDeps) {
    this.deps = deps;
    const anon = deps.model.anonymous;
    this.anonymous = anon === null ? null : { ...ANONYMOUS, roles: anon.roles };
    this.staticKeys = staticKeyIndex(deps.model.staticKeys);
  }

  /** Does HTTP need credentials at all (false only when anonymous access is on)? */
  get requiresCredentials(): boolean {
    return this.anonymous === null;
  }

  /** HTTP: the `Authorization` header → principal or refusal. */
  async authenticateHttp(authorization: string | null): Promise<AuthOutcome> {
    const parsed = bearerToken(authorization);
    if (!parsed.ok) {
      if (parsed.reason === 'missing' && this.anonymous !== null)
        return { ok: true, principal: this.anonymous };
      if (parsed.reason === 'missing')
        return { ok: false, status: 401, description: 'Authentication required' };
      return {
        ok: false,
        status: 400,
        error: 'invalid_request',
        description: 'The Authorization header is not a single Bearer credential',
      };
    }
    const token = parsed.token;
    const { keys, oidc } = this.deps;
    if (this.staticKeys.size > 0) {
      const principal = this.staticKeys.get(createHash('sha256').update(token).digest('hex'));
      if (principal) return { ok: true, principal };
    }
    if (keys !== null && looksLikeApiKey(token)) return this.apiKeyOutcome(keys, token);
    if (oidc !== null) {
      const outcome = await oidc.verify(token);
      if (outcome.ok) return { ok: true, principal: outcome.principal };
      const refusal: AuthOutcome = {
        ok: false,
        status: outcome.status,
        error: outcome.error,
        description: outcome.description,
      };
      return outcome.scope === undefined ? refusal : { ...refusal, scope: outcome.scope };
    }
    return {
      ok: false,
      status: 401,
      error: 'invalid_token',
      description: 'The credential is not accepted here',
    };
  }

  /** A `ghk_` key: its principal, a refusal, or 503 when the key store cannot be reached. */
  private async apiKeyOutcome(keys: ApiKeyStore, token: string): Promise<AuthOutcome> {
    let principal: Principal | undefined;
    try {
      principal = await keys.verify(token);
    } catch (error) {
      if (!(error instanceof StoreUnavailable)) throw error;
      this.deps.onUnavailable?.(error);
      return { ok: false, status: 503, description: KEYS_UNAVAILABLE };
    }
    if (principal) return { ok: true, principal };
    return {
      ok: false,
      status: 401,
      error: 'invalid_token',
      description: 'The API key is unknown or revoked',
    };
  }

  /** stdio: the configured local principal, else the anonymous one when allowed. */
  stdioPrincipal(): Principal | undefined {
    const local = this.deps.model.stdio;
    if (local !== null) return localPrincipal(local);
    return this.anonymous ?? undefined;
  }
}
