/** Calendar helpers of the seeded worlds: UTC days, quarters, seeded times of day. */
import type { Random } from '../random.ts';

export const DAY_MS = 86_400_000;

export function utcDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

/** The calendar quarter containing `date`, shifted by `offset` quarters: [start, end) in UTC. */
export function quarterOf(date: Date, offset = 0): { start: Date; end: Date } {
  const q = Math.floor(date.getUTCMonth() / 3) + offset;
  return {
    start: new Date(Date.UTC(date.getUTCFullYear(), q * 3, 1)),
    end: new Date(Date.UTC(date.getUTCFullYear(), q * 3 + 3, 1)),
  };
}

/** A date `days` after `from` (negative: before) at a seeded time of day (08:00–18:00 UTC). */
export function daysFrom(from: Date, days: number, random: Random): Date {
  return new Date(from.getTime() + days * DAY_MS + random.int(8 * 3600, 18 * 3600) * 1000);
}
