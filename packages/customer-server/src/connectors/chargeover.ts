/**
 * ChargeOver connector (https://<site>.chargeover.com/api/v3, HTTP Basic with the REST API public
 * and private keys): customers, invoices and transactions with ChargeOver's `where` / `order` /
 * `limit` query syntax, unwrapping its `{code, status, message, details}` envelope. The base URL
 * may be the site (`https://northwind.chargeover.com`) or its API root (`…/api/v3`).
 */
import { HttpClient } from '@gatehouse/kit/infra';
import type { ConnectorOptions } from './hubspot.ts';

export interface ChargeOverCustomer {
  customer_id: number;
  external_key: string | null;
  company: string;
  superuser_email?: string;
  currency_iso4217?: string;
  balance?: number;
  past_due?: number;
  [field: string]: unknown;
}

export interface ChargeOverInvoice {
  invoice_id: number;
  customer_id: number;
  refnumber?: string;
  date: string;
  due_date: string;
  total: number;
  balance: number;
  currency_iso4217?: string;
  invoice_status_name: string;
  invoice_status_str: string;
  invoice_status_state?: string;
  days_overdue?: number;
  [field: string]: unknown;
}

export interface ChargeOverTransaction {
  transaction_id: number;
  customer_id: number;
  transaction_date: string;
  transaction_datetime?: string;
  transaction_type: string;
  transaction_status_name: string;
  transaction_status_str: string;
  amount: number;
  currency_iso4217?: string;
  [field: string]: unknown;
}

interface Envelope<T> {
  code: number;
  status: string;
  message: string;
  details: T;
}

/** Invoice statuses as ChargeOver's `invoice_status_str` spells them. */
export const INVOICE_STATUS = {
  paid: 'closed-paid',
  void: 'closed-void',
  unpaid: 'open-unpaid',
  overdue: 'open-overdue',
} as const;

/** A `where` condition; ChargeOver separates conditions with commas, so values must not hold one. */
export function where(field: string, operator: string, value: string | number): string {
  const text = String(value);
  if (/[,:]/.test(text))
    throw new Error(`ChargeOver cannot filter on a value containing "," or ":": ${text}`);
  return `${field}:${operator}:${text}`;
}

/** The REST API root of a ChargeOver site: `/api/v3` is added unless the URL already ends with it. */
export function apiRoot(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '');
  return /\/api\/v3$/.test(trimmed) ? trimmed : `${trimmed}/api/v3`;
}

export class ChargeOverConnector {
  readonly http: HttpClient;

  constructor(options: ConnectorOptions & { publicKey: string; privateKey: string }) {
    const basic = Buffer.from(`${options.publicKey}:${options.privateKey}`).toString('base64');
    this.http = new HttpClient({
      baseUrl: apiRoot(options.baseUrl),
      headers: { authorization: `Basic ${basic}` },
      name: 'ChargeOver',
      timeoutMs: options.timeoutMs ?? 5_000,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  private async list<T>(
    object: 'customer' | 'invoice' | 'transaction',
    conditions: string[],
    options: { order?: string; limit?: number; signal?: AbortSignal } = {},
  ): Promise<T[]> {
    const answer = await this.http.get<Envelope<T[]>>(object, {
      query: {
        where: conditions.length ? conditions.join(',') : undefined,
        order: options.order,
        limit: options.limit ?? 500,
      },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (answer.code !== 200 || !Array.isArray(answer.details)) {
      throw new Error(`ChargeOver answered ${answer.code} ${answer.status}: ${answer.message}`);
    }
    return answer.details;
  }

  customers(conditions: string[], signal?: AbortSignal): Promise<ChargeOverCustomer[]> {
    return this.list<ChargeOverCustomer>('customer', conditions, {
      limit: 10,
      ...(signal ? { signal } : {}),
    });
  }

  /** A customer's invoices, newest first; `status` narrows to one `invoice_status_str`, `openOnly` to unpaid ones. */
  invoices(
    customerId: number,
    filter: { status?: string; openOnly?: boolean } = {},
    signal?: AbortSignal,
  ): Promise<ChargeOverInvoice[]> {
    const conditions = [where('customer_id', 'EQUALS', customerId)];
    if (filter.status) conditions.push(where('invoice_status_str', 'EQUALS', filter.status));
    if (filter.openOnly) conditions.push(where('invoice_status_state', 'EQUALS', 'o'));
    return this.list<ChargeOverInvoice>('invoice', conditions, {
      order: 'date:DESC',
      ...(signal ? { signal } : {}),
    });
  }

  /** A customer's payment transactions, newest first (`limit` of them). */
  payments(customerId: number, limit: number, signal?: AbortSignal): Promise<ChargeOverTransaction[]> {
    return this.list<ChargeOverTransaction>(
      'transaction',
      [where('customer_id', 'EQUALS', customerId), where('transaction_type', 'EQUALS', 'pay')],
      { order: 'transaction_datetime:DESC', limit, ...(signal ? { signal } : {}) },
    );
  }

  async check(signal: AbortSignal): Promise<string> {
    await this.list('customer', [], { limit: 1, signal });
    return 'customer API answered';
  }
}
