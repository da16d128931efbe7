/**
 * Injected identity: server-controlled tool arguments (`caller_user_id`, `org_id`, …) filled
 * from the principal. They are removed from the schema the model sees, and whatever the model
 * sends for them is replaced — the model cannot speak for someone else.
 */
import type { Tool } from '@modelcontextprotocol/client';
import type { Principal } from '../auth/principal.ts';
import type { ForwardIdentityModel, InjectModel, PrincipalField } from '../config/model-access.ts';
import { anyGlobMatches } from './glob.ts';

/** Argument name → principal field, for one upstream tool. */
export function injectedArguments(
  rules: readonly InjectModel[],
  upstreamTool: string,
): Record<string, PrincipalField> {
  const out: Record<string, PrincipalField> = {};
  for (const rule of rules) if (anyGlobMatches(rule.tools, upstreamTool)) Object.assign(out, rule.arguments);
  return out;
}

/** The tool as the model sees it: injected arguments gone from properties and required. */
export function hideInjected(tool: Tool, injected: Record<string, PrincipalField>): Tool {
  const names = Object.keys(injected);
  if (names.length === 0) return tool;
  const schema = tool.inputSchema as Record<string, unknown>;
  const properties = { ...((schema.properties as Record<string, unknown> | undefined) ?? {}) };
  for (const name of names) delete properties[name];
  const required = Array.isArray(schema.required)
    ? (schema.required as string[]).filter((r) => !names.includes(r))
    : undefined;
  const next: Record<string, unknown> = { ...schema, properties };
  if (required === undefined || required.length === 0) delete next.required;
  else next.required = required;
  return { ...tool, inputSchema: next as Tool['inputSchema'] };
}

export function principalValue(principal: Principal, field: PrincipalField): unknown {
  switch (field) {
    case 'user':
      return principal.user;
    case 'org':
      return principal.org ?? null;
    case 'principal':
      return principal.id;
    case 'roles':
      return [...principal.roles];
    case 'via':
      return principal.via;
  }
}

/** The arguments sent upstream: the model's, with every injected argument overwritten. */
export function injectArguments(
  args: Record<string, unknown>,
  injected: Record<string, PrincipalField>,
  principal: Principal,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...args };
  for (const [name, field] of Object.entries(injected)) out[name] = principalValue(principal, field);
  return out;
}

export const PRINCIPAL_META_KEY = 'dev.gatehouse/principal';

/** Headers naming the caller to an HTTP upstream (values made header-safe). */
export function identityHeaders(forward: ForwardIdentityModel, principal: Principal): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [header, field] of Object.entries(forward.headers)) {
    const value = principalValue(principal, field);
    if (value === null) continue;
    out[header] = encodeURIComponent(Array.isArray(value) ? value.join(',') : String(value));
  }
  return out;
}

export function identityMeta(principal: Principal): Record<string, unknown> {
  return { id: principal.id, user: principal.user, org: principal.org ?? null, roles: [...principal.roles] };
}
