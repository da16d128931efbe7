/**
 * Lookups over a customer world that the three sandbox services share (by id, by company, by
 * contact), built once per world.
 */
import type {
  BillingCustomer,
  Company,
  Contact,
  Conversation,
  CustomerWorld,
  Deal,
  Invoice,
  Owner,
  SupportAdmin,
  Transaction,
} from './customers.ts';

export interface CustomerIndex {
  readonly world: CustomerWorld;
  readonly companies: Map<string, Company>;
  readonly contacts: Map<string, Contact>;
  readonly contactsByIntercomId: Map<string, Contact>;
  readonly deals: Map<string, Deal>;
  readonly owners: Map<string, Owner>;
  readonly admins: Map<string, SupportAdmin>;
  readonly dealsByContact: Map<string, Deal[]>;
  readonly conversations: Map<string, Conversation>;
  readonly conversationsByContact: Map<string, Conversation[]>;
  readonly billingCustomers: Map<number, BillingCustomer>;
  readonly billingByCompany: Map<string, BillingCustomer>;
  readonly invoices: Map<number, Invoice>;
  readonly invoicesByCustomer: Map<number, Invoice[]>;
  readonly transactionsByCustomer: Map<number, Transaction[]>;
  readonly transactionsByInvoice: Map<number, Transaction[]>;
}

const indexes = new WeakMap<CustomerWorld, CustomerIndex>();

function groupBy<T, K>(items: T[], keys: (item: T) => K[]): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    for (const key of keys(item)) {
      const list = groups.get(key);
      if (list) list.push(item);
      else groups.set(key, [item]);
    }
  }
  return groups;
}

export function customerIndex(world: CustomerWorld): CustomerIndex {
  let index = indexes.get(world);
  if (index === undefined) {
    index = {
      world,
      companies: new Map(world.companies.map((c) => [c.id, c])),
      contacts: new Map(world.contacts.map((c) => [c.id, c])),
      contactsByIntercomId: new Map(world.contacts.map((c) => [c.intercomId, c])),
      deals: new Map(world.deals.map((d) => [d.id, d])),
      owners: new Map(world.owners.map((o) => [o.id, o])),
      admins: new Map(world.admins.map((a) => [a.id, a])),
      dealsByContact: groupBy(world.deals, (d) => d.contactIds),
      conversations: new Map(world.conversations.map((c) => [c.id, c])),
      conversationsByContact: groupBy(world.conversations, (c) => c.contactIds),
      billingCustomers: new Map(world.billingCustomers.map((b) => [b.id, b])),
      billingByCompany: new Map(world.billingCustomers.map((b) => [b.companyId, b])),
      invoices: new Map(world.invoices.map((i) => [i.id, i])),
      invoicesByCustomer: groupBy(world.invoices, (i) => [i.customerId]),
      transactionsByCustomer: groupBy(world.transactions, (t) => [t.customerId]),
      transactionsByInvoice: groupBy(world.transactions, (t) => [t.invoiceId]),
    };
    indexes.set(world, index);
  }
  return index;
}
