/**
 * `get_customer_profile`: the cross-system answer about one customer — CRM owner and current
 * deal, support tickets, billing status — in a few hundred tokens, with a one-paragraph text
 * beside the structured result.
 */
import { defineTool } from '@gatehouse/kit';
import * as z from 'zod';
import { toToolError } from '../failures.ts';
import { type CustomerProfile, customerProfile } from '../profile.ts';
import type { ToolDeps } from './deps.ts';

const Unavailable = z.object({
  unavailable: z.string().describe('Why this section is missing, e.g. "ChargeOver is unavailable: …"'),
});

export const DealSchema = z.object({
  id: z.string().describe('HubSpot deal id (use with get_deal)'),
  name: z.string(),
  type: z.string().nullable().describe('renewal, expansion or new_business'),
  stage: z.string().describe('Pipeline stage label, e.g. "Contract Sent", "Closed Won"'),
  closeDate: z.string().nullable().describe('YYYY-MM-DD'),
  amount: z.number().nullable(),
  currency: z.string(),
});

const TicketSchema = z.object({
  id: z.string().describe('Intercom conversation id'),
  subject: z.string(),
  state: z.enum(['open', 'snoozed', 'closed']),
  priority: z.boolean(),
  ageDays: z.number().int().describe('Days since the customer opened it'),
});

export const ProfileSchema = z.object({
  customer: z.object({
    name: z.string(),
    crmId: z.string().nullable().describe('HubSpot company id'),
    domain: z.string().nullable(),
    tier: z.string().nullable().describe('enterprise, mid-market or smb'),
  }),
  crm: z.union([
    z.object({
      owner: z.string().nullable().describe('Account owner (sales rep)'),
      currentDeal: DealSchema.nullable().describe('The open deal closing soonest, else the last closed one'),
      openDeals: z.number().int(),
    }),
    Unavailable,
  ]),
  support: z.union([
    z.object({
      openTickets: z.number().int().describe('Unresolved conversations (open or snoozed)'),
      recentTickets: z.array(TicketSchema).describe('Up to 3: unresolved ones first, newest update first'),
    }),
    Unavailable,
  ]),
  billing: z.union([
    z.object({
      lastPayment: z
        .object({ status: z.enum(['succeeded', 'failed']), date: z.string(), amount: z.number() })
        .nullable(),
      overdueBalance: z.number(),
      overdueInvoices: z.number().int(),
      currency: z.string(),
    }),
    Unavailable,
  ]),
  asOf: z.string().describe('The date the answer is for (YYYY-MM-DD)'),
});

const money = (amount: number | null, currency: string) =>
  amount === null
    ? 'no amount'
    : `${amount.toLocaleString('en-US', { maximumFractionDigits: 2 })} ${currency}`;

/** The profile as a short paragraph: what a model reads when it does not parse structuredContent. */
export function profileText(p: CustomerProfile): string {
  const c = p.customer;
  const lines = [
    `${c.name} (${[c.tier, c.domain, c.crmId && `HubSpot ${c.crmId}`].filter(Boolean).join(', ')}), as of ${p.asOf}.`,
  ];
  if ('unavailable' in p.crm) lines.push(`CRM: unavailable (${p.crm.unavailable}).`);
  else {
    const d = p.crm.currentDeal;
    const deal = d
      ? `"${d.name}" ${d.stage}, closes ${d.closeDate ?? '?'}, ${money(d.amount, d.currency)}`
      : 'no deals';
    lines.push(
      `CRM: owner ${p.crm.owner ?? 'unassigned'}; current deal ${deal}; ${p.crm.openDeals} open deal(s).`,
    );
  }
  if ('unavailable' in p.support) lines.push(`Support: unavailable (${p.support.unavailable}).`);
  else {
    const recent = p.support.recentTickets
      .map((t) => `"${t.subject}" (${t.state}${t.priority ? ', priority' : ''}, ${t.ageDays}d)`)
      .join('; ');
    lines.push(
      `Support: ${p.support.openTickets} unresolved ticket(s)${recent ? `. Recent: ${recent}` : ''}.`,
    );
  }
  if ('unavailable' in p.billing) lines.push(`Billing: unavailable (${p.billing.unavailable}).`);
  else {
    const b = p.billing;
    const paid = b.lastPayment
      ? `last payment ${b.lastPayment.status} ${b.lastPayment.date} (${money(b.lastPayment.amount, b.currency)})`
      : 'no payments yet';
    lines.push(
      `Billing: ${paid}; overdue ${money(b.overdueBalance, b.currency)} in ${b.overdueInvoices} invoice(s).`,
    );
  }
  return lines.join('\n');
}

export function profileTool(deps: ToolDeps) {
  return defineTool({
    name: 'get_customer_profile',
    title: 'Customer profile (CRM + support + billing)',
    description:
      'Everything about one customer in one call: account owner and current deal from the CRM (HubSpot), unresolved support tickets and the latest few (Intercom), and last payment and overdue balance (ChargeOver). Use it whenever the user asks about a specific customer. Name the customer by company name, web domain or HubSpot company id. If one system is down, that section says "unavailable" and the rest is still answered.',
    input: z.object({
      customer: z
        .string()
        .min(1)
        .max(200)
        .describe(
          'Company name (e.g. "Sawtooth Trading Post"), web domain (sawtoothtradingpost.com) or HubSpot company id',
        ),
    }),
    output: ProfileSchema,
    annotations: { readOnlyHint: true, openWorldHint: true },
    text: (profile) => profileText(profile as CustomerProfile),
    async handler({ customer }, ctx) {
      try {
        return await customerProfile(customer, deps.connectors, deps.today(), ctx.signal);
      } catch (error) {
        throw toToolError(error);
      }
    },
  });
}
