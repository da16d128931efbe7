/**
 * `find_at_risk_renewals`: renewals closing in a quarter whose customer has more than one
 * unresolved support ticket — a HubSpot + Intercom question answered in one call.
 */
import { defineTool, ToolError } from '@gatehouse/kit';
import * as z from 'zod';
import { type AtRiskAnswer, findAtRiskRenewals } from '../at-risk.ts';
import { quarterOf } from '../dates.ts';
import { toToolError } from '../failures.ts';
import type { ToolDeps } from './deps.ts';

const RenewalSchema = z.object({
  company: z.string(),
  companyId: z.string().describe('HubSpot company id (use with get_customer_profile)'),
  tier: z.string().nullable(),
  dealId: z.string(),
  deal: z.string(),
  stage: z.string(),
  amount: z.number().nullable(),
  currency: z.string(),
  closeDate: z.string().nullable(),
  owner: z.string().nullable(),
  unresolvedTickets: z.number().int(),
  why: z.array(z.string()).describe('Subjects of the unresolved tickets (up to 5)'),
});

export const AtRiskSchema = z.object({
  quarter: z.object({ label: z.string(), from: z.string(), to: z.string() }),
  tier: z.string(),
  minUnresolvedTickets: z.number().int(),
  renewalsConsidered: z
    .number()
    .int()
    .describe('Open renewals closing in the quarter, before the ticket filter'),
  atRisk: z.array(RenewalSchema),
});

export function atRiskText(answer: AtRiskAnswer): string {
  const head = `${answer.atRisk.length} of ${answer.renewalsConsidered} open ${answer.tier} renewals closing ${answer.quarter.label} have ≥${answer.minUnresolvedTickets} unresolved tickets.`;
  const rows = answer.atRisk.map(
    (r) =>
      `- ${r.company}: ${r.stage}, closes ${r.closeDate}, ${r.amount ?? '?'} ${r.currency}, owner ${r.owner ?? 'unassigned'}, ${r.unresolvedTickets} tickets: ${r.why.join('; ')}`,
  );
  return [head, ...rows].join('\n');
}

export function atRiskTool(deps: ToolDeps) {
  return defineTool({
    name: 'find_at_risk_renewals',
    title: 'At-risk renewals (CRM + support)',
    description:
      'Lists open renewal deals closing in a quarter whose customer has more than one unresolved support ticket (open or snoozed in Intercom) — the renewals most at risk. Each row has the company, deal, stage, amount, close date, owner, the unresolved ticket count and the ticket subjects as the reason. Defaults: the current quarter, enterprise customers, at least 2 unresolved tickets.',
    input: z.object({
      quarter: z
        .string()
        .default('current')
        .describe('"current", "next", "previous" or an explicit quarter like "2026-Q4"'),
      tier: z.enum(['enterprise', 'mid-market', 'smb', 'any']).default('enterprise'),
      minUnresolvedTickets: z.number().int().min(1).max(100).default(2),
    }),
    output: AtRiskSchema,
    annotations: { readOnlyHint: true, openWorldHint: true },
    text: (answer) => atRiskText(answer as AtRiskAnswer),
    async handler(input, ctx) {
      const quarter = quarterOf(input.quarter, deps.today());
      if (quarter === undefined) {
        throw new ToolError(
          'invalid_quarter',
          `"${input.quarter}" is not a quarter: use "current", "next", "previous" or YYYY-Qn such as 2026-Q4.`,
        );
      }
      try {
        return await findAtRiskRenewals(
          {
            quarter,
            tier: input.tier === 'any' ? undefined : input.tier,
            minUnresolvedTickets: input.minUnresolvedTickets,
          },
          deps.connectors,
          ctx.signal,
        );
      } catch (error) {
        throw toToolError(error);
      }
    },
  });
}
