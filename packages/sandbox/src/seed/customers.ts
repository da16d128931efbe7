/**
 * The customer world behind the HubSpot, Intercom and ChargeOver sandboxes: ~300 B2B customers of
 * Northwind Outfitters with their people, sales owners, deals, support conversations, invoices and
 * payments — one record set, so the three services agree with each other (same company names,
 * same contact emails, ChargeOver's external key = the HubSpot company id, Intercom's external_id =
 * the HubSpot contact id).
 *
 * Everything is derived from the seed and the UTC day of `now`, and memoized per (seed, day): the
 * same seed and day give the same world on every machine. Enterprise customers cycle through
 * `ENTERPRISE_SCENARIOS` so every world has renewals at risk this quarter (open, >1 unresolved
 * conversation), some with exactly one, some already won, lost or due next quarter.
 */
import { derive, type Random } from '../random.ts';
import { DAY_MS, daysFrom, quarterOf, utcDay } from './calendar.ts';
import { generateBilling } from './customer-billing.ts';
import { generateDeals } from './customer-deals.ts';
import type { Company, Contact, CustomerWorld, Owner, Scenario, Tier } from './customer-model.ts';
import { generateSupport } from './customer-support.ts';
import {
  ACV_RANGE,
  CITIES,
  FIRST_NAMES,
  INDUSTRY_OF,
  JOB_TITLES,
  LAST_NAMES,
  NAME_STEMS,
  OWNERS,
  SEGMENTS,
  type Segment,
  STREETS,
} from './customer-vocabulary.ts';

export const ENTERPRISE_SCENARIOS: readonly Scenario[] = [
  'at-risk',
  'one-ticket',
  'calm',
  'at-risk',
  'won',
  'next-quarter',
  'random',
  'at-risk',
  'lost',
  'random',
];

export type * from './customer-model.ts';
export { DAY_MS, daysFrom, quarterOf, utcDay };

const COMPANY_COUNT = 300;
const worlds = new Map<string, CustomerWorld>();

/** The world for a seed and `now`'s UTC day (memoized). */
export function customerWorld(seed: number, now: Date): CustomerWorld {
  const today = utcDay(now);
  const key = `${seed}:${today.toISOString()}`;
  let world = worlds.get(key);
  if (world === undefined) {
    world = generate(seed, today);
    if (worlds.size >= 8) worlds.clear();
    worlds.set(key, world);
  }
  return world;
}

function generate(seed: number, today: Date): CustomerWorld {
  const owners = generateOwners(seed);
  const { companies, contacts } = generateCompanies(seed, today, owners);
  const deals = generateDeals(seed, today, companies);
  const support = generateSupport(seed, today, companies, contacts);
  const billing = generateBilling(seed, today, companies);
  return {
    seed,
    today,
    quarter: quarterOf(today),
    owners,
    companies,
    contacts,
    deals,
    ...support,
    ...billing,
  };
}

function generateOwners(seed: number): Owner[] {
  const random = derive(seed, 'customers/owners');
  return OWNERS.map(([firstName, lastName, teamName], i) => ({
    id: String(74_120_031 + i * 7_919),
    userId: 9_210_400 + i * 13,
    firstName,
    lastName,
    email: `${firstName}.${lastName}@northwind-outfitters.com`.toLowerCase(),
    teamId: String(33_100 + ['Enterprise Sales', 'Mid-Market Sales', 'SMB Sales'].indexOf(teamName)),
    teamName,
    createdAt: new Date(Date.UTC(2021, random.int(0, 11), random.int(1, 28), 9)),
  }));
}

function ownersFor(tier: Tier, owners: Owner[]): Owner[] {
  const team = { enterprise: 'Enterprise Sales', 'mid-market': 'Mid-Market Sales', smb: 'SMB Sales' }[tier];
  return owners.filter((o) => o.teamName === team);
}

function uniqueNames(random: Random): { name: string; stem: string; segment: Segment }[] {
  const all: { name: string; stem: string; segment: Segment }[] = [];
  for (const stem of NAME_STEMS) {
    for (const [segment, suffixes] of Object.entries(SEGMENTS) as [Segment, readonly string[]][]) {
      for (const suffix of suffixes) all.push({ name: `${stem} ${suffix}`, stem, segment });
    }
  }
  for (let i = all.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [all[i], all[j]] = [all[j] as (typeof all)[0], all[i] as (typeof all)[0]];
  }
  return all.slice(0, COMPANY_COUNT);
}

function domainOf(name: string, taken: Set<string>): string {
  const base = name
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^a-z0-9]+/g, '');
  let domain = `${base}.com`;
  for (let n = 2; taken.has(domain); n++) domain = `${base}${n}.com`;
  taken.add(domain);
  return domain;
}

function generateCompanies(
  seed: number,
  today: Date,
  owners: Owner[],
): { companies: Company[]; contacts: Contact[] } {
  const random = derive(seed, 'customers/companies');
  const companies: Company[] = [];
  const contacts: Contact[] = [];
  const domains = new Set<string>();
  const emails = new Set<string>();
  let enterpriseIndex = 0;
  for (const [i, { name, segment }] of uniqueNames(random).entries()) {
    const tier = random.weighted<Tier>([
      ['enterprise', 16],
      ['mid-market', 34],
      ['smb', 50],
    ]);
    const [low, high] = ACV_RANGE[tier];
    const [city, state, zip] = random.pick(CITIES);
    const createdAt = daysFrom(today, -random.int(200, 2_000), random);
    const scenario =
      tier === 'enterprise'
        ? (ENTERPRISE_SCENARIOS[enterpriseIndex++ % ENTERPRISE_SCENARIOS.length] ?? 'random')
        : 'random';
    const company: Company = {
      id: String(9_100_000_000 + i * 3_571 + random.int(0, 3_000)),
      name,
      domain: domainOf(name, domains),
      tier,
      segment,
      industry: INDUSTRY_OF[segment],
      address: `${random.int(10, 9_999)} ${random.pick(STREETS)}`,
      city,
      state,
      zip,
      phone: `+1 ${random.int(201, 989)}-555-${String(random.int(0, 9_999)).padStart(4, '0')}`,
      employees:
        tier === 'enterprise'
          ? random.int(500, 8_000)
          : tier === 'mid-market'
            ? random.int(60, 500)
            : random.int(4, 60),
      annualRevenue: 0,
      acv: Math.round(random.int(low, high) / 100) * 100,
      ownerId: random.pick(ownersFor(tier, owners)).id,
      foundedYear: random.int(1962, 2019),
      createdAt,
      updatedAt: daysFrom(today, -random.int(0, 30), random),
      scenario,
      contactIds: [],
      dealIds: [],
    };
    company.annualRevenue = company.employees * random.int(90, 240) * 1_000;
    companies.push(company);
    const count =
      tier === 'enterprise' ? random.int(4, 6) : tier === 'mid-market' ? random.int(3, 5) : random.int(1, 3);
    for (let k = 0; k < count; k++) {
      const contact = generateContact(random, today, company, contacts.length, emails);
      company.contactIds.push(contact.id);
      contacts.push(contact);
    }
  }
  return { companies, contacts };
}

function generateContact(
  random: Random,
  today: Date,
  company: Company,
  index: number,
  emails: Set<string>,
): Contact {
  const firstName = random.pick(FIRST_NAMES);
  const lastName = random.pick(LAST_NAMES);
  let email = `${firstName}.${lastName}@${company.domain}`.toLowerCase();
  if (emails.has(email)) email = `${firstName}.${lastName}${index}@${company.domain}`.toLowerCase();
  emails.add(email);
  const [jobTitle, buyingRole] = random.pick(JOB_TITLES);
  const createdAt = new Date(company.createdAt.getTime() + random.int(0, 120) * DAY_MS);
  return {
    id: String(1_051 + index * 17 + random.int(0, 16)),
    companyId: company.id,
    firstName,
    lastName,
    email,
    jobTitle,
    buyingRole,
    phone: `+1 ${random.int(201, 989)}-555-${String(random.int(0, 9_999)).padStart(4, '0')}`,
    intercomId: random.hex(24),
    createdAt,
    updatedAt: daysFrom(today, -random.int(1, 60), random),
    lastSeenAt: daysFrom(today, -random.int(0, 45), random),
  };
}
