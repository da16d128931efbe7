/**
 * Deals of the customer world: every company has its Outfitters Pro renewal, some an expansion
 * and some their original new-business deal. Renewal timing and stage follow the company's
 * scenario (see customers.ts); the rest is seeded at random around `today`.
 */
import { derive, type Random } from '../random.ts';
import { DAY_MS, daysFrom, quarterOf } from './calendar.ts';
import { LOST_REASONS, NEXT_STEPS } from './customer-vocabulary.ts';
import type { Company, Deal, DealKind, DealStage } from './customers.ts';

/** HubSpot's default sales pipeline, in order, with each stage's win probability. */
export const DEAL_STAGES: readonly { id: DealStage; label: string; probability: number; closed: boolean }[] =
  [
    { id: 'appointmentscheduled', label: 'Appointment Scheduled', probability: 0.2, closed: false },
    { id: 'qualifiedtobuy', label: 'Qualified To Buy', probability: 0.4, closed: false },
    { id: 'presentationscheduled', label: 'Presentation Scheduled', probability: 0.6, closed: false },
    { id: 'decisionmakerboughtin', label: 'Decision Maker Bought-In', probability: 0.8, closed: false },
    { id: 'contractsent', label: 'Contract Sent', probability: 0.9, closed: false },
    { id: 'closedwon', label: 'Closed Won', probability: 1, closed: true },
    { id: 'closedlost', label: 'Closed Lost', probability: 0, closed: true },
  ];

export function isClosedStage(stage: DealStage): boolean {
  return stage === 'closedwon' || stage === 'closedlost';
}

function openStageFor(daysToClose: number, random: Random): DealStage {
  if (daysToClose > 120) return random.pick(['appointmentscheduled', 'qualifiedtobuy'] as const);
  if (daysToClose > 60) return random.pick(['qualifiedtobuy', 'presentationscheduled'] as const);
  if (daysToClose > 20) return random.pick(['presentationscheduled', 'decisionmakerboughtin'] as const);
  return random.pick(['decisionmakerboughtin', 'contractsent'] as const);
}

/** A day in [from, to) (whole days), at a seeded time of day; `from` when the range is empty. */
function dayBetween(from: Date, to: Date, random: Random): Date {
  const days = Math.max(0, Math.floor((to.getTime() - from.getTime()) / DAY_MS) - 1);
  return daysFrom(from, random.int(0, days), random);
}

function timing(company: Company, today: Date, random: Random): { closeDate: Date; stage: DealStage } {
  const quarter = quarterOf(today);
  const tomorrow = new Date(today.getTime() + DAY_MS);
  switch (company.scenario) {
    case 'at-risk':
    case 'one-ticket':
    case 'calm': {
      const closeDate = dayBetween(today, quarter.end, random);
      return { closeDate, stage: openStageFor((closeDate.getTime() - today.getTime()) / DAY_MS, random) };
    }
    case 'won':
      return { closeDate: dayBetween(quarter.start, tomorrow, random), stage: 'closedwon' };
    case 'lost':
      return { closeDate: dayBetween(quarter.start, tomorrow, random), stage: 'closedlost' };
    case 'next-quarter': {
      const next = quarterOf(today, 1);
      const closeDate = dayBetween(next.start, next.end, random);
      return { closeDate, stage: openStageFor((closeDate.getTime() - today.getTime()) / DAY_MS, random) };
    }
    case 'random':
      return randomTiming(today, random, random.chance(0.3));
  }
}

function randomTiming(
  today: Date,
  random: Random,
  thisQuarter: boolean,
): { closeDate: Date; stage: DealStage } {
  const quarter = quarterOf(today);
  const closeDate = thisQuarter
    ? dayBetween(quarter.start, quarter.end, random)
    : daysFrom(today, random.int(-150, 330), random);
  const daysToClose = (closeDate.getTime() - today.getTime()) / DAY_MS;
  if (daysToClose >= 0 || random.chance(0.1)) return { closeDate, stage: openStageFor(daysToClose, random) };
  return { closeDate, stage: random.chance(0.85) ? 'closedwon' : 'closedlost' };
}

function roundTo(value: number, step: number): number {
  return Math.max(step, Math.round(value / step) * step);
}

export function generateDeals(seed: number, today: Date, companies: Company[]): Deal[] {
  const random = derive(seed, 'customers/deals');
  const deals: Deal[] = [];
  const add = (company: Company, kind: DealKind, amount: number, closeDate: Date, stage: DealStage) => {
    const createdAt = new Date(
      Math.min(closeDate.getTime() - random.int(60, 150) * DAY_MS, today.getTime() - DAY_MS),
    );
    const lastTouch = Math.min(today.getTime(), Math.max(createdAt.getTime(), closeDate.getTime()));
    const stageEnteredAt = new Date(createdAt.getTime() + random.next() * (lastTouch - createdAt.getTime()));
    const year = closeDate.getUTCFullYear();
    const label = {
      renewal: `Outfitters Pro renewal ${year}`,
      expansion: 'Outfitters Pro seat expansion',
      new_business: 'Outfitters Pro new subscription',
    }[kind];
    const contacts = company.contactIds.slice(0, random.int(1, Math.min(2, company.contactIds.length)));
    const deal: Deal = {
      id: String(14_000_000_000 + deals.length * 977 + random.int(0, 900)),
      companyId: company.id,
      contactIds: contacts,
      ownerId: company.ownerId,
      kind,
      name: `${company.name} - ${label}`,
      stage,
      amount,
      currency: 'USD',
      closeDate,
      createdAt,
      updatedAt: new Date(Math.max(stageEnteredAt.getTime(), today.getTime() - random.int(0, 20) * DAY_MS)),
      stageEnteredAt,
      lostReason: stage === 'closedlost' ? random.pick(LOST_REASONS) : null,
      nextStep: isClosedStage(stage) ? null : random.pick(NEXT_STEPS),
      priority: company.tier === 'enterprise' ? 'high' : random.pick(['low', 'medium', 'high'] as const),
    };
    deals.push(deal);
    company.dealIds.push(deal.id);
  };

  for (const company of companies) {
    if (random.chance(0.3)) {
      const closeDate = new Date(company.createdAt.getTime() + random.int(10, 40) * DAY_MS);
      add(company, 'new_business', company.acv, closeDate, 'closedwon');
    }
    const renewal = timing(company, today, random);
    const uplift = 1 + random.int(0, 8) / 100;
    add(company, 'renewal', roundTo(company.acv * uplift, 100), renewal.closeDate, renewal.stage);
    if (random.chance(0.35)) {
      const expansion = randomTiming(today, random, random.chance(0.25));
      const amount = roundTo((company.acv * random.int(10, 40)) / 100, 100);
      add(company, 'expansion', amount, expansion.closeDate, expansion.stage);
    }
  }
  return deals;
}
