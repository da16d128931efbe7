/**
 * The realistic tool answer the overhead benchmark moves: a CRM deal shaped like a HubSpot deal
 * record (about 45 string properties, timestamps, associations to contacts, companies and line
 * items), with its line items expanded and the history of its stage and amount: about 5 KB of
 * JSON. Deterministic: the same deal id always gives the same record, so
 * every setup carries the same bytes and a harness can check the answer.
 */
import * as z from 'zod';

const PIPELINE_STAGES = [
  'appointmentscheduled',
  'qualifiedtobuy',
  'presentationscheduled',
  'decisionmakerboughtin',
  'contractsent',
  'closedwon',
] as const;
const SOURCES = ['ORGANIC_SEARCH', 'PAID_SEARCH', 'REFERRALS', 'EMAIL_MARKETING', 'DIRECT_TRAFFIC'] as const;
const TIERS = ['bronze', 'silver', 'gold', 'platinum'] as const;
const REGIONS = ['emea', 'amer', 'apac'] as const;
const PRODUCTS = ['Trail Pack 45L', 'Alpine Shell Jacket', 'Ridge Tent 2P', 'Summit Boots', 'Base Layer Set'];

export const DEAL_ID_PATTERN = /^[0-9]{1,12}$/;

export const DealSchema = z.object({
  id: z.string(),
  properties: z.record(z.string(), z.string().nullable()),
  createdAt: z.string(),
  updatedAt: z.string(),
  archived: z.boolean(),
  associations: z.object({
    contacts: z.object({ results: z.array(z.object({ id: z.string(), type: z.string() })) }),
    companies: z.object({ results: z.array(z.object({ id: z.string(), type: z.string() })) }),
    line_items: z.object({ results: z.array(z.object({ id: z.string(), type: z.string() })) }),
  }),
  propertiesWithHistory: z.record(
    z.string(),
    z.array(
      z.object({
        value: z.string(),
        timestamp: z.string(),
        sourceType: z.string(),
        sourceId: z.string().nullable(),
        updatedByUserId: z.number().int().nullable(),
      }),
    ),
  ),
  lineItems: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      sku: z.string(),
      quantity: z.number().int(),
      price: z.number(),
      discountPercent: z.number(),
      amount: z.number(),
      recurringBillingFrequency: z.string().nullable(),
      createdAt: z.string(),
    }),
  ),
});

export type Deal = z.infer<typeof DealSchema>;

/** A small deterministic generator (mulberry32) seeded from the deal id. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function isoDay(base: number, random: () => number, spreadDays: number): string {
  return new Date(base + Math.floor(random() * spreadDays) * 86_400_000 + 37_512_000).toISOString();
}

/** The deal record for `dealId` (digits), always the same for the same id. */
export function makeDeal(dealId: string): Deal {
  const random = generator(Number(dealId) * 2_654_435_761);
  const created = Date.UTC(2025, 0, 6);
  const createdAt = isoDay(created, random, 120);
  const updatedAt = isoDay(Date.UTC(2025, 5, 2), random, 60);
  const closeDate = isoDay(Date.UTC(2025, 8, 1), random, 90);
  const stageIndex = Math.floor(random() * PIPELINE_STAGES.length);
  const stage = PIPELINE_STAGES[stageIndex] as string;
  const amount = 5_000 + Math.floor(random() * 240) * 500;
  const probability = ((stageIndex + 1) / PIPELINE_STAGES.length).toFixed(2);
  const ownerId = String(40_000_000 + Math.floor(random() * 90));
  const companyId = String(9_000_000_000 + Math.floor(random() * 5_000));
  const contacts = Array.from({ length: 4 }, (_, i) => String(51_000 + Number(dealId) * 7 + i));
  const lineItems = Array.from({ length: 6 }, (_, i) => String(7_700_000 + Number(dealId) * 11 + i));
  const product = pick(random, PRODUCTS);
  const tier = pick(random, TIERS);
  const region = pick(random, REGIONS);
  const properties: Record<string, string | null> = {
    dealname: `Northwind Outfitters — ${product} fleet order (${region.toUpperCase()})`,
    dealstage: stage,
    pipeline: 'default',
    amount: String(amount),
    amount_in_home_currency: String(amount),
    deal_currency_code: 'USD',
    closedate: closeDate,
    createdate: createdAt,
    hs_lastmodifieddate: updatedAt,
    hs_object_id: dealId,
    hubspot_owner_id: ownerId,
    hubspot_owner_assigneddate: createdAt,
    hubspot_team_id: String(3_100 + Math.floor(random() * 9)),
    dealtype: random() < 0.5 ? 'newbusiness' : 'existingbusiness',
    description:
      `Seasonal restock of ${product} for a ${tier} tier retail partner in ${region.toUpperCase()}; ` +
      'includes staggered delivery across three distribution centres, a co-marketing allowance, ' +
      'an extended returns window negotiated with procurement and a quarterly business review.',
    hs_deal_stage_probability: probability,
    hs_forecast_probability: probability,
    hs_forecast_amount: String(Math.round(amount * Number(probability))),
    hs_projected_amount: String(Math.round(amount * Number(probability))),
    hs_closed_amount: stage === 'closedwon' ? String(amount) : '0',
    hs_is_closed: String(stage === 'closedwon'),
    hs_is_closed_won: String(stage === 'closedwon'),
    hs_priority: pick(random, ['low', 'medium', 'high'] as const),
    hs_analytics_source: pick(random, SOURCES),
    hs_analytics_source_data_1: 'partner-portal',
    hs_analytics_source_data_2: null,
    hs_acv: String(amount),
    hs_arr: String(amount),
    hs_mrr: String(Math.round(amount / 12)),
    hs_tcv: String(amount * 2),
    hs_num_associated_deal_splits: '0',
    hs_num_of_associated_line_items: String(lineItems.length),
    num_associated_contacts: String(contacts.length),
    num_contacted_notes: String(2 + Math.floor(random() * 20)),
    num_notes: String(4 + Math.floor(random() * 30)),
    notes_last_contacted: isoDay(Date.UTC(2025, 6, 1), random, 30),
    notes_last_updated: isoDay(Date.UTC(2025, 6, 1), random, 30),
    notes_next_activity_date: isoDay(Date.UTC(2025, 7, 1), random, 30),
    hs_next_step: 'Send revised quote with volume discount and confirm delivery windows.',
    hs_all_owner_ids: ownerId,
    hs_created_by_user_id: String(1_200_000 + Math.floor(random() * 50)),
    hs_updated_by_user_id: String(1_200_000 + Math.floor(random() * 50)),
    hs_date_entered_appointmentscheduled: createdAt,
    [`hs_date_entered_${stage}`]: updatedAt,
    customer_tier: tier,
    region,
    renewal_date: isoDay(Date.UTC(2026, 0, 1), random, 365),
  };
  const association = (ids: string[], type: string) => ({ results: ids.map((id) => ({ id, type })) });
  return {
    id: dealId,
    properties,
    createdAt,
    updatedAt,
    archived: false,
    associations: {
      contacts: association(contacts, 'deal_to_contact'),
      companies: association([companyId], 'deal_to_company'),
      line_items: association(lineItems, 'deal_to_line_item'),
    },
    propertiesWithHistory: {
      dealstage: PIPELINE_STAGES.slice(0, stageIndex + 1)
        .map((value, i) => ({
          value,
          timestamp: new Date(Date.parse(createdAt) + i * 9 * 86_400_000).toISOString(),
          sourceType: i === 0 ? 'CRM_UI' : 'AUTOMATION_PLATFORM',
          sourceId: i === 0 ? null : `workflow:${31_000 + i}`,
          updatedByUserId: i === 0 ? 1_200_007 : null,
        }))
        .reverse(),
      amount: [0, 1, 2, 3].map((i) => ({
        value: String(amount - i * 2_500),
        timestamp: new Date(Date.parse(createdAt) + i * 5 * 86_400_000).toISOString(),
        sourceType: 'CRM_UI',
        sourceId: `userId:${1_200_000 + i}`,
        updatedByUserId: 1_200_000 + i,
      })),
    },
    lineItems: lineItems.map((id, i) => {
      const quantity = 10 + Math.floor(random() * 200);
      const price = 19 + Math.floor(random() * 400);
      const discountPercent = Math.floor(random() * 4) * 5;
      const name = PRODUCTS[i % PRODUCTS.length] as string;
      return {
        id,
        name: `${name} — ${pick(random, ['forest', 'slate', 'ember', 'glacier'] as const)}`,
        sku: `NWO-${name.slice(0, 3).toUpperCase()}-${String(1_000 + i * 37)}`,
        quantity,
        price,
        discountPercent,
        amount: Math.round(quantity * price * (1 - discountPercent / 100)),
        recurringBillingFrequency: i === 0 ? 'annually' : null,
        createdAt,
      };
    }),
  };
}
