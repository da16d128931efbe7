/**
 * Who may decide approvals from the gateway's host without a credential (`gatehouse approvals
 * approve --by NAME`): only a name the configuration already knows as an approver — the user of
 * an active API key, of a key declared in the config, or the configured stdio user — holding
 * one of `approvals.approvers`. A name nobody configured is refused, whatever the OS user is.
 */
import type { ApiKeyInfo } from '../auth/api-keys.ts';
import type { Principal } from '../auth/principal.ts';
import type { ApprovalsModel, AuthModel } from '../config/model-access.ts';

export type KnownApprover = { ok: true; principal: Principal } | { ok: false; message: string };

/** Every role the configuration gives the user `name`, through any of its ways in. */
function rolesOf(name: string, auth: AuthModel, keys: readonly ApiKeyInfo[]): string[] {
  const roles = new Set<string>();
  const add = (list: readonly string[]) => {
    for (const role of list) roles.add(role);
  };
  if (auth.apiKeys) for (const key of keys) if (key.user === name && key.revokedAt === null) add(key.roles);
  for (const key of auth.staticKeys) if (key.user === name) add(key.roles);
  if (auth.stdio?.user === name) add(auth.stdio.roles);
  return [...roles];
}

/**
 * The principal the CLI decides as: `name` with the approver roles the configuration gives it,
 * or why the name is refused.
 */
export function knownApprover(
  name: string,
  config: { auth: AuthModel; approvals: ApprovalsModel },
  keys: readonly ApiKeyInfo[],
): KnownApprover {
  const approverRoles = rolesOf(name, config.auth, keys).filter((r) =>
    config.approvals.approvers.includes(r),
  );
  if (approverRoles.length === 0) {
    const needed = config.approvals.approvers.join(', ');
    return {
      ok: false,
      message:
        config.approvals.approvers.length === 0
          ? 'no approvers are configured (approvals.approvers is empty), so nobody may decide approvals'
          : `"${name}" is not a configured approver: deciding approvals needs one of the roles [${needed}], and no active API key, configured key or stdio user named "${name}" holds one`,
    };
  }
  return {
    ok: true,
    principal: {
      id: `cli:${name}`,
      user: name,
      org: undefined,
      roles: approverRoles,
      via: 'cli',
      scopes: [],
    },
  };
}
