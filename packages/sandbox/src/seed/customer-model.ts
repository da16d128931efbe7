/**
 * The records of the customer world (see customers.ts): Northwind's sales owners and support
 * admins, customer companies and their contacts, deals, support conversations, billing customers,
 * invoices and payment transactions — plain data the three sandbox services render in their own
 * API shapes.
 */
import type { Segment } from './customer-vocabulary.ts';

export type Tier = 'enterprise' | 'mid-market' | 'smb';
export type DealKind = 'renewal' | 'expansion' | 'new_business';
export type DealStage =
  | 'appointmentscheduled'
  | 'qualifiedtobuy'
  | 'presentationscheduled'
  | 'decisionmakerboughtin'
  | 'contractsent'
  | 'closedwon'
  | 'closedlost';
export type ConversationState = 'open' | 'closed' | 'snoozed';

/** What a company's renewal and support look like; drives deal and conversation generation. */
export type Scenario =
  | 'at-risk' // open renewal this quarter, 2–4 unresolved conversations
  | 'one-ticket' // open renewal this quarter, exactly 1 unresolved
  | 'calm' // open renewal this quarter, none unresolved
  | 'won' // renewal closed-won this quarter, 2–3 unresolved
  | 'lost' // renewal closed-lost this quarter, 1–3 unresolved
  | 'next-quarter' // open renewal next quarter, 2–3 unresolved
  | 'random';

export interface Owner {
  id: string;
  userId: number;
  firstName: string;
  lastName: string;
  email: string;
  teamId: string;
  teamName: string;
  createdAt: Date;
}

export interface Company {
  id: string;
  name: string;
  domain: string;
  tier: Tier;
  segment: Segment;
  industry: string;
  address: string;
  city: string;
  state: string;
  zip: string;
  phone: string;
  employees: number;
  annualRevenue: number;
  /** Yearly contract value of the Outfitters Pro subscription, USD. */
  acv: number;
  ownerId: string;
  foundedYear: number;
  createdAt: Date;
  updatedAt: Date;
  scenario: Scenario;
  contactIds: string[];
  dealIds: string[];
}

export interface Contact {
  id: string;
  companyId: string;
  firstName: string;
  lastName: string;
  email: string;
  jobTitle: string;
  buyingRole: string;
  phone: string;
  /** The Intercom contact id (24 hex); its external_id is this contact's HubSpot id. */
  intercomId: string;
  createdAt: Date;
  updatedAt: Date;
  lastSeenAt: Date;
}

export interface Deal {
  id: string;
  companyId: string;
  contactIds: string[];
  ownerId: string;
  kind: DealKind;
  name: string;
  stage: DealStage;
  amount: number;
  currency: 'USD';
  closeDate: Date;
  createdAt: Date;
  updatedAt: Date;
  stageEnteredAt: Date;
  lostReason: string | null;
  nextStep: string | null;
  priority: 'low' | 'medium' | 'high';
}

export interface SupportAdmin {
  id: string;
  name: string;
  email: string;
  teamId: string;
  teamName: string;
}

export interface ConversationPart {
  id: string;
  type: 'comment' | 'note' | 'assignment' | 'snoozed' | 'close' | 'open';
  body: string | null;
  createdAt: Date;
  author: { type: 'admin' | 'user'; id: string };
}

export interface Conversation {
  id: string;
  companyId: string;
  /** HubSpot contact ids of the people in the conversation (the first one opened it). */
  contactIds: string[];
  subject: string;
  body: string;
  tags: string[];
  state: ConversationState;
  priority: boolean;
  read: boolean;
  adminAssigneeId: string | null;
  teamAssigneeId: string | null;
  createdAt: Date;
  updatedAt: Date;
  waitingSince: Date | null;
  snoozedUntil: Date | null;
  parts: ConversationPart[];
}

export interface BillingCustomer {
  id: number;
  companyId: string;
  name: string;
  billingDay: number;
  paymethod: 'visa' | 'mastercard' | 'ach';
  accountLast4: string;
  createdAt: Date;
}

export interface Invoice {
  id: number;
  customerId: number;
  refnumber: string;
  date: Date;
  dueDate: Date;
  status: 'paid' | 'unpaid' | 'overdue' | 'void';
  periodFrom: Date;
  periodTo: Date;
  seats: number;
  seatRate: number;
  baseFee: number;
  total: number;
  paidAt: Date | null;
}

export interface Transaction {
  id: number;
  customerId: number;
  invoiceId: number;
  date: Date;
  amount: number;
  type: 'pay' | 'ref';
  status: 'success' | 'failed';
  method: BillingCustomer['paymethod'];
  detail: string;
  message: string;
}

export interface CustomerWorld {
  seed: number;
  /** UTC midnight of `now`'s day: every date is generated relative to it. */
  today: Date;
  /** The quarter `today` is in: [start, end) in UTC. */
  quarter: { start: Date; end: Date };
  owners: Owner[];
  companies: Company[];
  contacts: Contact[];
  deals: Deal[];
  admins: SupportAdmin[];
  conversations: Conversation[];
  billingCustomers: BillingCustomer[];
  invoices: Invoice[];
  transactions: Transaction[];
}
