/**
 * /console/catalog: whose view (a user of the key store or the stdio user, or a set of roles),
 * that caller's catalog from the gateway's CatalogView with decide()'s rule for every entry, and
 * POST /console/catalog/try, which runs one tool call as the signed-in principal (console-call.ts).
 */
import type { Context, Hono } from 'hono';
import type { ApiKeyInfo } from '../../auth/api-keys.ts';
import {
  type Inspected,
  principalOfRoles,
  principalOfUser,
  rolesFromList,
} from '../../auth/inspected-principal.ts';
import type { Principal } from '../../auth/principal.ts';
import type { Gateway } from '../../gateway.ts';
import { decide, type Target } from '../../policy/decide.ts';
import {
  type CatalogPageOptions,
  type CatalogSeen,
  catalogPage,
  type ExplainedItem,
} from './catalog-page.ts';
import type { ConsoleDeps, ConsoleEnv } from './console-app.ts';
import { callToolAs, parseArguments } from './console-call.ts';

type Who = { user: string; roles: string };

/** The caller to inspect, or why the picker's values name none; undefined when nothing is picked. */
function inspected(deps: ConsoleDeps, who: Who, keys: readonly ApiKeyInfo[]): Inspected | undefined {
  const policyRoles = Object.keys(deps.gateway.model.policy.roles);
  if (who.roles.trim() !== '') {
    const roles = rolesFromList(who.roles);
    const unknown = roles.filter((r) => !policyRoles.includes(r));
    if (unknown.length > 0)
      return {
        ok: false,
        message: `The policy has no role ${unknown.map((r) => `"${r}"`).join(', ')} (its roles: ${policyRoles.join(', ') || 'none'}).`,
      };
    return { ok: true, principal: principalOfRoles(roles, who.user || 'roles') };
  }
  if (who.user === '') return undefined;
  const found = principalOfUser(who.user, deps.gateway.model.auth.stdio, keys);
  return found.ok ? found : { ok: false, message: `${found.message}; pick roles instead.` };
}

function explained(
  gateway: Gateway,
  principal: Principal,
  me: Principal,
  target: Target,
  detail: string,
): ExplainedItem {
  const policy = gateway.model.policy;
  return {
    kind: target.kind,
    name: target.name,
    detail,
    listing: decide(policy, principal.roles, target),
    call: decide(policy, principal.roles, target, target.kind === 'resource' ? undefined : {}),
    tryable: target.kind === 'tool' && decide(policy, me.roles, target).visible,
  };
}

/** What `gatehouse catalog` prints for this caller, each entry with its rule, plus what is hidden. */
function seenBy(gateway: Gateway, principal: Principal, me: Principal): CatalogSeen {
  const view = gateway.view;
  const catalog = gateway.catalog;
  const item = (target: Target, detail = '') => explained(gateway, principal, me, target, detail);
  const all = [
    ...catalog.tools().map((r) => item({ kind: 'tool', name: r.item.name }, r.item.description ?? '')),
    ...catalog.resources().map((r) => item({ kind: 'resource', name: r.item.uri }, r.item.name)),
    ...catalog.templates().map((r) => item({ kind: 'resource', name: r.item.uriTemplate }, r.item.name)),
    ...catalog.prompts().map((r) => item({ kind: 'prompt', name: r.item.name }, r.item.description ?? '')),
  ];
  const mode = view.searchMode(principal);
  const listedTools =
    mode === null ? null : view.page(principal, 'tools', undefined, Number.MAX_SAFE_INTEGER);
  return {
    principal,
    tools: view
      .tools(principal)
      .map((r) => item({ kind: 'tool', name: r.item.name }, r.item.description ?? '')),
    resources: view
      .resources(principal)
      .map((r) => item({ kind: 'resource', name: r.item.uri }, r.item.name)),
    templates: view
      .templates(principal)
      .map((r) => item({ kind: 'resource', name: r.item.uriTemplate }, r.item.name)),
    prompts: view
      .prompts(principal)
      .map((r) => item({ kind: 'prompt', name: r.item.name }, r.item.description ?? '')),
    hidden: all.filter((i) => !i.listing.visible),
    searchMode:
      mode === null || listedTools === null
        ? null
        : {
            listed: (listedTools.tools as readonly { name: string }[]).map((t) => t.name),
            limit: mode.limit,
          },
    unreachable: gateway.upstreams.flatMap((u) => {
      const reason = u.unavailableReason();
      return reason === null ? [] : [{ name: u.name, reason }];
    }),
  };
}

function pickerLists(deps: ConsoleDeps, keys: readonly ApiKeyInfo[]): { users: string[]; roles: string[] } {
  const stdio = deps.gateway.model.auth.stdio;
  const users = new Set(keys.map((k) => k.user));
  if (stdio !== null) users.add(stdio.user);
  return { users: [...users].sort(), roles: Object.keys(deps.gateway.model.policy.roles).sort() };
}

async function show(
  c: Context<ConsoleEnv>,
  deps: ConsoleDeps,
  who: Who,
  tried?: CatalogPageOptions['tried'],
  triedStatus = 200,
): Promise<Response> {
  const session = c.get('session');
  const keys = deps.keys === null ? [] : await deps.keys.list();
  const found = inspected(deps, who, keys);
  const status = found !== undefined && !found.ok ? (who.roles.trim() !== '' ? 422 : 404) : triedStatus;
  return c.html(
    catalogPage({
      session,
      who,
      ...pickerLists(deps, keys),
      ...(found?.ok === true ? { seen: seenBy(deps.gateway, found.principal, session.principal) } : {}),
      ...(found?.ok === false ? { error: found.message } : {}),
      ...(tried === undefined ? {} : { tried }),
    }),
    status as 200,
  );
}

export function catalogRoutes(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  app.get('/catalog', (c) =>
    show(c, deps, { user: (c.req.query('user') ?? '').trim(), roles: c.req.query('roles') ?? '' }),
  );
  app.post('/catalog/try', async (c) => {
    const form = c.get('form');
    const who = { user: (form.user ?? '').trim(), roles: form.roles ?? '' };
    const tool = (form.tool ?? '').trim();
    const text = form.args ?? '';
    if (tool === '')
      return show(c, deps, who, { tool, args: text, error: 'Name a tool to call; nothing was called.' }, 422);
    const parsed = parseArguments(text);
    if (!parsed.ok) return show(c, deps, who, { tool, args: text, error: parsed.message }, 422);
    const outcome = await callToolAs(
      deps.gateway,
      c.get('session').principal,
      tool,
      parsed.args,
      c.req.raw.signal,
    );
    return show(c, deps, who, { tool, args: text, outcome });
  });
}
