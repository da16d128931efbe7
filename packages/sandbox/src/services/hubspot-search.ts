/**
 * The HubSpot CRM search body (`POST /crm/v3/objects/{type}/search`): validation with HubSpot's
 * limits (5 filter groups, 6 filters a group, 18 in all, limit ≤ 200) and evaluation of
 * filterGroups (OR of ANDs) with HubSpot's operators, plus sorts and the free-text `query`.
 */
import * as z from 'zod';
import type { CustomerIndex } from '../seed/customer-index.ts';
import type { PropertyDef, PropertyType } from './hubspot-properties.ts';

const OPERATORS = [
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
] as const;

const FilterSchema = z.object({
  propertyName: z.string().min(1),
  operator: z.enum(OPERATORS),
  value: z.union([z.string(), z.number(), z.boolean()]).optional(),
  highValue: z.union([z.string(), z.number()]).optional(),
  values: z.array(z.union([z.string(), z.number()])).optional(),
});

export const SearchBodySchema = z.object({
  filterGroups: z
    .array(z.object({ filters: z.array(FilterSchema).max(6) }))
    .max(5)
    .default([]),
  sorts: z
    .array(
      z.union([
        z.string(),
        z.object({
          propertyName: z.string(),
          direction: z.enum(['ASCENDING', 'DESCENDING']).default('ASCENDING'),
        }),
      ]),
    )
    .max(1)
    .default([]),
  query: z.string().optional(),
  properties: z.array(z.string()).optional(),
  limit: z.number().int().min(1).max(200).default(10),
  after: z.union([z.string(), z.number()]).optional(),
});

export type SearchBody = z.infer<typeof SearchBodySchema>;
type Filter = z.infer<typeof FilterSchema>;
type Comparable = string | number | boolean | null;

/** A property value in comparable form: datetimes and numbers as numbers, strings lowercased. */
function comparable(type: PropertyType, raw: unknown): Comparable {
  if (raw === null || raw === undefined || raw === '') return null;
  if (raw instanceof Date) return raw.getTime();
  if (type === 'number') return Number(raw);
  if (type === 'datetime') {
    const asNumber = Number(raw);
    return Number.isFinite(asNumber) ? asNumber : Date.parse(String(raw));
  }
  if (type === 'bool') return String(raw) === 'true';
  return String(raw).toLowerCase();
}

function tokensOf(value: string): string[] {
  return value.split(/[^a-z0-9@.]+/).filter(Boolean);
}

function containsToken(actual: Comparable, wanted: string): boolean {
  if (actual === null) return false;
  const text = String(actual);
  const w = wanted.toLowerCase();
  if (w.includes('*')) {
    const pattern = new RegExp(
      `^${w
        .split('*')
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    return pattern.test(text) || tokensOf(text).some((t) => pattern.test(t));
  }
  return text === w || tokensOf(text).includes(w);
}

/** Checks the filters refer to known properties and carry the values their operator needs. */
export function validateFilters(body: SearchBody, defs: Map<string, PropertyDef<never>>): string | undefined {
  const all = body.filterGroups.flatMap((g) => g.filters);
  if (all.length > 18) return `There were ${all.length} filters; the maximum is 18.`;
  for (const f of all) {
    if (!defs.has(f.propertyName)) return `Property '${f.propertyName}' does not exist`;
    const needsValue = !['HAS_PROPERTY', 'NOT_HAS_PROPERTY', 'IN', 'NOT_IN'].includes(f.operator);
    if (needsValue && f.value === undefined) return `Operator ${f.operator} requires a value`;
    if (f.operator === 'BETWEEN' && f.highValue === undefined) return 'Operator BETWEEN requires a highValue';
    if ((f.operator === 'IN' || f.operator === 'NOT_IN') && (f.values?.length ?? 0) === 0)
      return `Operator ${f.operator} requires values`;
  }
  for (const s of body.sorts) {
    const name = typeof s === 'string' ? s.replace(/^-/, '') : s.propertyName;
    if (!defs.has(name)) return `Sort property '${name}' does not exist`;
  }
  return undefined;
}

function matches(f: Filter, type: PropertyType, actual: Comparable): boolean {
  const v = comparable(type, f.value);
  switch (f.operator) {
    case 'EQ':
      return actual !== null && actual === v;
    case 'NEQ':
      return actual !== v;
    case 'LT':
      return actual !== null && v !== null && actual < v;
    case 'LTE':
      return actual !== null && v !== null && actual <= v;
    case 'GT':
      return actual !== null && v !== null && actual > v;
    case 'GTE':
      return actual !== null && v !== null && actual >= v;
    case 'BETWEEN': {
      const high = comparable(type, f.highValue);
      return actual !== null && v !== null && high !== null && actual >= v && actual <= high;
    }
    case 'IN':
      return actual !== null && (f.values ?? []).some((x) => comparable(type, x) === actual);
    case 'NOT_IN':
      return !(f.values ?? []).some((x) => comparable(type, x) === actual);
    case 'HAS_PROPERTY':
      return actual !== null;
    case 'NOT_HAS_PROPERTY':
      return actual === null;
    case 'CONTAINS_TOKEN':
      return containsToken(actual, String(f.value));
    case 'NOT_CONTAINS_TOKEN':
      return !containsToken(actual, String(f.value));
  }
}

const QUERY_PROPERTIES = ['name', 'domain', 'email', 'firstname', 'lastname', 'dealname', 'phone', 'website'];

/** Records matching the body, sorted as asked (by id when no sort is given). */
export function searchRecords<T extends { id: string }>(
  records: T[],
  body: SearchBody,
  defs: Map<string, PropertyDef<T>>,
  index: CustomerIndex,
): T[] {
  const propertyValue = (record: T, name: string): Comparable => {
    const def = defs.get(name);
    return def ? comparable(def[1], def[2](record, index)) : null;
  };
  const query = body.query?.toLowerCase().trim();
  const found = records.filter((record) => {
    const inGroups =
      body.filterGroups.length === 0 ||
      body.filterGroups.some((g) =>
        g.filters.every((f) =>
          matches(f, defs.get(f.propertyName)?.[1] ?? 'string', propertyValue(record, f.propertyName)),
        ),
      );
    if (!inGroups) return false;
    if (!query) return true;
    return QUERY_PROPERTIES.some((p) => {
      const v = propertyValue(record, p);
      return typeof v === 'string' && v.includes(query);
    });
  });
  const sort = body.sorts[0];
  if (sort === undefined) return found.sort((a, b) => Number(a.id) - Number(b.id));
  const name = typeof sort === 'string' ? sort.replace(/^-/, '') : sort.propertyName;
  const descending = typeof sort === 'string' ? sort.startsWith('-') : sort.direction === 'DESCENDING';
  return found.sort((a, b) => {
    const x = propertyValue(a, name);
    const y = propertyValue(b, name);
    const order = x === y ? Number(a.id) - Number(b.id) : x === null ? 1 : y === null ? -1 : x < y ? -1 : 1;
    return descending && x !== y ? -order : order;
  });
}
