/**
 * Intercom object shapes over the customer world: contacts (external_id = the HubSpot contact
 * id), conversations with their source, contacts, teammates, tags, statistics and — on a single
 * read — conversation_parts, and admins; timestamps in Unix seconds, as api.intercom.io answers.
 */
import type { CustomerIndex } from '../seed/customer-index.ts';
import { TICKET_TOPICS } from '../seed/customer-vocabulary.ts';
import type { Contact, Conversation, ConversationPart, SupportAdmin } from '../seed/customers.ts';

export const WORKSPACE_ID = 'nw8x2k1q';

const TAG_NAMES: string[] = [...new Set(TICKET_TOPICS.flatMap(([, , tags]) => tags))].sort();

export function unix(date: Date | null | undefined): number | null {
  return date ? Math.floor(date.getTime() / 1000) : null;
}

/** Intercom's company id for a HubSpot company (24 hex characters, stable). */
export function intercomCompanyId(companyId: string): string {
  return Number(companyId).toString(16).padStart(24, '6');
}

function emptyList(url: string) {
  return { type: 'list', data: [], url, total_count: 0, has_more: false };
}

export function renderContact(contact: Contact, index: CustomerIndex) {
  const company = index.companies.get(contact.companyId);
  const id = contact.intercomId;
  const convs = index.conversationsByContact.get(contact.id) ?? [];
  const lastReply = convs.flatMap((c) => c.parts.filter((p) => p.author.id === contact.id)).at(-1)?.createdAt;
  return {
    type: 'contact',
    id,
    workspace_id: WORKSPACE_ID,
    external_id: contact.id,
    role: 'user',
    email: contact.email,
    email_domain: contact.email.split('@')[1] ?? null,
    phone: contact.phone,
    formatted_phone: contact.phone.replace(/[ -]/g, ''),
    name: `${contact.firstName} ${contact.lastName}`,
    owner_id: null,
    social_profiles: { type: 'list', data: [] },
    has_hard_bounced: false,
    marked_email_as_spam: false,
    unsubscribed_from_emails: false,
    created_at: unix(contact.createdAt),
    updated_at: unix(contact.updatedAt),
    signed_up_at: unix(contact.createdAt),
    last_seen_at: unix(contact.lastSeenAt),
    last_replied_at: unix(lastReply),
    last_contacted_at: unix(contact.updatedAt),
    last_email_opened_at: unix(contact.lastSeenAt),
    last_email_clicked_at: null,
    language_override: null,
    browser: 'chrome',
    browser_version: '131.0.0.0',
    browser_language: 'en',
    os: 'OS X 14.5',
    location: {
      type: 'location',
      country: 'United States',
      region: company?.state ?? null,
      city: company?.city ?? null,
      country_code: 'USA',
      continent_code: 'NA',
    },
    android_app_name: null,
    android_app_version: null,
    android_device: null,
    android_os_version: null,
    android_sdk_version: null,
    android_last_seen_at: null,
    ios_app_name: null,
    ios_app_version: null,
    ios_device: null,
    ios_os_version: null,
    ios_sdk_version: null,
    ios_last_seen_at: null,
    custom_attributes: { job_title: contact.jobTitle, customer_tier: company?.tier ?? null },
    tags: emptyList(`/contacts/${id}/tags`),
    notes: emptyList(`/contacts/${id}/notes`),
    companies: {
      type: 'list',
      data: [
        {
          id: intercomCompanyId(contact.companyId),
          type: 'company',
          url: `/companies/${intercomCompanyId(contact.companyId)}`,
        },
      ],
      url: `/contacts/${id}/companies`,
      total_count: 1,
      has_more: false,
    },
    opted_out_subscription_types: emptyList(`/contacts/${id}/subscriptions`),
    opted_in_subscription_types: emptyList(`/contacts/${id}/subscriptions`),
    utm_campaign: null,
    utm_content: null,
    utm_medium: null,
    utm_source: null,
    utm_term: null,
    referrer: null,
    sms_consent: false,
    unsubscribed_from_sms: false,
    enabled_push_messaging: null,
  };
}

export function renderAdmin(admin: SupportAdmin) {
  return {
    type: 'admin',
    id: admin.id,
    name: admin.name,
    email: admin.email,
    job_title: admin.teamName,
    away_mode_enabled: false,
    away_mode_reassign: false,
    has_inbox_seat: true,
    team_ids: [Number(admin.teamId)],
    avatar: null,
    email_verified: true,
  };
}

function author(part: ConversationPart | { author: ConversationPart['author'] }, index: CustomerIndex) {
  if (part.author.type === 'admin') {
    const admin = index.admins.get(part.author.id);
    return {
      id: part.author.id,
      type: 'admin',
      name: admin?.name ?? null,
      email: admin?.email ?? null,
      from_ai_agent: false,
      is_ai_answer: false,
    };
  }
  const contact = index.contacts.get(part.author.id);
  return {
    id: contact?.intercomId ?? part.author.id,
    type: 'user',
    name: contact ? `${contact.firstName} ${contact.lastName}` : null,
    email: contact?.email ?? '',
    from_ai_agent: false,
    is_ai_answer: false,
  };
}

function renderPart(part: ConversationPart, conv: Conversation, index: CustomerIndex) {
  return {
    type: 'conversation_part',
    id: part.id,
    part_type: part.type === 'snoozed' ? 'snoozed' : part.type,
    body: part.body,
    created_at: unix(part.createdAt),
    updated_at: unix(part.createdAt),
    notified_at: unix(part.createdAt),
    assigned_to: part.type === 'assignment' ? { type: 'admin', id: conv.adminAssigneeId } : null,
    author: author(part, index),
    attachments: [],
    external_id: null,
    redacted: false,
    email_message_metadata: null,
    state: part.type === 'close' ? 'closed' : part.type === 'snoozed' ? 'snoozed' : 'open',
    tags: [],
    event_details: {},
    app_package_code: null,
  };
}

function statistics(conv: Conversation) {
  const at = (pred: (p: ConversationPart) => boolean) => conv.parts.filter(pred);
  const assignments = at((p) => p.type === 'assignment');
  const adminReplies = at((p) => p.type === 'comment' && p.author.type === 'admin');
  const userReplies = at((p) => p.type === 'comment' && p.author.type === 'user');
  const closes = at((p) => p.type === 'close');
  const since = (d: Date | undefined) =>
    d ? Math.round((d.getTime() - conv.createdAt.getTime()) / 1000) : null;
  return {
    type: 'conversation_statistics',
    time_to_assignment: since(assignments[0]?.createdAt),
    time_to_admin_reply: since(adminReplies[0]?.createdAt),
    time_to_first_close: since(closes[0]?.createdAt),
    time_to_last_close: since(closes.at(-1)?.createdAt),
    median_time_to_reply: since(adminReplies[Math.floor(adminReplies.length / 2)]?.createdAt),
    first_contact_reply_at: unix(conv.createdAt),
    first_assignment_at: unix(assignments[0]?.createdAt),
    first_admin_reply_at: unix(adminReplies[0]?.createdAt),
    first_close_at: unix(closes[0]?.createdAt),
    last_assignment_at: unix(assignments.at(-1)?.createdAt),
    last_assignment_admin_reply_at: unix(adminReplies[0]?.createdAt),
    last_contact_reply_at: unix(userReplies.at(-1)?.createdAt ?? conv.createdAt),
    last_admin_reply_at: unix(adminReplies.at(-1)?.createdAt),
    last_close_at: unix(closes.at(-1)?.createdAt),
    last_closed_by_id: closes.length ? conv.adminAssigneeId : null,
    count_reopens: 0,
    count_assignments: assignments.length,
    count_conversation_parts: conv.parts.length + 1,
  };
}

/** A conversation as list and search return it; `withParts` adds conversation_parts (single read). */
export function renderConversation(conv: Conversation, index: CustomerIndex, withParts = false) {
  const opener = index.contacts.get(conv.contactIds[0] ?? '');
  const email = conv.tags.includes('billing');
  const tagTime = unix(new Date(conv.createdAt.getTime() + 600_000));
  return {
    type: 'conversation',
    id: conv.id,
    title: conv.subject,
    created_at: unix(conv.createdAt),
    updated_at: unix(conv.updatedAt),
    waiting_since: unix(conv.waitingSince),
    snoozed_until: unix(conv.snoozedUntil),
    open: conv.state !== 'closed',
    state: conv.state,
    read: conv.read,
    priority: conv.priority ? 'priority' : 'not_priority',
    admin_assignee_id: conv.adminAssigneeId === null ? null : Number(conv.adminAssigneeId),
    team_assignee_id: conv.teamAssigneeId,
    company: null,
    tags: {
      type: 'tag.list',
      tags: conv.tags.map((name) => ({
        type: 'tag',
        id: String(8_800_100 + TAG_NAMES.indexOf(name)),
        name,
        applied_at: tagTime,
        applied_by: { type: 'admin', id: conv.adminAssigneeId },
      })),
    },
    conversation_rating: null,
    source: {
      type: email ? 'email' : 'conversation',
      id: String(Number(conv.id) * 7),
      delivered_as: 'customer_initiated',
      subject: email ? conv.subject : '',
      body: conv.body,
      author: author({ author: { type: 'user', id: opener?.id ?? '' } }, index),
      attachments: [],
      url: null,
      redacted: false,
    },
    contacts: {
      type: 'contact.list',
      contacts: conv.contactIds.map((id) => ({
        type: 'contact',
        id: index.contacts.get(id)?.intercomId ?? id,
        external_id: id,
      })),
    },
    teammates: {
      type: 'admin.list',
      admins: conv.adminAssigneeId ? [{ type: 'admin', id: conv.adminAssigneeId }] : [],
    },
    custom_attributes: { 'Issue type': conv.tags[0] ?? null, Brand: 'Outfitters Pro' },
    first_contact_reply: {
      created_at: unix(conv.createdAt),
      type: email ? 'email' : 'conversation',
      url: null,
    },
    sla_applied: conv.priority
      ? {
          type: 'conversation_sla_summary',
          sla_name: 'Priority 4h',
          sla_status: conv.state === 'closed' ? 'hit' : 'active',
        }
      : null,
    statistics: statistics(conv),
    ...(withParts
      ? {
          conversation_parts: {
            type: 'conversation_part.list',
            conversation_parts: conv.parts.map((p) => renderPart(p, conv, index)),
            total_count: conv.parts.length,
          },
        }
      : {}),
    linked_objects: { type: 'list', data: [], total_count: 0, has_more: false },
    ai_agent_participated: false,
    ai_agent: null,
  };
}

export type RenderedConversation = ReturnType<typeof renderConversation>;
export type RenderedContact = ReturnType<typeof renderContact>;
