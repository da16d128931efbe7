/**
 * Word lists the customer world is generated from: Northwind Outfitters' B2B customers (retail
 * chains, outdoor schools, guide companies that subscribe to "Outfitters Pro"), the people at
 * them, Northwind's sales owners and support admins, and what those customers write in about.
 */
import type { Tier } from './customer-model.ts';

// biome-ignore format: a word list reads best packed
export const NAME_STEMS = [
  'Granite Peak', 'Cedar Hollow', 'Summit Line', 'Alpine Crest', 'Red Rock', 'Blue Ridge', 'Timberline',
  'Riverbend', 'Northern Lights', 'Coastal Trail', 'High Desert', 'Glacier Point', 'Evergreen', 'Pine Hollow',
  'Aspen Grove', 'Canyon Country', 'Trailhead', 'Basecamp', 'Wildflower', 'Ironwood', 'Lakeside', 'Moose Creek',
  'Sawtooth', 'Cascade', 'Sierra Vista', 'Prairie Wind', 'Juniper', 'Bluewater', 'Whitewater', 'Ridgeline',
  'Bear Paw', 'Silver Fir', 'Stonegate', 'Tamarack', 'Copper Basin',
] as const;

// biome-ignore format: a word list reads best packed
export const SEGMENTS = {
  'retail chain': ['Outdoor Supply', 'Gear Co.', 'Sports', 'Mountain Shop', 'Trading Post', 'Outdoor Stores'],
  'outdoor school': ['Wilderness School', 'Climbing Academy', 'Outdoor Education Center', 'Ski School'],
  'guide company': ['Guides', 'Expeditions', 'Adventure Co.', 'River Tours', 'Mountain Guides'],
} as const;

export type Segment = keyof typeof SEGMENTS;

// biome-ignore format: a word list reads best packed
export const INDUSTRY_OF: Record<Segment, string> = {
  'retail chain': 'RETAIL',
  'outdoor school': 'EDUCATION_MANAGEMENT',
  'guide company': 'LEISURE_TRAVEL_TOURISM',
};

// biome-ignore format: a word list reads best packed
export const CITIES = [
  ['Denver', 'CO', '80202'], ['Boulder', 'CO', '80302'], ['Seattle', 'WA', '98101'], ['Bend', 'OR', '97701'],
  ['Portland', 'OR', '97204'], ['Salt Lake City', 'UT', '84101'], ['Bozeman', 'MT', '59715'],
  ['Boise', 'ID', '83702'], ['Flagstaff', 'AZ', '86001'], ['Asheville', 'NC', '28801'],
  ['Burlington', 'VT', '05401'], ['Duluth', 'MN', '55802'], ['Jackson', 'WY', '83001'],
  ['Missoula', 'MT', '59802'], ['Reno', 'NV', '89501'], ['Sacramento', 'CA', '95814'],
  ['Anchorage', 'AK', '99501'], ['Chattanooga', 'TN', '37402'], ['Madison', 'WI', '53703'],
  ['Albuquerque', 'NM', '87102'],
] as const;

// biome-ignore format: a word list reads best packed
export const STREETS = ['Main St', 'Canyon Rd', 'River Dr', 'Pine Ave', 'Summit Blvd', 'Market St', 'Lake Rd'];

// biome-ignore format: a word list reads best packed
export const FIRST_NAMES = [
  'Ava', 'Liam', 'Maya', 'Noah', 'Elena', 'Mateo', 'Priya', 'Owen', 'Hana', 'Lucas', 'Zoe', 'Ethan', 'Ines',
  'Caleb', 'Amara', 'Jonas', 'Sofia', 'Marcus', 'Lena', 'Diego', 'Nora', 'Samir', 'Grace', 'Tomas', 'Keiko',
  'Ruby', 'Felix', 'Chloe', 'Andre', 'Yara', 'Iris', 'Wes', 'Talia', 'Rohan', 'Clara', 'Emmett',
] as const;

// biome-ignore format: a word list reads best packed
export const LAST_NAMES = [
  'Alvarez', 'Brooks', 'Chen', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Hughes', 'Ibarra', 'Jensen', 'Kowalski',
  'Larsen', 'Moreno', 'Nakamura', 'Okafor', 'Patel', 'Quinn', 'Reyes', 'Schmidt', 'Tanaka', 'Underwood', 'Varga',
  'Walsh', 'Xu', 'Yilmaz', 'Zimmer', 'Holm', 'Baptiste', 'Lindqvist', 'Mbeki', 'Novak', 'Sato',
] as const;

// biome-ignore format: a word list reads best packed
export const JOB_TITLES = [
  ['Head of Operations', 'DECISION_MAKER'], ['Purchasing Manager', 'BUDGET_HOLDER'],
  ['IT Manager', 'INFLUENCER'], ['Store Operations Lead', 'END_USER'], ['Finance Director', 'BUDGET_HOLDER'],
  ['Program Director', 'DECISION_MAKER'], ['E-commerce Manager', 'CHAMPION'], ['Logistics Coordinator', 'END_USER'],
] as const;

/** Northwind's sales team: the HubSpot owners of companies and deals. */
// biome-ignore format: a word list reads best packed
export const OWNERS = [
  ['Dana', 'Whitfield', 'Enterprise Sales'], ['Marco', 'Bellini', 'Enterprise Sales'],
  ['Aisha', 'Rahman', 'Enterprise Sales'], ['Tyler', 'Brandt', 'Mid-Market Sales'],
  ['Yuki', 'Mori', 'Mid-Market Sales'], ['Grace', 'Okonkwo', 'Mid-Market Sales'],
  ['Ben', 'Castillo', 'SMB Sales'], ['Freya', 'Nilsen', 'SMB Sales'],
] as const;

/** Northwind's support team: the Intercom admins conversations are assigned to. */
// biome-ignore format: a word list reads best packed
export const SUPPORT_ADMINS = [
  ['Sam Ortega', 'Tier 1 Support'], ['Lila Chen', 'Tier 1 Support'], ['Jonah Price', 'Tier 2 Support'],
  ['Meera Iyer', 'Tier 2 Support'], ['Carl Jensen', 'Billing Support'], ['Rosa Lind', 'Customer Success'],
] as const;

/** What customers write in about: subject, opening message, tags. */
// biome-ignore format: a word list reads best packed
export const TICKET_TOPICS = [
  ['Wholesale order sync failing since the last release', 'Our wholesale orders stopped syncing to the Outfitters Pro dashboard. Nothing new since Tuesday.', ['integration', 'bug']],
  ['Invoice shows the wrong tax rate', 'The latest invoice charges sales tax for our Oregon stores, which should be exempt.', ['billing']],
  ['Need 10 more seats for seasonal staff', 'We are onboarding seasonal staff for the winter and need more seats on our plan.', ['account', 'expansion']],
  ['SSO login loop for store managers', 'Store managers get redirected back to the login page after signing in with SSO.', ['bug', 'identity']],
  ['Inventory feed is missing SKUs', 'About 40 SKUs from the new ski collection are missing in the inventory feed.', ['integration', 'catalog']],
  ['Bulk order CSV import rejects valid rows', 'The CSV import rejects rows with sizes like "XL-Tall" that exist in the catalog.', ['bug']],
  ['API rate limit errors on the catalog endpoint', 'Our nightly job gets HTTP 429 from the catalog API after a few minutes.', ['integration', 'api']],
  ['Return authorization stuck in pending', 'A return authorization for a tent order has been pending for two weeks.', ['orders']],
  ['Cannot download packing slips', 'Clicking "Download packing slip" shows a blank page for orders placed this week.', ['bug', 'orders']],
  ['Question about renewal pricing', 'Before our renewal we would like to understand the new pricing tiers.', ['renewal', 'billing']],
  ['Card declined on the monthly invoice', 'Our card was declined for the monthly invoice; we updated it, can you retry?', ['billing', 'payments']],
  ['Group booking discounts not applied', 'The group discount for our guided trip gear rentals is not applied at checkout.', ['pricing']],
  ['Slow dashboard for multi-store reports', 'The multi-store sales report takes over a minute to load since last month.', ['performance']],
  ['Request: export of rental history', 'Could you send an export of our gear rental history for the last season?', ['feature-request']],
  ['Webhook deliveries delayed by hours', 'Order webhooks arrive hours late, our warehouse ships late as a result.', ['integration', 'urgent']],
  ['Onboarding help for new location', 'We are opening a new location next month and need help setting it up.', ['onboarding']],
  ['Damaged items in last wholesale shipment', 'Three crates of trekking poles arrived damaged; how do we file a claim?', ['orders', 'fulfilment']],
  ['Duplicate charges on the account', 'We see two charges for the same invoice on our statement.', ['billing', 'payments', 'urgent']],
] as const;

// biome-ignore format: a word list reads best packed
export const REPLIES = [
  'Thanks for reaching out — I am looking into this now.',
  'Could you share an example order number so we can trace it?',
  'We have reproduced the problem and passed it to engineering.',
  'A fix is scheduled for the next release; I will update you here.',
  'Following up: is this still happening on your side?',
  'That worked, thank you!',
  'We are still seeing the issue this morning.',
] as const;

// biome-ignore format: a word list reads best packed
export const LOST_REASONS = ['Budget cuts', 'Chose a competitor', 'Consolidated vendors', 'No decision'] as const;

// biome-ignore format: a word list reads best packed
export const NEXT_STEPS = [
  'Send renewal quote', 'Security review call', 'Procurement sign-off', 'Exec sponsor meeting',
  'Confirm seat count', 'Legal redlines',
] as const;

/** Yearly contract value range (USD) per tier. */
// biome-ignore format: a word list reads best packed
export const ACV_RANGE: Record<Tier, readonly [number, number]> = {
  enterprise: [60_000, 400_000],
  'mid-market': [12_000, 60_000],
  smb: [1_200, 12_000],
};
