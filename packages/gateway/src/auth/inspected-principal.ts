/**
 * Whose view of the policy to inspect (`gatehouse catalog|explain --as/--roles`, the console's
 * catalog page): a set of roles as given, or a user resolved through the configured stdio
 * principal or the active API keys. Only inspected, never authenticated: nothing runs as it.
 */
import type { LocalPrincipalModel } from '../config/model-access.ts';
import { type ApiKeyInfo, keyPrincipal } from './api-keys.ts';
import { localPrincipal } from './authenticator.ts';
import type { Principal } from './principal.ts';

export type Inspected = { ok: true; principal: Principal } | { ok: false; message: string };

/** `a, b` → ["a", "b"]: roles as a comma-separated list, blanks dropped. */
export function rolesFromList(text: string): string[] {
  return text
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
}

export function principalOfRoles(roles: readonly string[], user = 'cli'): Principal {
  return { id: `cli:${user}`, user, org: undefined, roles, via: 'api-key', scopes: [] };
}

/**
 * The principal `user` is when it calls: the stdio user's, or its API keys' (every active key of
 * the user must carry the same roles, else which one is meant is not known).
 */
export function principalOfUser(
  user: string,
  stdio: LocalPrincipalModel | null,
  keys: readonly ApiKeyInfo[],
): Inspected {
  if (stdio !== null && stdio.user === user) return { ok: true, principal: localPrincipal(stdio) };
  const held = keys.filter((k) => k.user === user && k.revokedAt === null);
  const roleSets = new Set(held.map((k) => [...k.roles].sort().join(',')));
  const first = held[0];
  if (first === undefined) return { ok: false, message: `no active API key for user "${user}"` };
  if (roleSets.size > 1) {
    return {
      ok: false,
      message: `"${user}" holds keys with different roles (${[...roleSets].join(' | ')})`,
    };
  }
  return { ok: true, principal: keyPrincipal(first) };
}
