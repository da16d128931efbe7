/**
 * `gatehouse explain` and `gatehouse catalog`: the policy seen from one caller. Both use the same
 * decide() and CatalogView the running gateway uses, so what they print is what that caller gets.
 */
import { parseArgs } from 'node:util';
import { openAccess } from '../access.ts';
import { principalOfRoles, principalOfUser, rolesFromList } from '../auth/inspected-principal.ts';
import type { Principal } from '../auth/principal.ts';
import type { GatewayModel } from '../config/model.ts';
import { Gateway } from '../gateway.ts';
import { silentLogger } from '../observability/logger.ts';
import type { CatalogView } from '../policy/catalog-view.ts';
import { type Decision, decide, type Target } from '../policy/decide.ts';
import { withCliStores } from './stores.ts';
import { CliUsageError } from './usage.ts';

interface Who {
  as?: string | undefined;
  roles?: string | undefined;
}

/** `--roles a,b` as given, or `--as user` resolved through the stdio principal or the API keys. */
export async function resolvePrincipal(model: GatewayModel, who: Who): Promise<Principal> {
  if (who.roles !== undefined) return principalOfRoles(rolesFromList(who.roles), who.as);
  const as = who.as;
  if (as === undefined) throw new CliUsageError('say who: --as <user> or --roles <a,b>');
  const keys = await withCliStores(model, (stores) => stores.keys().list());
  const found = principalOfUser(as, model.auth.stdio, keys);
  if (!found.ok) throw new CliUsageError(`${found.message}; pass --roles`);
  return found.principal;
}

function explanation(principal: Principal, target: Target, listing: Decision, call: Decision): string {
  const who = `${principal.user} (roles: ${principal.roles.join(', ') || 'none'})`;
  const lines = [
    `${call.effect.toUpperCase()}: ${target.kind} ${target.name} for ${who}`,
    `  listed:   ${listing.visible ? 'yes' : 'no — answered exactly like a name that does not exist'}`,
    `  rule:     ${call.rule ?? '(none — deny by default)'}`,
    `  reason:   ${call.reason}`,
  ];
  if (call.approval !== null) {
    const wait =
      call.approval.waitSeconds > 0 ? `; a queued call waits up to ${call.approval.waitSeconds} s` : '';
    lines.push(`  approval: required before the call reaches the upstream (${call.approval.mode}${wait})`);
  }
  return `${lines.join('\n')}\n`;
}

export async function explainCommand(model: GatewayModel, argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      as: { type: 'string' },
      roles: { type: 'string' },
      tool: { type: 'string' },
      resource: { type: 'string' },
      prompt: { type: 'string' },
      args: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const principal = await resolvePrincipal(model, values);
  const target: Target | undefined =
    values.tool !== undefined
      ? { kind: 'tool', name: values.tool }
      : values.resource !== undefined
        ? { kind: 'resource', name: values.resource }
        : values.prompt !== undefined
          ? { kind: 'prompt', name: values.prompt }
          : undefined;
  if (target === undefined) throw new CliUsageError('explain needs --tool, --resource or --prompt');
  let args: Record<string, unknown> | undefined;
  if (values.args !== undefined) {
    try {
      args = JSON.parse(values.args) as Record<string, unknown>;
    } catch {
      throw new CliUsageError('--args must be a JSON object');
    }
  } else if (target.kind !== 'resource') args = {};
  const listing = decide(model.policy, principal.roles, target);
  const call = decide(model.policy, principal.roles, target, args ?? {});
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ principal, target, visible: listing.visible, decision: call }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(explanation(principal, target, listing, call));
  }
  return call.effect === 'allow' ? 0 : 1;
}

/** In search mode: what the caller's tools/list shows (core tools, then the meta-tools). */
function searchModeSummary(
  view: CatalogView,
  principal: Principal,
): { listed: string[]; limit: number } | null {
  const mode = view.searchMode(principal);
  if (mode === null) return null;
  const page = view.page(principal, 'tools', undefined, Number.MAX_SAFE_INTEGER);
  const listed = (page.tools as readonly { name: string }[]).map((t) => t.name);
  return { listed, limit: mode.limit };
}

export async function catalogCommand(model: GatewayModel, argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { as: { type: 'string' }, roles: { type: 'string' }, json: { type: 'boolean' } },
  });
  const principal = await resolvePrincipal(model, values);
  const log = silentLogger();
  const access = await openAccess({ ...model, audit: { ...model.audit, enabled: false } }, log);
  const gateway = new Gateway(model, log, access);
  await gateway.pins?.load();
  gateway.start();
  try {
    await gateway.settled();
    const view = gateway.view;
    const seen = {
      principal: { user: principal.user, roles: principal.roles },
      tools: view.tools(principal).map((r) => ({ name: r.item.name, description: r.item.description ?? '' })),
      resources: view.resources(principal).map((r) => r.item.uri),
      resourceTemplates: view.templates(principal).map((r) => r.item.uriTemplate),
      prompts: view.prompts(principal).map((r) => r.item.name),
      searchMode: searchModeSummary(view, principal),
      unavailable: gateway.upstreams.filter((u) => u.state !== 'ready').map((u) => u.name),
      unreachable: gateway.upstreams.flatMap((u) => {
        const reason = u.unavailableReason();
        return reason === null ? [] : [{ name: u.name, reason }];
      }),
    };
    if (values.json) process.stdout.write(`${JSON.stringify(seen, null, 2)}\n`);
    else {
      const out = [`${principal.user} (roles: ${principal.roles.join(', ') || 'none'}) sees:`];
      out.push(`tools (${seen.tools.length}):`, ...seen.tools.map((t) => `  ${t.name}  ${t.description}`));
      if (seen.searchMode !== null) {
        const { listed, limit } = seen.searchMode;
        out.push(
          `search mode: tools/list shows ${listed.join(', ')}; search_tools finds any of the ${seen.tools.length} above (${limit} per search)`,
        );
      }
      out.push(`resources (${seen.resources.length}):`, ...seen.resources.map((r) => `  ${r}`));
      out.push(
        `resource templates (${seen.resourceTemplates.length}):`,
        ...seen.resourceTemplates.map((r) => `  ${r}`),
      );
      out.push(`prompts (${seen.prompts.length}):`, ...seen.prompts.map((p) => `  ${p}`));
      if (seen.unreachable.length > 0) {
        out.push(
          `not reachable now (${seen.unreachable.length}):`,
          ...seen.unreachable.map((u) => `  ${u.name}: ${u.reason}`),
        );
      }
      process.stdout.write(`${out.join('\n')}\n`);
    }
    return 0;
  } finally {
    await gateway.stop();
  }
}
