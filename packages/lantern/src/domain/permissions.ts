/**
 * Who may do what, decided in one pure function. Org roles (viewer < responder < admin) act inside
 * their own org only; `operator` is the product's own staff, whose extra powers (every org, bulk
 * analytics, raw activity) exist only on the internal MCP server, never on the REST API.
 *
 * An actor is a signed-in user (web session or API token) or the product's own automation, which
 * acts in one org under a service identity and is held to the responder role there.
 */
import { ProductError } from './errors.ts';

export const ROLES = ['viewer', 'responder', 'admin', 'operator'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'incidents:read',
  'incidents:write',
  'incidents:delete',
  'tokens:manage',
  'analytics:read',
  'activity:read',
  'orgs:all',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

// Each role has what the one below it has, and more.
const VIEWER: readonly Permission[] = ['incidents:read', 'tokens:manage'];
const RESPONDER: readonly Permission[] = [...VIEWER, 'incidents:write'];
const ADMIN: readonly Permission[] = [...RESPONDER, 'incidents:delete', 'analytics:read', 'activity:read'];
const OPERATOR: readonly Permission[] = [...ADMIN, 'orgs:all'];

const GRANTS: Record<Role, readonly Permission[]> = {
  viewer: VIEWER,
  responder: RESPONDER,
  admin: ADMIN,
  operator: OPERATOR,
};

/** The door a request came through; recorded in the activity log. */
export type Via = 'web' | 'api' | 'internal-mcp' | 'automation';

export interface UserIdentity {
  readonly id: string;
  readonly orgId: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
}

export type Actor =
  | { readonly kind: 'user'; readonly user: UserIdentity; readonly via: Via }
  | {
      readonly kind: 'automation';
      readonly name: string;
      readonly orgId: string;
      /** 'automation' in-process; 'internal-mcp' when the automation calls the internal MCP server. */
      readonly via: 'automation' | 'internal-mcp';
    };

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function roleOf(actor: Actor): Role {
  return actor.kind === 'user' ? actor.user.role : 'responder';
}

export function orgOf(actor: Actor): string {
  return actor.kind === 'user' ? actor.user.orgId : actor.orgId;
}

/** The name the activity log and incident records show for an actor. */
export function actorLabel(actor: Actor): string {
  return actor.kind === 'user' ? actor.user.email : `automation:${actor.name}`;
}

/** May this actor do this? REST-facing doors never get `orgs:all`, even for an operator. */
export function can(actor: Actor, permission: Permission): boolean {
  if (permission === 'orgs:all' && actor.via !== 'internal-mcp') return false;
  return GRANTS[roleOf(actor)].includes(permission);
}

export function requirePermission(actor: Actor, permission: Permission): void {
  if (!can(actor, permission)) {
    throw new ProductError('forbidden', `your role (${roleOf(actor)}) does not allow ${permission}`);
  }
}

/** The org filter of a read: the actor's own org, or none (every org) with `orgs:all`. */
export function orgScope(actor: Actor): string | undefined {
  return can(actor, 'orgs:all') ? undefined : orgOf(actor);
}
