/**
 * normalize() for `toolSearch`: each role's limit filled from the section's, and every role named
 * must be a role of the policy (a typo would otherwise leave that role silently out of search
 * mode). Pure.
 */
import type { ToolSearchModel } from './model-search.ts';
import type { NormalizeIssue } from './normalize.ts';
import type { ToolSearchParsed } from './schema-search.ts';

export function normalizeToolSearch(
  parsed: ToolSearchParsed,
  policyRoles: readonly string[],
  issues: NormalizeIssue[],
): ToolSearchModel {
  const roles: ToolSearchModel['roles'] = {};
  for (const [role, spec] of Object.entries(parsed.roles)) {
    if (!policyRoles.includes(role)) {
      issues.push({
        code: 'CONFIG_REFERENCE',
        refersTo: { kind: 'role', name: role },
        path: ['toolSearch', 'roles', role],
        message: `unknown role "${role}" (policy.roles defines: ${policyRoles.join(', ') || 'none'})`,
      });
      continue;
    }
    roles[role] = { core: [...spec.core], limit: spec.limit ?? parsed.limit };
  }
  const embeddings = parsed.embeddings;
  return {
    roles,
    embeddings:
      embeddings === undefined
        ? null
        : {
            baseUrl: embeddings.baseUrl,
            model: embeddings.model,
            apiKeyEnv: embeddings.apiKeyEnv ?? null,
            weight: embeddings.weight,
          },
  };
}
