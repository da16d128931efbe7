/**
 * Support conversations of the customer world (served by the Intercom sandbox). Each company gets
 * a number of unresolved conversations (open or snoozed) decided by its scenario, plus a history
 * of closed ones; each conversation is started by one of the company's contacts and carries the
 * parts a real thread has (assignment, replies, notes, snooze or close).
 */
import { derive, type Random } from '../random.ts';
import { DAY_MS, daysFrom } from './calendar.ts';
import { REPLIES, SUPPORT_ADMINS, TICKET_TOPICS } from './customer-vocabulary.ts';
import type { Company, Contact, Conversation, ConversationPart, SupportAdmin } from './customers.ts';

function unresolvedTarget(company: Company, random: Random): number {
  switch (company.scenario) {
    case 'at-risk':
      return random.int(2, 4);
    case 'one-ticket':
      return 1;
    case 'calm':
      return 0;
    case 'won':
    case 'next-quarter':
      return random.int(2, 3);
    case 'lost':
      return random.int(1, 3);
    case 'random':
      return random.weighted([
        [0, 50],
        [1, 25],
        [2, 15],
        [3, 10],
      ]);
  }
}

function generateAdmins(): SupportAdmin[] {
  const teams = [...new Set(SUPPORT_ADMINS.map(([, team]) => team))];
  return SUPPORT_ADMINS.map(([name, teamName], i) => ({
    id: String(5_017_691 + i * 211),
    name,
    email: `${name.toLowerCase().replace(' ', '.')}@northwind-outfitters.com`,
    teamId: String(6_120_400 + teams.indexOf(teamName)),
    teamName,
  }));
}

interface ThreadPlan {
  state: Conversation['state'];
  createdAt: Date;
  contactId: string;
  admin: SupportAdmin;
  /** How long the thread runs: until today for unresolved ones, a few days for closed ones. */
  spanMs: number;
}

/** The parts after the opening message, in time order, never later than `today`. */
function threadParts(
  plan: ThreadPlan,
  today: Date,
  random: Random,
  nextId: () => string,
): ConversationPart[] {
  const parts: ConversationPart[] = [];
  const span = Math.max(60_000, plan.spanMs);
  let at = plan.createdAt.getTime();
  const step = () => {
    at = Math.min(today.getTime(), at + random.int(5, 40) * (span / 200));
    return new Date(at);
  };
  const admin = { type: 'admin' as const, id: plan.admin.id };
  const user = { type: 'user' as const, id: plan.contactId };
  parts.push({ id: nextId(), type: 'assignment', body: null, createdAt: step(), author: admin });
  const exchanges = random.int(1, 4);
  for (let i = 0; i < exchanges; i++) {
    parts.push({
      id: nextId(),
      type: 'comment',
      body: `<p>${random.pick(REPLIES)}</p>`,
      createdAt: step(),
      author: admin,
    });
    if (random.chance(0.25)) {
      parts.push({
        id: nextId(),
        type: 'note',
        body: '<p>Checked logs; linked to known issue.</p>',
        createdAt: step(),
        author: admin,
      });
    }
    if (i < exchanges - 1 || plan.state === 'open') {
      parts.push({
        id: nextId(),
        type: 'comment',
        body: `<p>${random.pick(REPLIES)}</p>`,
        createdAt: step(),
        author: user,
      });
    }
  }
  if (plan.state === 'closed')
    parts.push({ id: nextId(), type: 'close', body: null, createdAt: step(), author: admin });
  if (plan.state === 'snoozed')
    parts.push({ id: nextId(), type: 'snoozed', body: null, createdAt: step(), author: admin });
  return parts;
}

export function generateSupport(
  seed: number,
  today: Date,
  companies: Company[],
  contacts: Contact[],
): { admins: SupportAdmin[]; conversations: Conversation[] } {
  const random = derive(seed, 'customers/support');
  const admins = generateAdmins();
  const contactsById = new Map(contacts.map((c) => [c.id, c]));
  const conversations: Conversation[] = [];
  let partSeq = 0;
  const nextPartId = () => String(31_000_000_000 + ++partSeq * 37);

  for (const company of companies) {
    const unresolved = unresolvedTarget(company, random);
    const resolved = random.int(0, company.tier === 'enterprise' ? 6 : 4);
    const states: Conversation['state'][] = [
      ...Array.from({ length: unresolved }, (): Conversation['state'] =>
        random.chance(0.7) ? 'open' : 'snoozed',
      ),
      ...Array.from({ length: resolved }, (): Conversation['state'] => 'closed'),
    ];
    // Each conversation of a company is about something else.
    const topics = [...TICKET_TOPICS];
    for (let i = topics.length - 1; i > 0; i--) {
      const j = random.int(0, i);
      [topics[i], topics[j]] = [topics[j] as (typeof topics)[0], topics[i] as (typeof topics)[0]];
    }
    for (const [n, state] of states.entries()) {
      const opener = random.pick(company.contactIds);
      const contactIds = [opener];
      const second = random.pick(company.contactIds);
      if (second !== opener && random.chance(0.15)) contactIds.push(second);
      const [subject, body, tags] = topics[n % topics.length] ?? random.pick(TICKET_TOPICS);
      const createdAt =
        state === 'closed'
          ? daysFrom(today, -random.int(5, 300), random)
          : daysFrom(today, -random.int(1, 40), random);
      const admin = random.pick(admins);
      const spanMs = state === 'closed' ? random.int(1, 10) * DAY_MS : today.getTime() - createdAt.getTime();
      const parts = threadParts(
        { state, createdAt, contactId: opener, admin, spanMs },
        today,
        random,
        nextPartId,
      );
      const last = parts.at(-1);
      const lastUserPart = [...parts].reverse().find((p) => p.type === 'comment');
      const openerContact = contactsById.get(opener);
      conversations.push({
        id: String(2_140_000_000 + conversations.length * 131 + random.int(0, 100)),
        companyId: company.id,
        contactIds,
        subject,
        body: `<p>${body}</p><p>— ${openerContact ? `${openerContact.firstName} ${openerContact.lastName}` : 'customer'}</p>`,
        tags: [...tags],
        state,
        priority: random.chance(state === 'closed' ? 0.1 : 0.35),
        read: state === 'closed' || random.chance(0.6),
        adminAssigneeId: admin.id,
        teamAssigneeId: admin.teamId,
        createdAt,
        updatedAt: last?.createdAt ?? createdAt,
        waitingSince:
          state === 'open' && lastUserPart?.author.type === 'user' ? lastUserPart.createdAt : null,
        snoozedUntil:
          state === 'snoozed' ? new Date(today.getTime() + random.int(1, 7) * DAY_MS + 9 * 3_600_000) : null,
        parts,
      });
    }
  }
  return { admins, conversations };
}
