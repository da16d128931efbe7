/** How the metrics pages write their numbers. */

/** A duration given in seconds: "0.8 ms", "12 ms", "1.25 s"; "–" when unknown. */
export function duration(seconds: number | null): string {
  if (seconds === null) return '–';
  const ms = seconds * 1000;
  if (ms < 10) return `${Number(ms.toFixed(1))} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${Number(seconds.toFixed(2))} s`;
}

/** A share (0–1) as a percentage: "0%", "12.5%"; "–" when unknown. */
export function percent(share: number | null): string {
  if (share === null) return '–';
  return `${Number((share * 100).toFixed(1))}%`;
}

/** Requests per second: "0.35/s". */
export function perSecond(rate: number): string {
  return `${rate >= 10 ? Math.round(rate) : Number(rate.toFixed(2))}/s`;
}

/** "5 min", "1 h", "30 s". */
export function span(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 1000)} s`;
}
