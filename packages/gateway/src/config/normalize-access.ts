/**
 * normalize() for the governed-access sections: auth, policy (roles flattened to their rules,
 * conditions parsed), approvals, audit, storage, injection and identity forwarding. Pure; issues
 * name their path.
 */
import { createHash } from 'node:crypto';
import { parseCondition } from './conditions.ts';
import { resolveFrom } from './file-paths.ts';
import {
  type ApprovalRuleModel,
  type ApprovalsModel,
  type AuditModel,
  type AuthModel,
  CONSOLE_CALLBACK_PATH,
  type ConditionModel,
  type ForwardIdentityModel,
  type InjectModel,
  type OidcConsoleModel,
  type PolicyModel,
  type RuleModel,
  type StorageModel,
} from './model-access.ts';
import type { NormalizeIssue } from './normalize.ts';
import { resourceUrl } from './normalize-server.ts';
import type { GatewayConfigParsed } from './schema.ts';
import { FORWARD_IDENTITY_DEFAULTS } from './schema-access.ts';

type Parsed = GatewayConfigParsed;
type RuleInput = Parsed['policy']['groups'][string]['allow'][number];
type ApprovalDefaults = Pick<Parsed['approvals'], 'mode' | 'waitSeconds'>;

export function normalizeAuth(auth: Parsed['auth'], server: Parsed['server']): AuthModel {
  const oidc = auth.oidc;
  return {
    apiKeys: auth.apiKeys,
    staticKeys: auth.staticKeys.map((k) => ({
      sha256: createHash('sha256').update(k.key).digest('hex'),
      user: k.user,
      org: k.org ?? null,
      roles: k.roles,
    })),
    oidc:
      oidc === undefined
        ? null
        : {
            issuer: oidc.issuer,
            audience: oidc.audience ?? resourceUrl(server),
            jwksUri: oidc.jwksUri ?? null,
            requiredScopes: oidc.requiredScopes,
            scopesSupported: oidc.scopesSupported ?? oidc.requiredScopes,
            clockToleranceSec: oidc.clockToleranceSec,
            claims: {
              user: oidc.claims.user,
              org: oidc.claims.org ?? null,
              roles: oidc.claims.roles ?? null,
            },
            roleMap: oidc.roleMap ?? null,
            console: oidc.console === undefined ? null : normalizeOidcConsole(oidc.console, server),
          },
    stdio:
      auth.stdio === undefined
        ? null
        : { user: auth.stdio.user, org: auth.stdio.org ?? null, roles: auth.stdio.roles },
    anonymous: auth.anonymous === undefined ? null : { roles: auth.anonymous.roles },
  };
}

/** The console's OIDC client; its redirect URI is on the origin the gateway is reached at. */
function normalizeOidcConsole(
  client: NonNullable<NonNullable<Parsed['auth']['oidc']>['console']>,
  server: Parsed['server'],
): OidcConsoleModel {
  const origin = new URL(server.publicUrl ?? resourceUrl(server)).origin;
  return {
    clientId: client.clientId,
    clientSecretEnv: client.clientSecretEnv ?? null,
    scopes: ['openid', ...new Set(client.scopes.filter((scope) => scope !== 'openid'))],
    redirectUri: `${origin}${CONSOLE_CALLBACK_PATH}`,
  };
}

function normalizeRule(
  rule: RuleInput,
  effect: 'allow' | 'deny',
  group: string,
  index: number,
  defaults: ApprovalDefaults,
  issues: NormalizeIssue[],
): RuleModel {
  const when: ConditionModel[] = [];
  (rule.when ?? []).forEach((source, j) => {
    const parsed = parseCondition(source);
    if (parsed.ok) when.push(parsed.condition);
    else
      issues.push({
        code: 'CONFIG_INVALID',
        path: ['policy', 'groups', group, effect, index, 'when', j],
        message: parsed.message,
      });
  });
  if (effect === 'deny' && rule.approval !== undefined) {
    issues.push({
      code: 'CONFIG_INVALID',
      path: ['policy', 'groups', group, effect, index, 'approval'],
      message: 'approval applies to allow rules only',
    });
  }
  return {
    id: `group:${group}/${effect}[${index}]`,
    effect,
    tools: rule.tools ?? null,
    resources: rule.resources ?? null,
    prompts: rule.prompts ?? null,
    when,
    approval: ruleApproval(rule.approval, defaults),
  };
}

/** A rule's approval in one shape; what it does not say comes from the `approvals` section. */
function ruleApproval(approval: RuleInput['approval'], defaults: ApprovalDefaults): ApprovalRuleModel | null {
  if (approval === undefined || approval === false) return null;
  if (approval === true) return { mode: defaults.mode, waitSeconds: defaults.waitSeconds };
  if (typeof approval === 'string') return { mode: approval, waitSeconds: defaults.waitSeconds };
  return { mode: approval.mode ?? defaults.mode, waitSeconds: approval.waitSeconds ?? defaults.waitSeconds };
}

/** `defaults` (the `approvals` section) fills what a rule's `approval` leaves out. */
export function normalizePolicy(
  policy: Parsed['policy'],
  defaults: ApprovalDefaults,
  issues: NormalizeIssue[],
): PolicyModel {
  const groups = new Map<string, RuleModel[]>();
  for (const [name, group] of Object.entries(policy.groups)) {
    const rules = [
      ...group.deny.map((r, i) => normalizeRule(r, 'deny', name, i, defaults, issues)),
      ...group.allow.map((r, i) => normalizeRule(r, 'allow', name, i, defaults, issues)),
    ];
    groups.set(name, rules);
  }
  const roles: PolicyModel['roles'] = {};
  for (const [role, spec] of Object.entries(policy.roles)) {
    const rules: RuleModel[] = [];
    spec.groups.forEach((group, i) => {
      const groupRules = groups.get(group);
      if (groupRules === undefined) {
        issues.push({
          code: 'CONFIG_REFERENCE',
          refersTo: { kind: 'group', name: group },
          path: ['policy', 'roles', role, 'groups', i],
          message: `unknown permission group "${group}" (defined: ${[...groups.keys()].join(', ') || 'none'})`,
        });
        return;
      }
      rules.push(...groupRules);
    });
    roles[role] = { groups: spec.groups, rules };
  }
  return { roles };
}

export function normalizeApprovals(approvals: Parsed['approvals']): ApprovalsModel {
  return { ...approvals, approvers: [...approvals.approvers] };
}

export function normalizeAudit(audit: Parsed['audit']): AuditModel {
  return {
    enabled: audit.enabled,
    postgres: audit.postgres ?? null,
    redact: { fields: audit.redact.fields, patterns: audit.redact.patterns },
  };
}

/** Redaction patterns must compile; reported at load rather than on the first audit write. */
export function checkRedactPatterns(audit: Parsed['audit'], issues: NormalizeIssue[]): void {
  audit.redact.patterns.forEach((p, i) => {
    try {
      new RegExp(p.regex, 'gu');
    } catch (error) {
      issues.push({
        code: 'CONFIG_INVALID',
        path: ['audit', 'redact', 'patterns', i, 'regex'],
        message: `bad regular expression: ${(error as Error).message}`,
      });
    }
  });
}

export function normalizeInject(inject: Parsed['upstreams'][number]['inject']): InjectModel[] {
  return inject.map((rule) => ({ tools: rule.tools, arguments: rule.arguments }));
}

export function normalizeForwardIdentity(
  forward: Parsed['upstreams'][number]['forwardIdentity'],
): ForwardIdentityModel {
  const { headers, meta } = forward ?? FORWARD_IDENTITY_DEFAULTS;
  return { headers: { ...headers }, meta };
}

/** The database path, relative to the config file's directory unless absolute. */
export function normalizeStorage(storage: Parsed['storage'], baseDir: string): StorageModel {
  return { path: resolveFrom(baseDir, storage.path), postgres: storage.postgres ?? null };
}
