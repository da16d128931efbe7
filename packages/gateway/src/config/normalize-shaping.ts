/**
 * normalize() for `upstreams[].shaping`: compiles each rule's paths into steps. Pure; the schema
 * has already rejected every path that does not parse.
 */
import type { ShapingRuleModel } from './model-shaping.ts';
import type { ShapingRuleInput } from './schema-shaping.ts';
import { compilePath } from './shaping-paths.ts';

export function normalizeShaping(rules: readonly ShapingRuleInput[]): ShapingRuleModel[] {
  return rules.map((rule) => ({
    tools: [...rule.tools],
    pick: rule.pick === undefined ? null : rule.pick.map(compilePath),
    omit: (rule.omit ?? []).map(compilePath),
    rename: Object.entries(rule.rename ?? {}).map(([path, to]) => ({ path: compilePath(path), to })),
    truncate:
      rule.truncate === undefined
        ? null
        : {
            maxChars: rule.truncate.maxChars,
            paths: rule.truncate.paths === undefined ? null : rule.truncate.paths.map(compilePath),
          },
    maxItems: rule.maxItems ?? null,
    arrays: Object.entries(rule.arrays ?? {}).map(([path, maxItems]) => ({
      path: compilePath(path),
      maxItems,
    })),
    tokenBudget: rule.tokenBudget ?? null,
  }));
}
