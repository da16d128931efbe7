/**
 * Intercom's search query language (`POST /contacts/search`, `POST /conversations/search`): a
 * single filter `{field, operator, value}` or a group `{operator: 'AND'|'OR', value: [...]}`
 * nested at most two levels deep with at most 15 filters per group; operators = != IN NIN < > ~
 * !~ ^ $. Fields are dotted paths into the object (`source.author.email`, `statistics.last_close_at`)
 * plus the documented shortcuts `contact_ids`, `teammate_ids` and `tag_ids`. Also the opaque
 * `starting_after` cursors of Intercom's cursor paging.
 */
import * as z from 'zod';

const OPERATORS = ['=', '!=', 'IN', 'NIN', '<', '>', '~', '!~', '^', '$'] as const;
type Scalar = string | number | boolean | null;

export interface SingleFilter {
  field: string;
  operator: (typeof OPERATORS)[number];
  value: Scalar | Scalar[];
}
export interface FilterGroup {
  operator: 'AND' | 'OR';
  value: Query[];
}
export type Query = SingleFilter | FilterGroup;

const ScalarSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const QuerySchema: z.ZodType<Query> = z.lazy(() =>
  z.union([
    z.object({
      field: z.string().min(1),
      operator: z.enum(OPERATORS),
      value: z.union([ScalarSchema, z.array(ScalarSchema)]),
    }),
    z.object({ operator: z.enum(['AND', 'OR']), value: z.array(QuerySchema).min(1).max(15) }),
  ]),
);

export const SearchRequestSchema = z.object({
  query: QuerySchema,
  pagination: z
    .object({ per_page: z.number().int().min(1).max(150).default(20), starting_after: z.string().nullish() })
    .default({ per_page: 20 }),
  sort: z
    .object({ field: z.string(), order: z.enum(['ascending', 'descending']).default('descending') })
    .optional(),
});

function depth(query: Query): number {
  return 'field' in query ? 0 : 1 + Math.max(...query.value.map(depth));
}

/** A problem with a parsed query that the schema cannot express (nesting depth). */
export function queryProblem(query: Query): string | undefined {
  return depth(query) > 2 ? 'Nested filters are supported to a maximum depth of 2' : undefined;
}

const SHORTCUTS: Record<string, string> = {
  contact_ids: 'contacts.contacts.id',
  teammate_ids: 'teammates.admins.id',
  tag_ids: 'tags.tags.id',
};

/** Every value at a dotted path, walking into arrays on the way. */
export function valuesAt(object: unknown, path: string): Scalar[] {
  let current: unknown[] = [object];
  for (const key of (SHORTCUTS[path] ?? path).split('.')) {
    current = current.flatMap((node) => {
      const next =
        node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
      return Array.isArray(next) ? next : next === undefined ? [] : [next];
    });
  }
  return current.filter((v): v is Scalar => v === null || ['string', 'number', 'boolean'].includes(typeof v));
}

const lower = (v: Scalar) => (typeof v === 'string' ? v.toLowerCase() : v);

function test(filter: SingleFilter, actual: Scalar): boolean {
  const wanted = filter.value;
  const a = lower(actual);
  const w = Array.isArray(wanted) ? wanted.map(lower) : lower(wanted);
  const text = String(a ?? '');
  switch (filter.operator) {
    case '=':
      return (
        a === w ||
        (typeof a === 'number' && Number(w) === a) ||
        (typeof a === 'boolean' && String(w) === String(a))
      );
    case '!=':
      return !(a === w || (typeof a === 'number' && Number(w) === a));
    case 'IN':
      return Array.isArray(w) && w.some((x) => x === a || (typeof a === 'number' && Number(x) === a));
    case 'NIN':
      return Array.isArray(w) && !w.some((x) => x === a || (typeof a === 'number' && Number(x) === a));
    case '<':
      return a !== null && Number(a) < Number(w);
    case '>':
      return a !== null && Number(a) > Number(w);
    case '~':
      return text.includes(String(w));
    case '!~':
      return !text.includes(String(w));
    case '^':
      return text.startsWith(String(w));
    case '$':
      return text.endsWith(String(w));
  }
}

export function evaluate(query: Query, object: unknown): boolean {
  if ('field' in query) {
    const values = valuesAt(object, query.field);
    const negative = query.operator === '!=' || query.operator === 'NIN' || query.operator === '!~';
    if (values.length === 0) return negative || (query.value === null && query.operator === '=');
    return negative ? values.every((v) => test(query, v)) : values.some((v) => test(query, v));
  }
  return query.operator === 'AND'
    ? query.value.every((q) => evaluate(q, object))
    : query.value.some((q) => evaluate(q, object));
}

export function sortBy<T>(
  items: T[],
  sort: { field: string; order: 'ascending' | 'descending' } | undefined,
  fallback: string,
): T[] {
  const field = sort?.field ?? fallback;
  const sign = (sort?.order ?? 'descending') === 'ascending' ? 1 : -1;
  const key = (item: T) => valuesAt(item, field)[0] ?? null;
  return [...items].sort((x, y) => {
    const a = key(x);
    const b = key(y);
    if (a === b) return 0;
    if (a === null) return 1;
    if (b === null) return -1;
    return (a < b ? -1 : 1) * sign;
  });
}

export function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): number | undefined {
  if (cursor === undefined || cursor === null || cursor === '') return 0;
  try {
    const { offset } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { offset?: unknown };
    return typeof offset === 'number' && Number.isInteger(offset) && offset >= 0 ? offset : undefined;
  } catch {
    return undefined;
  }
}

/** Intercom's `pages` block for one page of a cursor-paged list. */
export function pagesBlock(offset: number, perPage: number, total: number) {
  const page = Math.floor(offset / perPage) + 1;
  const totalPages = Math.max(1, Math.ceil(total / perPage));
  return {
    type: 'pages',
    page,
    per_page: perPage,
    total_pages: totalPages,
    ...(offset + perPage < total
      ? { next: { page: page + 1, starting_after: encodeCursor(offset + perPage) } }
      : {}),
  };
}
