/**
 * The HubSpot sandbox's property catalogue: every property a company, contact and deal carries,
 * with its HubSpot type and how its value is read from the customer world. HubSpot returns every
 * property value as a string (numbers "42000", booleans "true", datetimes ISO-8601) or null, and
 * answers with a small default set unless `properties` names others — both modelled here.
 */
import { DEAL_STAGES, isClosedStage } from '../seed/customer-deals.ts';
import type { CustomerIndex } from '../seed/customer-index.ts';
import type { Company, Contact, Deal, DealStage } from '../seed/customers.ts';

export type PropertyType = 'string' | 'number' | 'datetime' | 'enumeration' | 'bool';
type Value = string | number | boolean | Date | null;
export type PropertyDef<T> = readonly [
  name: string,
  type: PropertyType,
  get: (record: T, index: CustomerIndex) => Value,
];

export type ObjectType = 'companies' | 'contacts' | 'deals';

export const DEFAULT_PROPERTIES: Record<ObjectType, string[]> = {
  companies: ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
  contacts: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
  deals: [
    'amount',
    'closedate',
    'createdate',
    'dealname',
    'dealstage',
    'hs_lastmodifieddate',
    'hs_object_id',
    'pipeline',
  ],
};

/** Always returned, whatever `properties` asks for. */
export const ALWAYS_RETURNED: Record<ObjectType, string[]> = {
  companies: ['createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  contacts: ['createdate', 'lastmodifieddate', 'hs_object_id'],
  deals: ['createdate', 'hs_lastmodifieddate', 'hs_object_id'],
};

const DAY = 86_400_000;
const TIMEZONE: Record<string, string> = {
  WA: 'America/Los_Angeles',
  OR: 'America/Los_Angeles',
  CA: 'America/Los_Angeles',
  NV: 'America/Los_Angeles',
  AK: 'America/Anchorage',
  NC: 'America/New_York',
  VT: 'America/New_York',
  TN: 'America/Chicago',
  MN: 'America/Chicago',
  WI: 'America/Chicago',
};

function companyDeals(company: Company, index: CustomerIndex): Deal[] {
  return company.dealIds.flatMap((id) => index.deals.get(id) ?? []);
}

function wonDeals(company: Company, index: CustomerIndex): Deal[] {
  return companyDeals(company, index)
    .filter((d) => d.stage === 'closedwon')
    .sort((a, b) => a.closeDate.getTime() - b.closeDate.getTime());
}

function ownerUserId(ownerId: string, index: CustomerIndex): number | null {
  return index.owners.get(ownerId)?.userId ?? null;
}

function teamOf(ownerId: string, index: CustomerIndex): string | null {
  return index.owners.get(ownerId)?.teamId ?? null;
}

/** The stages a deal went through, with the time it entered each (spread from creation to now). */
export function stagePath(deal: Deal): { stage: DealStage; enteredAt: Date; leftAt: Date | null }[] {
  const current = DEAL_STAGES.findIndex((s) => s.id === deal.stage);
  const before = isClosedStage(deal.stage) ? (deal.stage === 'closedwon' ? 4 : 2) : current;
  const ids = [
    ...DEAL_STAGES.slice(0, before).map((s) => s.id),
    ...(isClosedStage(deal.stage) ? [deal.stage] : [deal.stage]),
  ];
  const span = deal.stageEnteredAt.getTime() - deal.createdAt.getTime();
  const entered = ids.map((stage, i) => ({
    stage,
    enteredAt: new Date(deal.createdAt.getTime() + (ids.length === 1 ? 0 : (span * i) / (ids.length - 1))),
  }));
  return entered.map((e, i) => ({ ...e, leftAt: entered[i + 1]?.enteredAt ?? null }));
}

function stageTimes(): PropertyDef<Deal>[] {
  return DEAL_STAGES.flatMap((s): PropertyDef<Deal>[] => [
    [
      `hs_date_entered_${s.id}`,
      'datetime',
      (d) => stagePath(d).find((p) => p.stage === s.id)?.enteredAt ?? null,
    ],
    [`hs_date_exited_${s.id}`, 'datetime', (d) => stagePath(d).find((p) => p.stage === s.id)?.leftAt ?? null],
    [
      `hs_time_in_${s.id}`,
      'number',
      (d, ix) => {
        const p = stagePath(d).find((x) => x.stage === s.id);
        return p ? (p.leftAt ?? ix.world.today).getTime() - p.enteredAt.getTime() : null;
      },
    ],
  ]);
}

const probability = (d: Deal) => DEAL_STAGES.find((s) => s.id === d.stage)?.probability ?? 0;

// biome-ignore format: a property table reads best one property per line
export const DEAL_PROPERTIES: PropertyDef<Deal>[] = [
  ['dealname', 'string', (d) => d.name],
  ['amount', 'number', (d) => d.amount],
  ['amount_in_home_currency', 'number', (d) => d.amount],
  ['deal_currency_code', 'enumeration', (d) => d.currency],
  ['closedate', 'datetime', (d) => d.closeDate],
  ['createdate', 'datetime', (d) => d.createdAt],
  ['hs_lastmodifieddate', 'datetime', (d) => d.updatedAt],
  ['hs_object_id', 'number', (d) => d.id],
  ['pipeline', 'enumeration', () => 'default'],
  ['dealstage', 'enumeration', (d) => d.stage],
  ['dealtype', 'enumeration', (d) => (d.kind === 'new_business' ? 'newbusiness' : 'existingbusiness')],
  ['deal_motion', 'enumeration', (d) => d.kind],
  ['customer_tier', 'enumeration', (d, ix) => ix.companies.get(d.companyId)?.tier ?? null],
  ['description', 'string', (d) => `Outfitters Pro ${d.kind.replace('_', ' ')} for ${d.name.split(' - ')[0]}`],
  ['hubspot_owner_id', 'enumeration', (d) => d.ownerId],
  ['hubspot_owner_assigneddate', 'datetime', (d) => d.createdAt],
  ['hubspot_team_id', 'enumeration', (d, ix) => teamOf(d.ownerId, ix)],
  ['hs_all_owner_ids', 'enumeration', (d) => d.ownerId],
  ['hs_all_team_ids', 'enumeration', (d, ix) => teamOf(d.ownerId, ix)],
  ['hs_user_ids_of_all_owners', 'enumeration', (d, ix) => ownerUserId(d.ownerId, ix)],
  ['hs_created_by_user_id', 'number', (d, ix) => ownerUserId(d.ownerId, ix)],
  ['hs_updated_by_user_id', 'number', (d, ix) => ownerUserId(d.ownerId, ix)],
  ['hs_deal_stage_probability', 'number', probability],
  ['hs_forecast_probability', 'number', probability],
  ['hs_forecast_amount', 'number', (d) => Math.round(d.amount * probability(d))],
  ['hs_projected_amount', 'number', (d) => Math.round(d.amount * probability(d))],
  ['hs_projected_amount_in_home_currency', 'number', (d) => Math.round(d.amount * probability(d))],
  ['hs_manual_forecast_category', 'enumeration', (d) => (isClosedStage(d.stage) ? null : probability(d) >= 0.8 ? 'COMMIT' : 'BEST_CASE')],
  ['hs_is_closed', 'bool', (d) => isClosedStage(d.stage)],
  ['hs_is_closed_won', 'bool', (d) => d.stage === 'closedwon'],
  ['hs_is_closed_lost', 'bool', (d) => d.stage === 'closedlost'],
  ['hs_closed_amount', 'number', (d) => (d.stage === 'closedwon' ? d.amount : 0)],
  ['hs_closed_amount_in_home_currency', 'number', (d) => (d.stage === 'closedwon' ? d.amount : 0)],
  ['hs_closed_won_count', 'number', (d) => (d.stage === 'closedwon' ? 1 : 0)],
  ['hs_closed_won_date', 'datetime', (d) => (d.stage === 'closedwon' ? d.closeDate : null)],
  ['closed_lost_reason', 'string', (d) => d.lostReason],
  ['closed_won_reason', 'string', (d) => (d.stage === 'closedwon' ? 'Renewed at list price' : null)],
  ['days_to_close', 'number', (d) => Math.max(0, Math.round((d.closeDate.getTime() - d.createdAt.getTime()) / DAY))],
  ['hs_acv', 'number', (d) => d.amount],
  ['hs_arr', 'number', (d) => d.amount],
  ['hs_mrr', 'number', (d) => Math.round((d.amount / 12) * 100) / 100],
  ['hs_tcv', 'number', (d) => d.amount],
  ['hs_priority', 'enumeration', (d) => d.priority],
  ['hs_next_step', 'string', (d) => d.nextStep],
  ['hs_deal_amount_calculation_preference', 'enumeration', () => null],
  ['hs_analytics_source', 'enumeration', (d) => (d.kind === 'new_business' ? 'ORGANIC_SEARCH' : 'OFFLINE')],
  ['hs_analytics_source_data_1', 'string', () => 'CRM_UI'],
  ['hs_object_source', 'string', () => 'CRM_UI'],
  ['hs_object_source_id', 'string', () => null],
  ['hs_object_source_label', 'enumeration', () => 'CRM_UI'],
  ['hs_was_imported', 'bool', () => false],
  ['hs_is_deal_split', 'bool', () => false],
  ['hs_num_associated_deal_splits', 'number', () => 0],
  ['hs_num_target_accounts', 'number', (d, ix) => (ix.companies.get(d.companyId)?.tier === 'enterprise' ? 1 : 0)],
  ['num_associated_contacts', 'number', (d) => d.contactIds.length],
  ['num_contacted_notes', 'number', (d) => (d.id.charCodeAt(d.id.length - 1) % 5) + 1],
  ['num_notes', 'number', (d) => (d.id.charCodeAt(d.id.length - 2) % 7) + 1],
  ['notes_last_contacted', 'datetime', (d) => d.stageEnteredAt],
  ['notes_last_updated', 'datetime', (d) => d.updatedAt],
  ['notes_next_activity_date', 'datetime', (d) => (isClosedStage(d.stage) ? null : new Date(d.updatedAt.getTime() + 7 * DAY))],
  ['engagements_last_meeting_booked', 'datetime', (d) => d.stageEnteredAt],
  ['hs_latest_meeting_activity', 'datetime', (d) => d.stageEnteredAt],
  ['hs_sales_email_last_replied', 'datetime', (d) => d.updatedAt],
  ['hs_v2_date_entered_current_stage', 'datetime', (d) => d.stageEnteredAt],
  ...stageTimes(),
];

// biome-ignore format: a property table reads best one property per line
export const COMPANY_PROPERTIES: PropertyDef<Company>[] = [
  ['name', 'string', (c) => c.name],
  ['domain', 'string', (c) => c.domain],
  ['website', 'string', (c) => `www.${c.domain}`],
  ['description', 'string', (c) => `${c.name} is a ${c.segment} subscribing to Northwind Outfitters Pro.`],
  ['industry', 'enumeration', (c) => c.industry],
  ['type', 'enumeration', () => 'CUSTOMER'],
  ['lifecyclestage', 'enumeration', () => 'customer'],
  ['customer_tier', 'enumeration', (c) => c.tier],
  ['customer_segment', 'enumeration', (c) => c.segment],
  ['phone', 'string', (c) => c.phone],
  ['address', 'string', (c) => c.address],
  ['city', 'string', (c) => c.city],
  ['state', 'string', (c) => c.state],
  ['zip', 'string', (c) => c.zip],
  ['country', 'string', () => 'United States'],
  ['timezone', 'enumeration', (c) => TIMEZONE[c.state] ?? 'America/Denver'],
  ['numberofemployees', 'number', (c) => c.employees],
  ['annualrevenue', 'number', (c) => c.annualRevenue],
  ['hs_annual_revenue_currency_code', 'string', () => 'USD'],
  ['founded_year', 'string', (c) => String(c.foundedYear)],
  ['is_public', 'bool', () => false],
  ['createdate', 'datetime', (c) => c.createdAt],
  ['hs_lastmodifieddate', 'datetime', (c) => c.updatedAt],
  ['hs_object_id', 'number', (c) => c.id],
  ['hubspot_owner_id', 'enumeration', (c) => c.ownerId],
  ['hubspot_owner_assigneddate', 'datetime', (c) => c.createdAt],
  ['hubspot_team_id', 'enumeration', (c, ix) => teamOf(c.ownerId, ix)],
  ['hs_all_owner_ids', 'enumeration', (c) => c.ownerId],
  ['hs_all_team_ids', 'enumeration', (c, ix) => teamOf(c.ownerId, ix)],
  ['hs_user_ids_of_all_owners', 'enumeration', (c, ix) => ownerUserId(c.ownerId, ix)],
  ['hs_created_by_user_id', 'number', (c, ix) => ownerUserId(c.ownerId, ix)],
  ['hs_updated_by_user_id', 'number', (c, ix) => ownerUserId(c.ownerId, ix)],
  ['num_associated_contacts', 'number', (c) => c.contactIds.length],
  ['num_associated_deals', 'number', (c) => c.dealIds.length],
  ['hs_num_open_deals', 'number', (c, ix) => companyDeals(c, ix).filter((d) => !isClosedStage(d.stage)).length],
  ['hs_num_decision_makers', 'number', (c, ix) => c.contactIds.filter((id) => ix.contacts.get(id)?.buyingRole === 'DECISION_MAKER').length],
  ['hs_num_contacts_with_buying_roles', 'number', (c) => c.contactIds.length],
  ['hs_num_blockers', 'number', () => 0],
  ['hs_num_child_companies', 'number', () => 0],
  ['hs_parent_company_id', 'number', () => null],
  ['total_revenue', 'number', (c, ix) => wonDeals(c, ix).reduce((sum, d) => sum + d.amount, 0)],
  ['hs_total_deal_value', 'number', (c, ix) => companyDeals(c, ix).filter((d) => !isClosedStage(d.stage)).reduce((s, d) => s + d.amount, 0)],
  ['recent_deal_amount', 'number', (c, ix) => wonDeals(c, ix).at(-1)?.amount ?? null],
  ['recent_deal_close_date', 'datetime', (c, ix) => wonDeals(c, ix).at(-1)?.closeDate ?? null],
  ['first_deal_created_date', 'datetime', (c, ix) => companyDeals(c, ix).map((d) => d.createdAt).sort((a, b) => a.getTime() - b.getTime())[0] ?? null],
  ['closedate', 'datetime', (c) => c.createdAt],
  ['hs_date_entered_customer', 'datetime', (c) => c.createdAt],
  ['hs_time_in_customer', 'number', (c, ix) => ix.world.today.getTime() - c.createdAt.getTime()],
  ['hs_analytics_source', 'enumeration', (c) => (c.tier === 'smb' ? 'ORGANIC_SEARCH' : 'OFFLINE')],
  ['hs_analytics_source_data_1', 'string', () => 'CRM_UI'],
  ['hs_analytics_num_page_views', 'number', (c) => c.employees % 97],
  ['hs_analytics_num_visits', 'number', (c) => c.employees % 23],
  ['hs_analytics_first_timestamp', 'datetime', (c) => c.createdAt],
  ['hs_last_sales_activity_timestamp', 'datetime', (c) => c.updatedAt],
  ['notes_last_contacted', 'datetime', (c) => c.updatedAt],
  ['notes_last_updated', 'datetime', (c) => c.updatedAt],
  ['num_contacted_notes', 'number', (c) => c.contactIds.length * 2],
  ['num_notes', 'number', (c) => c.contactIds.length * 3],
  ['hs_pipeline', 'enumeration', () => 'companies-lifecycle-pipeline'],
  ['hs_is_target_account', 'bool', (c) => c.tier === 'enterprise'],
  ['hs_ideal_customer_profile', 'enumeration', (c) => ({ enterprise: 'tier_1', 'mid-market': 'tier_2', smb: 'tier_3' })[c.tier]],
  ['hs_lead_status', 'enumeration', () => null],
  ['linkedin_company_page', 'string', (c) => `https://www.linkedin.com/company/${c.domain.replace('.com', '')}`],
  ['twitterhandle', 'string', () => null],
  ['web_technologies', 'enumeration', () => 'shopify;google_analytics;google_tag_manager'],
  ['hs_object_source', 'string', () => 'CRM_UI'],
  ['hs_object_source_label', 'enumeration', () => 'CRM_UI'],
  ['hs_was_imported', 'bool', () => false],
];

// biome-ignore format: a property table reads best one property per line
export const CONTACT_PROPERTIES: PropertyDef<Contact>[] = [
  ['firstname', 'string', (c) => c.firstName],
  ['lastname', 'string', (c) => c.lastName],
  ['email', 'string', (c) => c.email],
  ['hs_email_domain', 'string', (c) => c.email.split('@')[1] ?? null],
  ['phone', 'string', (c) => c.phone],
  ['jobtitle', 'string', (c) => c.jobTitle],
  ['hs_buying_role', 'enumeration', (c) => c.buyingRole],
  ['company', 'string', (c, ix) => ix.companies.get(c.companyId)?.name ?? null],
  ['associatedcompanyid', 'number', (c) => c.companyId],
  ['lifecyclestage', 'enumeration', () => 'customer'],
  ['hs_lead_status', 'enumeration', () => 'CONNECTED'],
  ['hubspot_owner_id', 'enumeration', (c, ix) => ix.companies.get(c.companyId)?.ownerId ?? null],
  ['hs_all_owner_ids', 'enumeration', (c, ix) => ix.companies.get(c.companyId)?.ownerId ?? null],
  ['createdate', 'datetime', (c) => c.createdAt],
  ['lastmodifieddate', 'datetime', (c) => c.updatedAt],
  ['hs_object_id', 'number', (c) => c.id],
  ['city', 'string', (c, ix) => ix.companies.get(c.companyId)?.city ?? null],
  ['state', 'string', (c, ix) => ix.companies.get(c.companyId)?.state ?? null],
  ['country', 'string', () => 'United States'],
  ['hs_language', 'enumeration', () => 'en'],
  ['hs_timezone', 'enumeration', (c, ix) => TIMEZONE[ix.companies.get(c.companyId)?.state ?? ''] ?? 'America/Denver'],
  ['hs_email_optout', 'bool', () => false],
  ['hs_email_last_open_date', 'datetime', (c) => c.lastSeenAt],
  ['hs_email_last_send_date', 'datetime', (c) => c.updatedAt],
  ['hs_last_sales_activity_timestamp', 'datetime', (c) => c.updatedAt],
  ['hs_analytics_source', 'enumeration', () => 'OFFLINE'],
  ['hs_analytics_num_visits', 'number', (c) => Number(c.id) % 31],
  ['hs_analytics_num_page_views', 'number', (c) => Number(c.id) % 89],
  ['hs_latest_source', 'enumeration', () => 'OFFLINE'],
  ['hs_is_contact', 'bool', () => true],
  ['hs_is_unworked', 'bool', () => false],
  ['hs_sequences_is_enrolled', 'bool', () => false],
  ['num_conversion_events', 'number', () => 0],
  ['num_notes', 'number', (c) => Number(c.id) % 5],
  ['notes_last_contacted', 'datetime', (c) => c.updatedAt],
  ['num_associated_deals', 'number', (c, ix) => ix.dealsByContact.get(c.id)?.length ?? 0],
  ['hs_object_source', 'string', () => 'CRM_UI'],
  ['hs_object_source_label', 'enumeration', () => 'CRM_UI'],
  ['hs_was_imported', 'bool', () => false],
];

export const PROPERTY_DEFS = {
  companies: COMPANY_PROPERTIES,
  contacts: CONTACT_PROPERTIES,
  deals: DEAL_PROPERTIES,
} as const;

export function propertyString(value: Value): string | null {
  if (value === null) return null;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}
