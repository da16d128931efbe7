/**
 * The lower-level tools: one system's records, close to what its API returns (null and empty
 * fields dropped, nothing else). For drilling into a deal, a ticket list or invoices after the
 * profile — and the baseline the token benchmark compares the profile against.
 *
 *   get_deal      HubSpot deal with every property and its associations
 *   list_tickets  Intercom conversations of a company or one contact
 *   get_invoices  ChargeOver invoices of a company
 */
import { defineTool, ToolError } from '@gatehouse/kit';
import * as z from 'zod';
import { INVOICE_STATUS } from '../connectors/chargeover.ts';
import type { IntercomQuery } from '../connectors/intercom.ts';
import { toToolError } from '../failures.ts';
import { identifyCustomer } from '../identify.ts';
import { findBillingCustomer, peopleQuery } from '../profile.ts';
import type { ToolDeps } from './deps.ts';

/** Drops null, empty strings, empty arrays and empty objects, recursively. */
export function compact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(compact).filter((v) => v !== undefined);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .map(([k, v]) => [k, compact(v)] as const)
      .filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))
      .filter(
        ([, v]) => !(v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0),
      );
    return Object.fromEntries(entries);
  }
  return value === null || value === '' ? undefined : value;
}

const RawObject = z.record(z.string(), z.unknown());
const read = { readOnlyHint: true, openWorldHint: true } as const;

export function getDealTool(deps: ToolDeps) {
  return defineTool({
    name: 'get_deal',
    title: 'CRM deal (raw)',
    description:
      'One HubSpot deal with all of its properties (HubSpot names, string values) and its associated company and contact ids. Use it to drill into a deal named by get_customer_profile or find_at_risk_renewals; for a customer overview use get_customer_profile instead.',
    input: z.object({
      dealId: z.string().regex(/^\d+$/, 'a HubSpot deal id is digits').describe('HubSpot deal id'),
    }),
    output: z.object({ deal: RawObject }),
    annotations: read,
    async handler({ dealId }, ctx) {
      try {
        const { hubspot } = deps.connectors;
        const properties = await hubspot.allPropertyNames('deals', ctx.signal);
        const deal = await hubspot.getObject('deals', dealId, {
          properties,
          associations: ['companies', 'contacts'],
          signal: ctx.signal,
        });
        return { deal: compact(deal) as Record<string, unknown> };
      } catch (error) {
        throw toToolError(error, `No HubSpot deal has id ${dealId}.`);
      }
    },
  });
}

const STATES = { open: ['open'], snoozed: ['snoozed'], closed: ['closed'], unresolved: ['open', 'snoozed'] };

export function listTicketsTool(deps: ToolDeps) {
  return defineTool({
    name: 'list_tickets',
    title: 'Support tickets (raw)',
    description:
      'The Intercom conversations of a company (by name, domain or HubSpot id) or of one contact (by email), as Intercom returns them, newest update first. Optionally only one state: open, snoozed, closed or unresolved (open + snoozed). For a customer overview use get_customer_profile instead.',
    input: z.object({
      company: z
        .string()
        .min(1)
        .max(200)
        .optional()
        .describe('Company name, web domain or HubSpot company id'),
      contactEmail: z.email().optional().describe("A customer contact's email address"),
      state: z.enum(['open', 'snoozed', 'closed', 'unresolved', 'any']).default('any'),
    }),
    output: z.object({ totalCount: z.number().int(), tickets: z.array(RawObject) }),
    annotations: read,
    async handler({ company, contactEmail, state }, ctx) {
      if ((company === undefined) === (contactEmail === undefined)) {
        throw new ToolError('invalid_arguments', 'Give exactly one of company or contactEmail.');
      }
      try {
        const { intercom } = deps.connectors;
        const people: IntercomQuery | undefined = contactEmail
          ? { field: 'email', operator: '=', value: contactEmail }
          : peopleQuery(await identifyCustomer(company ?? '', deps.connectors, ctx.signal));
        const contacts = people ? await intercom.searchContacts(people, ctx.signal) : [];
        if (contacts.length === 0) {
          if (contactEmail)
            throw new ToolError('not_found', `No Intercom contact has the email ${contactEmail}.`);
          return { totalCount: 0, tickets: [] };
        }
        const byContact: IntercomQuery = {
          field: 'contact_ids',
          operator: 'IN',
          value: contacts.map((c) => c.id),
        };
        const query: IntercomQuery =
          state === 'any'
            ? byContact
            : {
                operator: 'AND',
                value: [byContact, { field: 'state', operator: 'IN', value: STATES[state] }],
              };
        const tickets = await intercom.searchConversations(query, ctx.signal);
        return {
          totalCount: tickets.length,
          tickets: tickets.map((t) => compact(t) as Record<string, unknown>),
        };
      } catch (error) {
        throw toToolError(error);
      }
    },
  });
}

export function getInvoicesTool(deps: ToolDeps) {
  return defineTool({
    name: 'get_invoices',
    title: 'Invoices (raw)',
    description:
      "A company's ChargeOver invoices with line items and status, newest first, as ChargeOver returns them. Optionally one status: paid, unpaid (not yet due), overdue, void, or open (unpaid + overdue). For a customer overview use get_customer_profile instead.",
    input: z.object({
      company: z.string().min(1).max(200).describe('Company name, web domain or HubSpot company id'),
      status: z.enum(['paid', 'unpaid', 'overdue', 'void', 'open', 'any']).default('any'),
    }),
    output: z.object({
      customer: z.object({ id: z.number(), name: z.string() }),
      invoices: z.array(RawObject),
    }),
    annotations: read,
    async handler({ company, status }, ctx) {
      try {
        const { chargeover } = deps.connectors;
        const who = await identifyCustomer(company, deps.connectors, ctx.signal);
        const customer = await findBillingCustomer(who, chargeover, ctx.signal);
        if (customer === undefined)
          throw new ToolError('not_found', `ChargeOver has no customer linked to ${who.name}.`);
        const filter =
          status === 'any' ? {} : status === 'open' ? { openOnly: true } : { status: INVOICE_STATUS[status] };
        const invoices = await chargeover.invoices(customer.customer_id, filter, ctx.signal);
        return {
          customer: { id: customer.customer_id, name: customer.company },
          invoices: invoices.map((i) => compact(i) as Record<string, unknown>),
        };
      } catch (error) {
        throw toToolError(error);
      }
    },
  });
}
