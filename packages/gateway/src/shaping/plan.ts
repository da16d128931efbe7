/**
 * Which rule shapes a tool, and the tool as callers then see it. Both are decided once, when the
 * catalog is built: the catalog entry carries the plan (so a call to an unshaped tool costs one
 * property read), and the advertised definition carries the shaped outputSchema and, with a token
 * budget, an optional `continuation` argument — the same place injection rewrites inputSchema.
 */
import type { Tool } from '@modelcontextprotocol/client';
import type { ShapingRuleModel } from '../config/model-shaping.ts';
import { anyGlobMatches } from '../policy/glob.ts';
import { shapeSchema } from './json-schema.ts';

export interface ShapingPlan {
  rule: ShapingRuleModel;
  /**
   * Whether the token budget pages (and `continuation` is the gateway's). False when the
   * upstream tool has an argument of that name itself: then the budget is not applied.
   */
  paged: boolean;
}

export const CONTINUATION_ARGUMENT = 'continuation';

const CONTINUATION_PROPERTY = {
  type: 'string',
  description:
    'Gatehouse: to get the items a previous result held back, pass the continuation it gave (with the same arguments); the rest is answered without calling the service again.',
};

function declaresContinuation(tool: Tool): boolean {
  const properties = (tool.inputSchema as { properties?: unknown }).properties;
  return properties !== null && typeof properties === 'object' && CONTINUATION_ARGUMENT in properties;
}

/** The plan for one upstream tool: the first rule whose globs match its own name. */
export function shapingPlanFor(rules: readonly ShapingRuleModel[], tool: Tool): ShapingPlan | undefined {
  const rule = rules.find((r) => anyGlobMatches(r.tools, tool.name));
  if (rule === undefined) return undefined;
  return { rule, paged: rule.tokenBudget !== null && !declaresContinuation(tool) };
}

/** The definition callers see: the shaped outputSchema, and `continuation` when results are paged. */
export function shapeTool(tool: Tool, plan: ShapingPlan): Tool {
  const out: Tool = { ...tool };
  if (tool.outputSchema !== undefined) {
    try {
      out.outputSchema = shapeSchema(tool.outputSchema, plan.rule) as Tool['outputSchema'];
    } catch {
      // A schema the rewrite cannot follow is not advertised rather than advertised wrong.
      delete out.outputSchema;
    }
  }
  if (plan.paged) {
    const schema = tool.inputSchema;
    out.inputSchema = {
      ...schema,
      properties: { ...schema.properties, [CONTINUATION_ARGUMENT]: CONTINUATION_PROPERTY },
    };
  }
  return out;
}
