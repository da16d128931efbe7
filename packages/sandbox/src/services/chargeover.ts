/**
 * The ChargeOver sandbox: the REST API under `/api/v3` — `customer`, `invoice` and `transaction`
 * lists with `where=field:OPERATOR:value` filters (comma-separated, all must hold), `order=field:ASC|DESC`,
 * `limit` (≤ 500) and `offset`, and reads by id — over the seeded customer world, in ChargeOver's
 * envelope `{code, status: 'OK'|'Error', message, details}`. Authenticated with HTTP Basic
 * (public key : private key), checked by the sandbox front door.
 */
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { customerIndex } from '../seed/customer-index.ts';
import { customerWorld } from '../seed/customers.ts';
import type { ServiceFactory } from '../service.ts';
import { renderCustomer, renderInvoice, renderTransaction } from './chargeover-objects.ts';

type Row = Record<string, unknown>;
const OPERATORS = [
  'EQUALS',
  'NOT_EQUALS',
  'GT',
  'GTE',
  'LT',
  'LTE',
  'CONTAINS',
  'IS_NULL',
  'NOT_NULL',
] as const;
type Operator = (typeof OPERATORS)[number];
interface Condition {
  field: string;
  operator: Operator;
  value: string;
}

function envelope(c: Context, details: unknown) {
  return c.json({ code: 200, status: 'OK', message: '', details });
}

function failure(c: Context, code: ContentfulStatusCode, message: string) {
  return c.json({ code, status: 'Error', message, details: {} }, code);
}

/** Parses `where`: `field:OPERATOR:value[,field:OPERATOR:value…]`; a string is the problem. */
export function parseWhere(raw: string | undefined, fields: Set<string>): Condition[] | string {
  if (raw === undefined || raw === '') return [];
  const conditions: Condition[] = [];
  for (const part of raw.split(',')) {
    const [field = '', operator = '', ...rest] = part.split(':');
    if (!fields.has(field)) return `Unknown field in where clause: ${field}`;
    if (!(OPERATORS as readonly string[]).includes(operator))
      return `Unknown operator in where clause: ${operator}`;
    conditions.push({ field, operator: operator as Operator, value: rest.join(':') });
  }
  return conditions;
}

function holds(row: Row, { field, operator, value }: Condition): boolean {
  const actual = row[field];
  if (operator === 'IS_NULL') return actual === null || actual === undefined || actual === '';
  if (operator === 'NOT_NULL') return !(actual === null || actual === undefined || actual === '');
  if (actual === null || actual === undefined) return operator === 'NOT_EQUALS';
  const numeric = typeof actual === 'number' && value.trim() !== '' && Number.isFinite(Number(value));
  const a = numeric ? (actual as number) : String(actual).toLowerCase();
  const v = numeric ? Number(value) : value.toLowerCase();
  switch (operator) {
    case 'EQUALS':
      return a === v;
    case 'NOT_EQUALS':
      return a !== v;
    case 'GT':
      return a > v;
    case 'GTE':
      return a >= v;
    case 'LT':
      return a < v;
    case 'LTE':
      return a <= v;
    case 'CONTAINS':
      return String(a).includes(String(v));
  }
}

export const chargeover: ServiceFactory = ({ seed, now }) => {
  const index = customerIndex(customerWorld(seed, now));
  const world = index.world;
  const tables: Record<string, { rows: Row[]; key: string }> = {
    customer: { rows: world.billingCustomers.map((b) => renderCustomer(b, index)), key: 'customer_id' },
    invoice: { rows: world.invoices.map((i) => renderInvoice(i, index)), key: 'invoice_id' },
    transaction: { rows: world.transactions.map((t) => renderTransaction(t)), key: 'transaction_id' },
  };
  const app = new Hono();

  app.get('/api/v3/:object', (c) => {
    const table = tables[c.req.param('object')];
    if (table === undefined) return failure(c, 404, `Unknown object type: ${c.req.param('object')}`);
    const fields = new Set(Object.keys(table.rows[0] ?? {}));
    const conditions = parseWhere(c.req.query('where'), fields);
    if (typeof conditions === 'string') return failure(c, 400, conditions);
    const limit = Number(c.req.query('limit') ?? 10);
    const offset = Number(c.req.query('offset') ?? 0);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      return failure(c, 400, 'limit must be between 1 and 500');
    if (!Number.isInteger(offset) || offset < 0)
      return failure(c, 400, 'offset must be a non-negative integer');
    let rows = table.rows.filter((row) => conditions.every((condition) => holds(row, condition)));
    const order = c.req.query('order');
    if (order) {
      const [field = '', direction = 'ASC'] = order.split(':');
      if (!fields.has(field)) return failure(c, 400, `Unknown field in order clause: ${field}`);
      const sign = direction.toUpperCase() === 'DESC' ? -1 : 1;
      rows = [...rows].sort((x, y) => {
        const a = x[field] as string | number | null;
        const b = y[field] as string | number | null;
        if (a === b) return 0;
        if (a === null) return 1;
        if (b === null) return -1;
        return (a < b ? -1 : 1) * sign;
      });
    }
    return envelope(c, rows.slice(offset, offset + limit));
  });

  app.get('/api/v3/:object/:id', (c) => {
    const table = tables[c.req.param('object')];
    if (table === undefined) return failure(c, 404, `Unknown object type: ${c.req.param('object')}`);
    const id = Number(c.req.param('id'));
    const row = table.rows.find((r) => r[table.key] === id);
    return row
      ? envelope(c, row)
      : failure(c, 404, `Could not find a ${c.req.param('object')} with that id.`);
  });

  return {
    name: 'chargeover',
    title: 'Billing (ChargeOver REST API v3)',
    realBaseUrl: 'https://northwind.chargeover.com',
    auth: 'HTTP Basic: public key as user, private key as password',
    requiresAuth: true,
    app,
  };
};
