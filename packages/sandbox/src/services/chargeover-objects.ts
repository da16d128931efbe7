/**
 * ChargeOver object shapes over the customer world: customers (external_key = the HubSpot company
 * id), invoices with line items and statuses, and payment transactions — flat records with
 * ChargeOver's field names and its "YYYY-MM-DD HH:MM:SS" datetimes.
 */
import type { CustomerIndex } from '../seed/customer-index.ts';
import type { BillingCustomer, Invoice, Transaction } from '../seed/customers.ts';

const DAY = 86_400_000;
export const SITE = 'https://northwind.chargeover.com';

export function coDatetime(date: Date | null): string | null {
  return date ? date.toISOString().slice(0, 19).replace('T', ' ') : null;
}

export function coDate(date: Date | null): string | null {
  return date ? date.toISOString().slice(0, 10) : null;
}

function money(value: number): number {
  return Math.round(value * 100) / 100;
}

function token(kind: string, id: number): string {
  return `${kind}${(id * 2_654_435_761).toString(36).slice(-10)}`;
}

function status(invoice: Invoice): { name: string; str: string; state: string } {
  switch (invoice.status) {
    case 'paid':
      return { name: 'Paid', str: 'closed-paid', state: 'c' };
    case 'void':
      return { name: 'Void', str: 'closed-void', state: 'c' };
    case 'overdue':
      return { name: 'Overdue', str: 'open-overdue', state: 'o' };
    case 'unpaid':
      return { name: 'Unpaid', str: 'open-unpaid', state: 'o' };
  }
}

function address(customer: BillingCustomer, index: CustomerIndex, prefix: 'bill' | 'ship') {
  const company = index.companies.get(customer.companyId);
  return {
    [`${prefix}_addr1`]: company?.address ?? '',
    [`${prefix}_addr2`]: '',
    [`${prefix}_addr3`]: '',
    [`${prefix}_city`]: company?.city ?? '',
    [`${prefix}_state`]: company?.state ?? '',
    [`${prefix}_postcode`]: company?.zip ?? '',
    [`${prefix}_country`]: 'United States',
    [`${prefix}_block`]: company
      ? `${company.address}\n${company.city}, ${company.state} ${company.zip}\nUnited States`
      : '',
  };
}

export function invoiceBalance(invoice: Invoice): number {
  return invoice.status === 'unpaid' || invoice.status === 'overdue' ? invoice.total : 0;
}

export function renderCustomer(customer: BillingCustomer, index: CustomerIndex) {
  const company = index.companies.get(customer.companyId);
  const contact = index.contacts.get(company?.contactIds[0] ?? '');
  const invoices = (index.invoicesByCustomer.get(customer.id) ?? []).filter((i) => i.status !== 'void');
  const total = money(invoices.reduce((s, i) => s + i.total, 0));
  const balance = money(invoices.reduce((s, i) => s + invoiceBalance(i), 0));
  const pastDue = money(invoices.filter((i) => i.status === 'overdue').reduce((s, i) => s + i.total, 0));
  const card = customer.paymethod !== 'ach';
  return {
    customer_id: customer.id,
    parent_customer_id: null,
    superuser_id: customer.id + 300,
    external_key: customer.companyId,
    token: token('c', customer.id),
    company: customer.name,
    ...address(customer, index, 'bill'),
    bill_notes: '',
    ...address(customer, index, 'ship'),
    ship_notes: '',
    custom_1: company?.tier ?? '',
    custom_2: company?.domain ?? '',
    custom_3: '',
    custom_4: '',
    custom_5: '',
    admin_id: 3,
    admin_name: 'Carl Jensen',
    admin_email: 'carl.jensen@northwind-outfitters.com',
    campaign_id: 0,
    campaign_name: '',
    currency_id: 1,
    currency_symbol: '$',
    currency_iso4217: 'USD',
    language_id: 1,
    brand_id: 1,
    brand_name: 'Northwind Outfitters',
    class_id: 0,
    class_name: '',
    terms_id: 3,
    terms_name: 'Net 30',
    terms_days: 30,
    no_taxes: false,
    no_dunning: false,
    no_latefees: false,
    no_procfees: false,
    tax_ident: '',
    invoice_delivery: 'email',
    dunning_delivery: 'email',
    write_datetime: coDatetime(customer.createdAt),
    write_ipaddr: '10.20.0.14',
    mod_datetime: coDatetime(company?.updatedAt ?? customer.createdAt),
    mod_ipaddr: '10.20.0.14',
    display_as: customer.name,
    superuser_name: contact ? `${contact.firstName} ${contact.lastName}` : '',
    superuser_first_name: contact?.firstName ?? '',
    superuser_last_name: contact?.lastName ?? '',
    superuser_phone: contact?.phone ?? '',
    superuser_email: contact?.email ?? '',
    superuser_token: token('u', customer.id),
    customer_status_id: pastDue > 0 ? 2 : 1,
    customer_status_name: pastDue > 0 ? 'Overdue' : 'Current',
    customer_status_str: pastDue > 0 ? 'active-overdue' : 'active-current',
    customer_status_state: 'a',
    default_paymethod: card ? 'crd' : 'ach',
    default_creditcard_id: card ? customer.id + 9_000 : null,
    default_ach_id: card ? null : customer.id + 7_000,
    total,
    paid: money(total - balance),
    balance,
    past_due: pastDue,
    url_paymethodlink: `${SITE}/r/paymethod/i/${token('c', customer.id)}`,
    url_self: `${SITE}/admin/r/customer/view/${customer.id}`,
    tags: [],
  };
}

export function renderInvoice(invoice: Invoice, index: CustomerIndex) {
  const customer = index.billingCustomers.get(invoice.customerId);
  const st = status(invoice);
  const balance = invoiceBalance(invoice);
  const today = index.world.today;
  const daysOverdue =
    invoice.status === 'overdue' ? Math.floor((today.getTime() - invoice.dueDate.getTime()) / DAY) : 0;
  const seatsTotal = money(invoice.seats * invoice.seatRate);
  const line = (
    id: number,
    itemId: number,
    name: string,
    descrip: string,
    rate: number,
    qty: number,
    total: number,
    base: boolean,
  ) => ({
    line_item_id: id,
    invoice_id: invoice.id,
    item_id: itemId,
    item_name: name,
    item_external_key: `outfitters-pro-${base ? 'platform' : 'seat'}`,
    item_token: token('i', itemId),
    item_accounting_sku: base ? 'OP-PLAT' : 'OP-SEAT',
    item_units: base ? '' : 'seat',
    tierset_id: null,
    descrip,
    line_rate: rate,
    line_quantity: qty,
    line_subtotal: total,
    line_total: total,
    tax_id: null,
    tax_group_id: null,
    tax_name: '',
    tax_amount: 0,
    is_base: base,
    is_free: false,
    is_recurring: true,
    is_setup: false,
    is_prorated: false,
    is_taxed: false,
    usage_from: null,
    usage_to: null,
    subscription_line_id: invoice.customerId * 10 + (base ? 1 : 2),
    external_key: null,
    custom_1: '',
    custom_2: '',
    custom_3: '',
  });
  return {
    invoice_id: invoice.id,
    currency_id: 1,
    brand_id: 1,
    terms_id: 3,
    admin_id: 3,
    external_key: null,
    token: token('v', invoice.id),
    refnumber: invoice.refnumber,
    cycle_pre_from_date: null,
    cycle_pre_to_date: null,
    cycle_this_date: coDate(invoice.periodFrom),
    cycle_post_from_date: coDate(invoice.periodFrom),
    cycle_post_to_date: coDate(invoice.periodTo),
    ...(customer ? address(customer, index, 'bill') : {}),
    ...(customer ? address(customer, index, 'ship') : {}),
    memo: '',
    write_datetime: coDatetime(invoice.date),
    void_datetime: invoice.status === 'void' ? coDatetime(new Date(invoice.date.getTime() + 2 * DAY)) : null,
    date: coDate(invoice.date),
    due_date: coDate(invoice.dueDate),
    currency_symbol: '$',
    currency_iso4217: 'USD',
    terms_name: 'Net 30',
    terms_days: 30,
    class_name: '',
    invoice_status_name: st.name,
    invoice_status_str: st.str,
    invoice_status_state: st.state,
    customer_id: invoice.customerId,
    package_id: invoice.customerId * 10,
    subtotal: invoice.total,
    taxes: 0,
    total: invoice.total,
    credits: 0,
    payments: money(invoice.total - balance),
    balance,
    is_paid: invoice.status === 'paid',
    is_void: invoice.status === 'void',
    days_overdue: daysOverdue,
    url_permalink: `${SITE}/r/invoice/view/${token('v', invoice.id)}`,
    url_pdflink: `${SITE}/r/invoice/pdf/${token('v', invoice.id)}`,
    url_self: `${SITE}/admin/r/invoice/view/${invoice.id}`,
    line_items: [
      line(
        invoice.id * 10 + 1,
        1,
        'Outfitters Pro platform',
        'Outfitters Pro platform fee (monthly)',
        invoice.baseFee,
        1,
        invoice.baseFee,
        true,
      ),
      line(
        invoice.id * 10 + 2,
        2,
        'Outfitters Pro seat',
        `Outfitters Pro seats, ${coDate(invoice.periodFrom)} to ${coDate(invoice.periodTo)}`,
        invoice.seatRate,
        invoice.seats,
        seatsTotal,
        false,
      ),
    ],
  };
}

export function renderTransaction(t: Transaction) {
  const ok = t.status === 'success';
  const ach = t.method === 'ach';
  return {
    transaction_id: t.id,
    gateway_id: ach ? 4 : 2,
    currency_id: 1,
    token: token('t', t.id),
    external_key: null,
    customer_id: t.customerId,
    creditcard_id: ach ? null : t.customerId + 9_000,
    ach_id: ach ? t.customerId + 7_000 : null,
    transaction_date: coDate(t.date),
    transaction_datetime: coDatetime(t.date),
    transaction_ipaddr: '10.20.0.21',
    gateway_status: ok ? 1 : 0,
    gateway_transid: ok ? `ch_${token('g', t.id)}` : '',
    gateway_msg: t.message,
    gateway_err_code: ok ? 0 : ach ? 'R01' : 2,
    gateway_err_detail: ok ? '' : t.message,
    gateway_method: ach ? 'ach' : 'credit',
    gateway_name: ach ? 'ACH (Stripe)' : 'Stripe',
    amount: t.amount,
    fee: ok ? money(t.amount * (ach ? 0.008 : 0.029) + (ach ? 0 : 0.3)) : 0,
    transaction_type: t.type,
    transaction_type_name: t.type === 'pay' ? 'Payment' : 'Refund',
    transaction_method: ach ? 'ACH' : t.method === 'visa' ? 'Visa' : 'MasterCard',
    transaction_detail: t.detail,
    transaction_status_name: ok ? 'Success' : 'Failed (Decline)',
    transaction_status_str: ok ? 'ok-successful' : 'err-decline',
    transaction_status_state: ok ? 'o' : 'e',
    void_datetime: null,
    memo: '',
    currency_symbol: '$',
    currency_iso4217: 'USD',
    applied_to: ok ? [{ invoice_id: t.invoiceId, applied: t.amount }] : [],
    url_self: `${SITE}/admin/r/transaction/view/${t.id}`,
  };
}
