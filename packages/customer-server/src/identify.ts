/**
 * Finding the customer a question is about, from whatever the model has: a HubSpot company id
 * (digits), a web domain (example.com) or a company name. HubSpot is asked first (search, then one
 * read with the company's contact and deal associations); when HubSpot cannot be reached, the
 * billing system identifies the customer instead, so the rest of the profile can still be built.
 */
import { ToolError } from '@gatehouse/kit';
import { HttpError } from '@gatehouse/kit/infra';
import type { ChargeOverConnector, ChargeOverCustomer } from './connectors/chargeover.ts';
import { where } from './connectors/chargeover.ts';
import type { CrmObject, HubSpotConnector } from './connectors/hubspot.ts';
import type { IntercomConnector } from './connectors/intercom.ts';
import { toToolError, unavailableReason } from './failures.ts';

export interface Connectors {
  hubspot: HubSpotConnector;
  intercom: IntercomConnector;
  chargeover: ChargeOverConnector;
}

export const COMPANY_PROPERTIES = ['name', 'domain', 'customer_tier', 'hubspot_owner_id'];

export interface CustomerKey {
  kind: 'id' | 'domain' | 'name';
  value: string;
}

export interface Identified {
  name: string;
  crmId: string | null;
  domain: string | null;
  tier: string | null;
  /** The HubSpot company with its contact and deal associations; null when HubSpot was down. */
  company: CrmObject | null;
  /** Why HubSpot could not be used, when it could not. */
  crmFailure?: unknown;
  /** The billing customer, when billing did the identifying. */
  billingCustomer?: ChargeOverCustomer;
}

export function parseCustomerKey(input: string): CustomerKey {
  const value = input.trim();
  if (/^\d+$/.test(value)) return { kind: 'id', value };
  const host = value
    .replace(/^https?:\/\//i, '')
    .replace(/^www\./i, '')
    .replace(/\/.*$/, '');
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(host) && !/\s/.test(value))
    return { kind: 'domain', value: host.toLowerCase() };
  return { kind: 'name', value };
}

function notFound(key: CustomerKey): ToolError {
  const by = { id: 'HubSpot company id', domain: 'web domain', name: 'company name' }[key.kind];
  return new ToolError(
    'customer_not_found',
    `No customer matches ${by} "${key.value}". Try the exact company name, its web domain (example.com) or its HubSpot company id.`,
    { by: key.kind, value: key.value },
  );
}

function ambiguous(key: CustomerKey, matches: CrmObject[]): ToolError {
  const candidates = matches.slice(0, 5).map((m) => ({ id: m.id, name: m.properties.name ?? '' }));
  const list = candidates.map((c) => `${c.name} (id ${c.id})`).join(', ');
  return new ToolError(
    'ambiguous_customer',
    `"${key.value}" matches ${matches.length} companies: ${list}. Call again with the exact name or the company id.`,
    { candidates },
  );
}

async function companyIdFor(
  key: CustomerKey,
  hubspot: HubSpotConnector,
  signal?: AbortSignal,
): Promise<string> {
  if (key.kind === 'id') return key.value;
  const property = key.kind === 'domain' ? 'domain' : 'name';
  const exact = await hubspot.search(
    'companies',
    {
      filterGroups: [{ filters: [{ propertyName: property, operator: 'EQ', value: key.value }] }],
      properties: ['name'],
      limit: 5,
    },
    signal,
  );
  if (exact.results.length === 1 && exact.results[0]) return exact.results[0].id;
  if (exact.results.length > 1) throw ambiguous(key, exact.results);
  if (key.kind === 'domain') throw notFound(key);
  const fuzzy = await hubspot.search(
    'companies',
    { query: key.value, properties: ['name'], limit: 10 },
    signal,
  );
  if (fuzzy.results.length === 1 && fuzzy.results[0]) return fuzzy.results[0].id;
  if (fuzzy.results.length > 1) throw ambiguous(key, fuzzy.results);
  throw notFound(key);
}

/** The CRM company for a key, with contacts and deals associated; ToolErrors for not found / ambiguous. */
export async function findCompany(
  key: CustomerKey,
  hubspot: HubSpotConnector,
  signal?: AbortSignal,
): Promise<CrmObject> {
  const id = await companyIdFor(key, hubspot, signal);
  try {
    return await hubspot.getObject('companies', id, {
      properties: COMPANY_PROPERTIES,
      associations: ['contacts', 'deals'],
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) throw notFound(key);
    throw error;
  }
}

function billingConditions(key: CustomerKey): string[] | undefined {
  if (/[,:]/.test(key.value)) return undefined;
  if (key.kind === 'id') return [where('external_key', 'EQUALS', key.value)];
  if (key.kind === 'name') return [where('company', 'EQUALS', key.value)];
  return [where('superuser_email', 'CONTAINS', `@${key.value}`)];
}

/** Who the customer is; throws a ToolError when no system can say. */
export async function identifyCustomer(
  input: string,
  connectors: Connectors,
  signal?: AbortSignal,
): Promise<Identified> {
  const key = parseCustomerKey(input);
  if (key.value === '')
    throw new ToolError(
      'invalid_customer',
      'Name the customer: a company name, web domain or HubSpot company id.',
    );
  let crmFailure: unknown;
  try {
    const company = await findCompany(key, connectors.hubspot, signal);
    const p = company.properties;
    return {
      name: p.name ?? key.value,
      crmId: company.id,
      domain: p.domain ?? null,
      tier: p.customer_tier ?? null,
      company,
    };
  } catch (error) {
    const mapped = toToolError(error);
    if (
      mapped instanceof ToolError &&
      (mapped.code === 'customer_not_found' || mapped.code === 'ambiguous_customer')
    )
      throw mapped;
    if (!(mapped instanceof ToolError)) throw error;
    crmFailure = error;
  }
  // HubSpot cannot be reached: let billing identify the customer.
  const conditions = billingConditions(key);
  const found = conditions
    ? await connectors.chargeover.customers(conditions, signal).catch(() => undefined)
    : undefined;
  const customer = found?.length === 1 ? found[0] : undefined;
  if (customer === undefined) {
    throw new ToolError(
      'unavailable',
      `Cannot identify the customer: ${unavailableReason(crmFailure)}, and the billing system has no single match for "${key.value}". Try again in a minute.`,
    );
  }
  const emailDomain = customer.superuser_email?.split('@')[1] ?? null;
  return {
    name: customer.company,
    crmId: customer.external_key || null,
    domain: key.kind === 'domain' ? key.value : emailDomain,
    tier: null,
    company: null,
    crmFailure,
    billingCustomer: customer,
  };
}
