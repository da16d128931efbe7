/**
 * Dates the customer tools reason with: "today" (pinned by GATEHOUSE_TODAY or the real date, as a
 * UTC day), calendar quarters, ages in whole days and ISO dates.
 */
export const DAY_MS = 86_400_000;

/** UTC midnight of the pinned day, or of the current day. */
export function todayOf(pinned: string | undefined, now: Date = new Date()): Date {
  if (pinned) return new Date(`${pinned}T00:00:00Z`);
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Whole calendar days from `from` to `today` (0 for something that happened today). */
export function ageInDays(from: Date, today: Date): number {
  const day = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  return Math.max(0, Math.round((today.getTime() - day) / DAY_MS));
}

export interface Quarter {
  /** e.g. "2026-Q4" */
  label: string;
  start: Date;
  /** Exclusive. */
  end: Date;
}

/**
 * The quarter named by `which`: 'current', 'next', 'previous' (relative to `today`) or an
 * explicit 'YYYY-Qn'. Undefined when `which` is none of these.
 */
export function quarterOf(which: string, today: Date): Quarter | undefined {
  const explicit = /^(\d{4})-Q([1-4])$/i.exec(which);
  let year: number;
  let index: number;
  if (explicit) {
    year = Number(explicit[1]);
    index = Number(explicit[2]) - 1;
  } else {
    const shift = { current: 0, next: 1, previous: -1 }[which];
    if (shift === undefined) return undefined;
    const absolute = today.getUTCFullYear() * 4 + Math.floor(today.getUTCMonth() / 3) + shift;
    year = Math.floor(absolute / 4);
    index = absolute % 4;
  }
  return {
    label: `${year}-Q${index + 1}`,
    start: new Date(Date.UTC(year, index * 3, 1)),
    end: new Date(Date.UTC(year, index * 3 + 3, 1)),
  };
}
