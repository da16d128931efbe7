/**
 * Who is calling. Every request carries one principal, whatever the transport: an API key's
 * owner, an OIDC token's subject, the configured local principal for stdio, or — only when the
 * configuration allows it — the anonymous principal.
 */
/** `cli`: an operator acting through the CLI with access to the gateway's database. */
export type AuthMethod = 'api-key' | 'oidc' | 'stdio' | 'anonymous' | 'cli';

export interface Principal {
  /** Stable, unique id: `key:<keyId>`, `oidc:<issuer>#<sub>`, `stdio:<user>`, `anonymous`. */
  readonly id: string;
  readonly user: string;
  readonly org: string | undefined;
  readonly roles: readonly string[];
  readonly via: AuthMethod;
  /** OAuth scopes granted by the token (empty for other methods). */
  readonly scopes: readonly string[];
}

export const ANONYMOUS: Principal = Object.freeze({
  id: 'anonymous',
  user: 'anonymous',
  org: undefined,
  roles: Object.freeze([]) as readonly string[],
  via: 'anonymous',
  scopes: Object.freeze([]) as readonly string[],
});
