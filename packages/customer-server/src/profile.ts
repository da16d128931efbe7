/**
 * The customer profile: one answer joining the CRM (owner, current deal), support (unresolved
 * conversations, the latest few) and billing (last payment, overdue balance). The three sections
 * are fetched in parallel, each under its connector's timeout and breaker; a section whose system
 * fails says so (`{unavailable: "ChargeOver is unavailable: …"}`) instead of failing the answer.
 */
import { ToolError } from '@gatehouse/kit';
import { HttpError } from '@gatehouse/kit/infra';
import type { ChargeOverConnector, ChargeOverCustomer } from './connectors/chargeover.ts';
import { where } from './connectors/chargeover.ts';
import type { CrmObject, HubSpotConnector, PipelineStage } from './connectors/hubspot.ts';
import type { IntercomConnector, IntercomConversation, IntercomQuery } from './connectors/intercom.ts';
import { ageInDays, isoDate } from './dates.ts';
import { unavailableReason } from './failures.ts';
import { type Connectors, type Identified, identifyCustomer } from './identify.ts';

export const DEAL_PROPERTIES = [
  'dealname',
  'amount',
  'deal_currency_code',
  'closedate',
  'dealstage',
  'pipeline',
  'deal_motion',
  'dealtype',
  'hubspot_owner_id',
];

export interface ShapedDeal {
  id: string;
  name: string;
  type: string | null;
  stage: string;
  closeDate: string | null;
  amount: number | null;
  currency: string;
}

export interface Ticket {
  id: string;
  subject: string;
  state: 'open' | 'snoozed' | 'closed';
  priority: boolean;
  ageDays: number;
}

export type Section<T> = T | { unavailable: string };

export interface CustomerProfile {
  customer: { name: string; crmId: string | null; domain: string | null; tier: string | null };
  crm: Section<{ owner: string | null; currentDeal: ShapedDeal | null; openDeals: number }>;
  support: Section<{ openTickets: number; recentTickets: Ticket[] }>;
  billing: Section<{
    lastPayment: { status: 'succeeded' | 'failed'; date: string; amount: number } | null;
    overdueBalance: number;
    overdueInvoices: number;
    currency: string;
  }>;
  asOf: string;
}

const RECENT_TICKETS = 3;

export function isClosedDeal(deal: CrmObject, stages: Map<string, PipelineStage>): boolean {
  const stage = deal.properties.dealstage ?? '';
  const known = stages.get(stage)?.metadata.isClosed;
  return known === undefined ? stage === 'closedwon' || stage === 'closedlost' : known === 'true';
}

export function shapeDeal(deal: CrmObject, stages: Map<string, PipelineStage>): ShapedDeal {
  const p = deal.properties;
  const amount = p.amount === null || p.amount === undefined || p.amount === '' ? null : Number(p.amount);
  return {
    id: deal.id,
    name: p.dealname ?? '',
    type: p.deal_motion ?? p.dealtype ?? null,
    stage: stages.get(p.dealstage ?? '')?.label ?? p.dealstage ?? 'unknown',
    closeDate: p.closedate ? p.closedate.slice(0, 10) : null,
    amount: amount !== null && Number.isFinite(amount) ? amount : null,
    currency: p.deal_currency_code ?? 'USD',
  };
}

/** The open deal closing soonest, else the deal that closed last. */
export function currentDeal(deals: CrmObject[], stages: Map<string, PipelineStage>): CrmObject | undefined {
  const close = (d: CrmObject) => Date.parse(d.properties.closedate ?? '') || 0;
  const open = deals.filter((d) => !isClosedDeal(d, stages)).sort((a, b) => close(a) - close(b));
  return open[0] ?? [...deals].sort((a, b) => close(b) - close(a))[0];
}

async function crmSection(company: CrmObject, hubspot: HubSpotConnector, signal?: AbortSignal) {
  const dealIds = company.associations?.deals?.results.map((r) => r.id) ?? [];
  const ownerId = company.properties.hubspot_owner_id;
  const [deals, owner, stages] = await Promise.all([
    dealIds.length ? hubspot.batchRead('deals', dealIds, DEAL_PROPERTIES, signal) : Promise.resolve([]),
    ownerId
      ? hubspot.getOwner(ownerId, signal).catch((error: unknown) => {
          if (error instanceof HttpError && error.status === 404) return null;
          throw error;
        })
      : Promise.resolve(null),
    hubspot.dealStages(signal),
  ]);
  const current = currentDeal(deals, stages);
  return {
    owner: owner ? `${owner.firstName} ${owner.lastName}`.trim() : null,
    currentDeal: current ? shapeDeal(current, stages) : null,
    openDeals: deals.filter((d) => !isClosedDeal(d, stages)).length,
  };
}

export function subjectOf(conversation: IntercomConversation): string {
  const body = (conversation.source.body ?? '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return conversation.title || conversation.source.subject || body.slice(0, 80) || '(no subject)';
}

export function shapeTicket(conversation: IntercomConversation, today: Date): Ticket {
  return {
    id: conversation.id,
    subject: subjectOf(conversation),
    state: conversation.state,
    priority: conversation.priority === 'priority',
    ageDays: ageInDays(new Date(conversation.created_at * 1000), today),
  };
}

/** The Intercom query for a customer's people: by CRM contact id when known, else by email domain. */
export function peopleQuery(who: Pick<Identified, 'company' | 'domain'>): IntercomQuery | undefined {
  const contactIds = who.company?.associations?.contacts?.results.map((r) => r.id) ?? [];
  if (contactIds.length) return { field: 'external_id', operator: 'IN', value: contactIds };
  return who.domain ? { field: 'email', operator: '$', value: `@${who.domain}` } : undefined;
}

/** Every conversation of the customer's people, newest update first. */
export async function customerConversations(
  who: Pick<Identified, 'company' | 'domain'>,
  intercom: IntercomConnector,
  signal?: AbortSignal,
): Promise<IntercomConversation[]> {
  const query = peopleQuery(who);
  if (query === undefined) return [];
  const people = await intercom.searchContacts(query, signal);
  if (people.length === 0) return [];
  return intercom.searchConversations(
    { field: 'contact_ids', operator: 'IN', value: people.map((p) => p.id) },
    signal,
  );
}

async function supportSection(
  who: Identified,
  intercom: IntercomConnector,
  today: Date,
  signal?: AbortSignal,
) {
  const conversations = await customerConversations(who, intercom, signal);
  const unresolved = conversations.filter((c) => c.state !== 'closed');
  const closed = conversations.filter((c) => c.state === 'closed');
  return {
    openTickets: unresolved.length,
    recentTickets: [...unresolved, ...closed].slice(0, RECENT_TICKETS).map((c) => shapeTicket(c, today)),
  };
}

/** The billing customer linked to the CRM company (external key), else the one with its exact name. */
export async function findBillingCustomer(
  who: Pick<Identified, 'crmId' | 'name' | 'billingCustomer'>,
  chargeover: ChargeOverConnector,
  signal?: AbortSignal,
): Promise<ChargeOverCustomer | undefined> {
  if (who.billingCustomer) return who.billingCustomer;
  if (who.crmId) {
    const linked = await chargeover.customers([where('external_key', 'EQUALS', who.crmId)], signal);
    if (linked[0]) return linked[0];
  }
  if (/[,:]/.test(who.name)) return undefined;
  const named = await chargeover.customers([where('company', 'EQUALS', who.name)], signal);
  return named.length === 1 ? named[0] : undefined;
}

const cents = (n: number) => Math.round(n * 100) / 100;

async function billingSection(who: Identified, chargeover: ChargeOverConnector, signal?: AbortSignal) {
  const customer = await findBillingCustomer(who, chargeover, signal);
  if (customer === undefined) {
    throw new ToolError('billing_not_found', `ChargeOver has no customer linked to ${who.name}`);
  }
  const [open, payments] = await Promise.all([
    chargeover.invoices(customer.customer_id, { openOnly: true }, signal),
    chargeover.payments(customer.customer_id, 1, signal),
  ]);
  const overdue = open.filter((i) => i.invoice_status_str === 'open-overdue');
  const last = payments[0];
  return {
    lastPayment: last
      ? {
          status: last.transaction_status_str.startsWith('ok') ? ('succeeded' as const) : ('failed' as const),
          date: last.transaction_date,
          amount: last.amount,
        }
      : null,
    overdueBalance: cents(overdue.reduce((sum, i) => sum + i.balance, 0)),
    overdueInvoices: overdue.length,
    currency: customer.currency_iso4217 ?? 'USD',
  };
}

async function section<T>(load: () => Promise<T>): Promise<Section<T>> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof Error && error.name === 'AbortError') throw error;
    return { unavailable: unavailableReason(error) };
  }
}

export async function customerProfile(
  input: string,
  connectors: Connectors,
  today: Date,
  signal?: AbortSignal,
): Promise<CustomerProfile> {
  const who = await identifyCustomer(input, connectors, signal);
  const company = who.company;
  const [crm, support, billing] = await Promise.all([
    company
      ? section(() => crmSection(company, connectors.hubspot, signal))
      : Promise.resolve({ unavailable: unavailableReason(who.crmFailure) }),
    section(() => supportSection(who, connectors.intercom, today, signal)),
    section(() => billingSection(who, connectors.chargeover, signal)),
  ]);
  return {
    customer: { name: who.name, crmId: who.crmId, domain: who.domain, tier: who.tier },
    crm,
    support,
    billing,
    asOf: isoDate(today),
  };
}
