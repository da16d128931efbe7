/**
 * For the customer token benchmark: reads the raw HubSpot, Intercom and ChargeOver responses a
 * profile was built from — with this file's own rules, not the server's code — and lists every
 * profile field that disagrees with them. An empty list means the shaped profile says exactly
 * what the raw APIs said.
 */

// biome-ignore lint/suspicious/noExplicitAny: raw API answers are read field by field
type Json = Record<string, any>;

/** One recorded API exchange: method, path (no query), query string and the parsed body. */
export interface Exchange {
  system: 'hubspot' | 'intercom' | 'chargeover';
  method: string;
  path: string;
  query: URLSearchParams;
  body: Json;
  text: string;
}

const DAY = 86_400_000;

function find(exchanges: Exchange[], method: string, pattern: RegExp): Exchange | undefined {
  return exchanges.find((e) => e.method === method && pattern.test(e.path));
}

function compare(mismatches: string[], field: string, profile: unknown, truth: unknown): void {
  const a = JSON.stringify(profile);
  const b = JSON.stringify(truth);
  if (a !== b) mismatches.push(`${field}: profile ${a} ≠ raw ${b}`);
}

function checkCrm(profile: Json, exchanges: Exchange[], stages: Map<string, string>, out: string[]): void {
  const company = find(exchanges, 'GET', /\/crm\/v3\/objects\/companies\/\d+$/)?.body;
  if (!company) return void out.push('raw: no HubSpot company read recorded');
  compare(out, 'customer.name', profile.customer.name, company.properties.name);
  compare(out, 'customer.crmId', profile.customer.crmId, company.id);
  compare(out, 'customer.domain', profile.customer.domain, company.properties.domain);
  compare(out, 'customer.tier', profile.customer.tier, company.properties.customer_tier);
  const owner = find(exchanges, 'GET', /\/crm\/v3\/owners\/\d+$/)?.body;
  compare(out, 'crm.owner', profile.crm.owner, owner ? `${owner.firstName} ${owner.lastName}` : null);
  const deals: Json[] =
    find(exchanges, 'POST', /\/crm\/v3\/objects\/deals\/batch\/read$/)?.body.results ?? [];
  const isOpen = (d: Json) => !['closedwon', 'closedlost'].includes(d.properties.dealstage);
  const close = (d: Json) => Date.parse(d.properties.closedate);
  const open = deals.filter(isOpen).sort((a, b) => close(a) - close(b));
  const current = open[0] ?? [...deals].sort((a, b) => close(b) - close(a))[0];
  compare(out, 'crm.openDeals', profile.crm.openDeals, open.length);
  compare(
    out,
    'crm.currentDeal',
    profile.crm.currentDeal,
    current
      ? {
          id: current.id,
          name: current.properties.dealname,
          type: current.properties.deal_motion,
          stage: stages.get(current.properties.dealstage),
          closeDate: current.properties.closedate.slice(0, 10),
          amount: Number(current.properties.amount),
          currency: current.properties.deal_currency_code,
        }
      : null,
  );
}

function checkSupport(profile: Json, exchanges: Exchange[], today: Date, out: string[]): void {
  const conversations: Json[] = exchanges
    .filter((e) => e.method === 'POST' && e.path.endsWith('/conversations/search'))
    .flatMap((e) => e.body.conversations);
  const unresolved = conversations.filter((c) => c.state === 'open' || c.state === 'snoozed');
  compare(out, 'support.openTickets', profile.support.openTickets, unresolved.length);
  const byUpdate = (a: Json, b: Json) => b.updated_at - a.updated_at;
  const recent = [
    ...unresolved.sort(byUpdate),
    ...conversations.filter((c) => c.state === 'closed').sort(byUpdate),
  ];
  compare(
    out,
    'support.recentTickets',
    profile.support.recentTickets,
    recent.slice(0, 3).map((c) => ({
      id: c.id,
      subject: c.title,
      state: c.state,
      priority: c.priority === 'priority',
      ageDays: Math.round((today.getTime() - Math.floor((c.created_at * 1000) / DAY) * DAY) / DAY),
    })),
  );
}

function checkBilling(profile: Json, exchanges: Exchange[], out: string[]): void {
  const customer = find(exchanges, 'GET', /\/api\/v3\/customer$/)?.body.details?.[0];
  if (!customer) return void out.push('raw: no ChargeOver customer recorded');
  const invoices: Json[] = find(exchanges, 'GET', /\/api\/v3\/invoice$/)?.body.details ?? [];
  const overdue = invoices.filter((i) => i.invoice_status_name === 'Overdue');
  compare(out, 'billing.overdueInvoices', profile.billing.overdueInvoices, overdue.length);
  const owed = Math.round(overdue.reduce((s, i) => s + i.balance, 0) * 100) / 100;
  compare(out, 'billing.overdueBalance', profile.billing.overdueBalance, owed);
  compare(out, 'billing.currency', profile.billing.currency, customer.currency_iso4217);
  const last = find(exchanges, 'GET', /\/api\/v3\/transaction$/)?.body.details?.[0];
  compare(
    out,
    'billing.lastPayment',
    profile.billing.lastPayment,
    last
      ? {
          status: last.transaction_status_name === 'Success' ? 'succeeded' : 'failed',
          date: last.transaction_date,
          amount: last.amount,
        }
      : null,
  );
}

/** Every profile field that disagrees with the raw responses (empty when all agree). */
export function disagreements(
  profile: Json,
  exchanges: Exchange[],
  stages: Map<string, string>,
  today: Date,
): string[] {
  const out: string[] = [];
  for (const section of ['crm', 'support', 'billing']) {
    if (profile[section]?.unavailable) out.push(`${section}: unavailable (${profile[section].unavailable})`);
  }
  if (out.length) return out;
  checkCrm(profile, exchanges, stages, out);
  checkSupport(profile, exchanges, today, out);
  checkBilling(profile, exchanges, out);
  return out;
}
