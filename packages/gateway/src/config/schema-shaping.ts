/**
 * The `upstreams[].shaping` section of gatehouse.yaml: declarative projections of tool results
 * (pick, omit, rename, truncate, cap arrays, token budget). Part of the one zod schema in
 * schema.ts; normalize-shaping.ts compiles it into the runtime model (model-shaping.ts). Every
 * check that can be made on the text alone — path syntax, contradictions, empty rules — is made
 * here, so a bad rule is a CONFIG_INVALID issue naming its path.
 */
import { z } from 'zod';
import type { PathStep } from './model-shaping.ts';
import { parsePath } from './shaping-paths.ts';

const globs = z.array(z.string().min(1)).min(1);

const pathText = z
  .string()
  .superRefine((text, ctx) => {
    const parsed = parsePath(text);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
  })
  .describe(
    'A dotted path into the result: `a.b`, `items[].id` ([] = every element), `*` = any key (or element), `hs_*` = keys matching a glob.',
  );

const paths = z.array(pathText).min(1);

const newName = z
  .string()
  .regex(/^[^.[\]*?]+$/, 'a plain key: no ".", "[", "]", "*" or "?"')
  .describe('The new key.');

const count = z.number().int().positive();

export const TruncateSchema = z
  .object({
    maxChars: count.describe(
      'Longest string kept, in characters (Unicode code points); longer ones are cut and end in "…".',
    ),
    paths: paths
      .optional()
      .describe(
        'Only strings at (or anywhere under) these paths; default: every string, including plain-text content.',
      ),
  })
  .strict();

const RuleFields = z
  .object({
    tools: globs.describe("The upstream's own tool names this rule shapes (globs: * and ?)."),
    pick: paths
      .optional()
      .describe('Keep only these paths (and what leads to them); everything else is left out.'),
    omit: paths.optional().describe('Leave out these paths (after pick).'),
    rename: z
      .record(pathText, newName)
      .optional()
      .describe(
        'Path → new key for the last step of the path (after pick and omit; paths use the old names).',
      ),
    truncate: TruncateSchema.optional().describe('Cut long strings (after rename).'),
    maxItems: count
      .optional()
      .describe('Keep at most this many elements of every array; the count left out is reported.'),
    arrays: z
      .record(pathText, count.describe('Most elements kept of the array at this path.'))
      .optional()
      .describe(
        'Array path → most elements kept, overriding maxItems for that array (paths use the renamed keys).',
      ),
    tokenBudget: count
      .optional()
      .describe(
        'Estimated tokens (JSON characters / 4) the shaped result may use; over it, the largest arrays are paged and the rest is fetched with `continuation`.',
      ),
  })
  .strict();

type RuleInput = z.output<typeof RuleFields>;

const OPERATIONS = ['pick', 'omit', 'rename', 'truncate', 'maxItems', 'arrays', 'tokenBudget'] as const;

function stepsOf(text: string): PathStep[] | undefined {
  const parsed = parsePath(text);
  return parsed.ok ? parsed.path.steps : undefined;
}

/** The same path, however it was spelled (`a[]` and `a.*` differ: one is arrays only). */
function canonical(text: string): string | undefined {
  const steps = stepsOf(text);
  return steps === undefined ? undefined : JSON.stringify(steps);
}

function checkRule(rule: RuleInput, ctx: z.RefinementCtx): void {
  if (!OPERATIONS.some((op) => rule[op] !== undefined)) {
    ctx.addIssue({
      code: 'custom',
      message: `a shaping rule needs at least one of ${OPERATIONS.join(', ')}`,
    });
  }
  const picked = new Set((rule.pick ?? []).map(canonical));
  (rule.omit ?? []).forEach((text, i) => {
    const steps = stepsOf(text);
    if (steps === undefined) return;
    if (picked.has(canonical(text))) {
      ctx.addIssue({
        code: 'custom',
        path: ['omit', i],
        message: `"${text}" is both picked and omitted; keep it in one of the two`,
      });
    }
    if (steps.at(-1)?.kind === 'each') {
      ctx.addIssue({
        code: 'custom',
        path: ['omit', i],
        message: `"${text}" ends in []: omit the array itself ("${text.replace(/(\[\])+$/, '')}"), or cap it with arrays`,
      });
    }
  });
  const targets = new Map<string, string>();
  for (const [text, to] of Object.entries(rule.rename ?? {})) {
    const steps = stepsOf(text);
    if (steps === undefined) continue;
    const last = steps.at(-1);
    if (last?.kind !== 'key') {
      ctx.addIssue({
        code: 'custom',
        path: ['rename', text],
        message: `"${text}" must end in a plain key to rename (not [], * or a glob)`,
      });
      continue;
    }
    const sibling = `${JSON.stringify(steps.slice(0, -1))}→${to}`;
    const other = targets.get(sibling);
    if (other !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['rename', text],
        message: `"${text}" and "${other}" are both renamed to "${to}" in the same object`,
      });
    }
    targets.set(sibling, text);
  }
  for (const text of Object.keys(rule.arrays ?? {})) {
    if (stepsOf(text)?.at(-1)?.kind === 'each') {
      ctx.addIssue({
        code: 'custom',
        path: ['arrays', text],
        message: `"${text}" names the elements; name the array itself ("${text.replace(/(\[\])+$/, '')}")`,
      });
    }
  }
}

export const ShapingRuleSchema = RuleFields.superRefine(checkRule).describe(
  'One shaping rule: which tools, and the steps applied to their results in order (pick, omit, rename, truncate, cap arrays, token budget).',
);

/** Per upstream: the first rule whose `tools` match an upstream tool shapes that tool's results. */
export const ShapingSchema = z.array(ShapingRuleSchema).default([]);

export type ShapingRuleInput = z.output<typeof ShapingRuleSchema>;
