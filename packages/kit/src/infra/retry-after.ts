/**
 * `Retry-After` (RFC 9110 §10.2.3): how long a service asks to be left alone, given either as
 * delay-seconds (`120`) or as an HTTP-date (`Wed, 21 Oct 2026 07:28:00 GMT`).
 */

/** The requested wait in ms (0 for a date already passed); undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // Every HTTP-date form starts with the day's name; Date.parse alone would accept '-5' too.
  if (!/^[A-Za-z]{3}/.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
