/**
 * Billing of the customer world (served by the ChargeOver sandbox): one billing customer per
 * company, monthly Outfitters Pro invoices for the last year (platform fee + seats, net 30) and the
 * payment attempts against them. Most customers pay on time; some have overdue invoices with
 * failed payment attempts; some had a failed attempt that a retry recovered.
 */
import { derive, type Random } from '../random.ts';
import { DAY_MS } from './calendar.ts';
import type { BillingCustomer, Company, Invoice, Transaction } from './customers.ts';

type BillingHealth = 'good' | 'overdue' | 'recovered';

const TERMS_DAYS = 30;
const CARD_DECLINES = ['Card declined: insufficient funds', 'Card declined: do not honor', 'Card expired'];

function cents(value: number): number {
  return Math.round(value * 100) / 100;
}

function monthlyInvoiceDates(customer: BillingCustomer, today: Date): Date[] {
  const dates: Date[] = [];
  for (let k = 11; k >= 0; k--) {
    const date = new Date(
      Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - k, customer.billingDay, 10, 0, 0),
    );
    if (date.getTime() <= today.getTime() && date.getTime() >= customer.createdAt.getTime()) dates.push(date);
  }
  return dates;
}

interface Ledger {
  invoices: Invoice[];
  transactions: Transaction[];
  invoiceSeq: number;
  transactionSeq: number;
}

function attempt(
  ledger: Ledger,
  customer: BillingCustomer,
  invoice: Invoice,
  date: Date,
  status: Transaction['status'],
  random: Random,
): void {
  const ach = customer.paymethod === 'ach';
  ledger.transactions.push({
    id: 5_000 + ++ledger.transactionSeq,
    customerId: customer.id,
    invoiceId: invoice.id,
    date,
    amount: invoice.total,
    type: 'pay',
    status,
    method: customer.paymethod,
    detail: `${ach ? 'x' : 'xxxx-xxxx-xxxx-'}${customer.accountLast4}`,
    message: status === 'success' ? 'Approved' : ach ? 'R01: Insufficient funds' : random.pick(CARD_DECLINES),
  });
}

function billCustomer(
  ledger: Ledger,
  customer: BillingCustomer,
  company: Company,
  today: Date,
  random: Random,
): void {
  const health = random.weighted<BillingHealth>([
    ['good', 72],
    ['overdue', 16],
    ['recovered', 12],
  ]);
  const seats =
    company.tier === 'enterprise'
      ? random.int(40, 160)
      : company.tier === 'mid-market'
        ? random.int(10, 40)
        : random.int(2, 10);
  const monthly = company.acv / 12;
  const baseFee = cents(monthly * 0.3);
  const seatRate = cents((monthly - baseFee) / seats);
  const dates = monthlyInvoiceDates(customer, today);
  const pastDue = dates.filter((d) => d.getTime() + TERMS_DAYS * DAY_MS < today.getTime());
  const overdueFrom = health === 'overdue' ? pastDue.length - random.int(1, 2) : Number.POSITIVE_INFINITY;
  for (const [index, date] of dates.entries()) {
    const dueDate = new Date(date.getTime() + TERMS_DAYS * DAY_MS);
    const invoice: Invoice = {
      id: 10_000 + ++ledger.invoiceSeq,
      customerId: customer.id,
      refnumber: String(10_000 + ledger.invoiceSeq),
      date,
      dueDate,
      status: 'paid',
      periodFrom: date,
      periodTo: new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate() - 1)),
      seats,
      seatRate,
      baseFee,
      total: cents(baseFee + seats * seatRate),
      paidAt: null,
    };
    ledger.invoices.push(invoice);
    const isPastDue = dueDate.getTime() < today.getTime();
    const firstTry = new Date(date.getTime() + random.int(0, 3) * DAY_MS + random.int(0, 7) * 3_600_000);
    if (random.chance(0.02) && isPastDue) {
      invoice.status = 'void';
    } else if (isPastDue && index >= overdueFrom) {
      invoice.status = 'overdue';
      attempt(ledger, customer, invoice, firstTry, 'failed', random);
      const retry = new Date(firstTry.getTime() + 7 * DAY_MS);
      if (retry.getTime() < today.getTime()) attempt(ledger, customer, invoice, retry, 'failed', random);
    } else if (!isPastDue && firstTry.getTime() >= today.getTime()) {
      invoice.status = 'unpaid';
    } else if (!isPastDue && random.chance(0.4)) {
      invoice.status = 'unpaid';
    } else {
      const recovers = health === 'recovered' && index === pastDue.length - 1;
      if (recovers) attempt(ledger, customer, invoice, firstTry, 'failed', random);
      const paidAt = new Date(
        Math.min(today.getTime() - 3_600_000, firstTry.getTime() + (recovers ? 3 * DAY_MS : 0)),
      );
      invoice.paidAt = paidAt;
      attempt(ledger, customer, invoice, paidAt, 'success', random);
    }
  }
}

export function generateBilling(
  seed: number,
  today: Date,
  companies: Company[],
): { billingCustomers: BillingCustomer[]; invoices: Invoice[]; transactions: Transaction[] } {
  const random = derive(seed, 'customers/billing');
  const billingCustomers: BillingCustomer[] = [];
  const ledger: Ledger = { invoices: [], transactions: [], invoiceSeq: 0, transactionSeq: 0 };
  for (const [i, company] of companies.entries()) {
    const customer: BillingCustomer = {
      id: 1_000 + i * 3 + random.int(0, 2),
      companyId: company.id,
      name: company.name,
      billingDay: random.int(1, 28),
      paymethod: random.weighted<BillingCustomer['paymethod']>([
        ['visa', 45],
        ['mastercard', 25],
        ['ach', 30],
      ]),
      accountLast4: String(random.int(0, 9_999)).padStart(4, '0'),
      createdAt: new Date(company.createdAt.getTime() + random.int(10, 40) * DAY_MS),
    };
    billingCustomers.push(customer);
    billCustomer(ledger, customer, company, today, random);
  }
  return { billingCustomers, invoices: ledger.invoices, transactions: ledger.transactions };
}
