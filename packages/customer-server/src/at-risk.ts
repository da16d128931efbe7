/**
 * The cross-system question "which renewals closing this quarter have more than one unresolved
 * support ticket?", answered with searches and batch reads instead of scanning every record:
 *
 *   1. HubSpot deal search: open renewals (`deal_motion` = renewal, stage not closed) of the tier
 *      closing in the quarter;
 *   2. HubSpot v4 batch associations deal → company and company → contact, companies batch read,
 *      and the owners list (in parallel);
 *   3. Intercom contact search by `external_id IN [CRM contact ids]`, then conversation search by
 *      `contact_ids IN [...] AND state IN [open, snoozed]` — in chunks, a few at a time.
 */

import { mapBounded } from './concurrency.ts';
import type { CrmObject } from './connectors/hubspot.ts';
import { chunk } from './connectors/hubspot.ts';
import type { IntercomConversation } from './connectors/intercom.ts';
import { isoDate, type Quarter } from './dates.ts';
import type { Connectors } from './identify.ts';
import { DEAL_PROPERTIES, shapeDeal, subjectOf } from './profile.ts';

/** Values per Intercom `IN` filter and search calls in flight. */
const IN_CHUNK = 50;
const CONCURRENCY = 4;
const MAX_REASONS = 5;

export interface AtRiskQuery {
  quarter: Quarter;
  /** A `customer_tier` value, or undefined for every tier. */
  tier: string | undefined;
  minUnresolvedTickets: number;
}

export interface AtRiskRenewal {
  company: string;
  companyId: string;
  tier: string | null;
  dealId: string;
  deal: string;
  stage: string;
  amount: number | null;
  currency: string;
  closeDate: string | null;
  owner: string | null;
  unresolvedTickets: number;
  why: string[];
}

export interface AtRiskAnswer {
  quarter: { label: string; from: string; to: string };
  tier: string;
  minUnresolvedTickets: number;
  renewalsConsidered: number;
  atRisk: AtRiskRenewal[];
}

async function openRenewals(
  query: AtRiskQuery,
  { hubspot }: Connectors,
  signal?: AbortSignal,
): Promise<CrmObject[]> {
  const filters = [
    { propertyName: 'deal_motion', operator: 'EQ' as const, value: 'renewal' },
    {
      propertyName: 'closedate',
      operator: 'BETWEEN' as const,
      value: String(query.quarter.start.getTime()),
      highValue: String(query.quarter.end.getTime() - 1),
    },
    { propertyName: 'dealstage', operator: 'NOT_IN' as const, values: ['closedwon', 'closedlost'] },
    ...(query.tier ? [{ propertyName: 'customer_tier', operator: 'EQ' as const, value: query.tier }] : []),
  ];
  return hubspot.searchAll(
    'deals',
    {
      filterGroups: [{ filters }],
      properties: DEAL_PROPERTIES,
      sorts: [{ propertyName: 'closedate', direction: 'ASCENDING' }],
    },
    signal,
  );
}

/** Unresolved conversations per CRM company id. */
async function unresolvedByCompany(
  contactsByCompany: Map<string, string[]>,
  { intercom }: Connectors,
  signal?: AbortSignal,
): Promise<Map<string, IntercomConversation[]>> {
  const companyOfContact = new Map<string, string>();
  for (const [companyId, contactIds] of contactsByCompany)
    for (const id of contactIds) companyOfContact.set(id, companyId);
  const people = (
    await mapBounded(chunk([...companyOfContact.keys()], IN_CHUNK), CONCURRENCY, (ids) =>
      intercom.searchContacts({ field: 'external_id', operator: 'IN', value: ids }, signal),
    )
  ).flat();
  const companyOfPerson = new Map<string, string>();
  for (const person of people) {
    const companyId = person.external_id ? companyOfContact.get(person.external_id) : undefined;
    if (companyId) companyOfPerson.set(person.id, companyId);
  }
  const conversations = (
    await mapBounded(chunk([...companyOfPerson.keys()], IN_CHUNK), CONCURRENCY, (ids) =>
      intercom.searchConversations(
        {
          operator: 'AND',
          value: [
            { field: 'contact_ids', operator: 'IN', value: ids },
            { field: 'state', operator: 'IN', value: ['open', 'snoozed'] },
          ],
        },
        signal,
      ),
    )
  ).flat();
  const out = new Map<string, IntercomConversation[]>();
  const seen = new Set<string>();
  for (const conversation of conversations) {
    if (seen.has(conversation.id)) continue;
    seen.add(conversation.id);
    const companies = new Set(conversation.contacts.contacts.flatMap((c) => companyOfPerson.get(c.id) ?? []));
    for (const companyId of companies) out.set(companyId, [...(out.get(companyId) ?? []), conversation]);
  }
  return out;
}

export async function findAtRiskRenewals(
  query: AtRiskQuery,
  connectors: Connectors,
  signal?: AbortSignal,
): Promise<AtRiskAnswer> {
  const { hubspot } = connectors;
  const deals = await openRenewals(query, connectors, signal);
  const dealCompany = await hubspot.associations(
    'deals',
    'companies',
    deals.map((d) => d.id),
    signal,
  );
  const companyIds = [...new Set([...dealCompany.values()].flatMap((ids) => ids.slice(0, 1)))];
  const [companies, contactsByCompany, owners, stages] = await Promise.all([
    hubspot.batchRead('companies', companyIds, ['name', 'domain', 'customer_tier'], signal),
    hubspot.associations('companies', 'contacts', companyIds, signal),
    hubspot.listOwners(signal),
    hubspot.dealStages(signal),
  ]);
  const unresolved = await unresolvedByCompany(contactsByCompany, connectors, signal);
  const companyById = new Map(companies.map((c) => [c.id, c]));
  const ownerName = new Map(owners.map((o) => [o.id, `${o.firstName} ${o.lastName}`.trim()]));

  const atRisk: AtRiskRenewal[] = [];
  for (const deal of deals) {
    const companyId = dealCompany.get(deal.id)?.[0];
    const company = companyId ? companyById.get(companyId) : undefined;
    if (companyId === undefined || company === undefined) continue;
    const tickets = unresolved.get(companyId) ?? [];
    if (tickets.length < query.minUnresolvedTickets) continue;
    const shaped = shapeDeal(deal, stages);
    const ownerId = deal.properties.hubspot_owner_id;
    atRisk.push({
      company: company.properties.name ?? companyId,
      companyId,
      tier: company.properties.customer_tier ?? null,
      dealId: deal.id,
      deal: shaped.name,
      stage: shaped.stage,
      amount: shaped.amount,
      currency: shaped.currency,
      closeDate: shaped.closeDate,
      owner: ownerId ? (ownerName.get(ownerId) ?? null) : null,
      unresolvedTickets: tickets.length,
      why: tickets.slice(0, MAX_REASONS).map(subjectOf),
    });
  }
  return {
    quarter: {
      label: query.quarter.label,
      from: isoDate(query.quarter.start),
      to: isoDate(new Date(query.quarter.end.getTime() - 1)),
    },
    tier: query.tier ?? 'any',
    minUnresolvedTickets: query.minUnresolvedTickets,
    renewalsConsidered: deals.length,
    atRisk,
  };
}
