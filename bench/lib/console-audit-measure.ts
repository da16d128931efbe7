/**
 * The measuring half of bench/console-audit.ts: signing in to the console as an approver and
 * timing GET /console/audit — to the first byte of the body and to its last — for each filter,
 * interleaved round by round.
 */
import { percentile } from './figures.ts';

export interface AuditFilterCase {
  name: string;
  /** The page's query string (empty: no filter, the newest 100). */
  query: string;
}

export interface FilterTimes {
  firstByteMs: number[];
  fullMs: number[];
  /** Records the page listed (the same every round). */
  rows: number;
}

/** Signs in with an approver's API key; the session cookie. */
export async function signIn(consoleUrl: string, key: string): Promise<string> {
  const login = await fetch(`${consoleUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams({ key }),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  await login.body?.cancel();
  if (login.status !== 303 || !cookie.includes('=')) throw new Error(`sign-in failed: HTTP ${login.status}`);
  return cookie;
}

/** One GET of the audit page: ms to the first body chunk and to the end, and the rows listed. */
export async function timeAuditPage(
  consoleUrl: string,
  cookie: string,
  query: string,
): Promise<{ firstByteMs: number; fullMs: number; rows: number }> {
  const started = performance.now();
  const response = await fetch(`${consoleUrl}/audit${query ? `?${query}` : ''}`, { headers: { cookie } });
  if (response.status !== 200 || !response.body)
    throw new Error(`GET /console/audit?${query}: HTTP ${response.status}`);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let page = '';
  let firstByteMs = Number.NaN;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (Number.isNaN(firstByteMs)) firstByteMs = performance.now() - started;
    page += decoder.decode(value, { stream: true });
  }
  const fullMs = performance.now() - started;
  if (!page.includes('<h1>Audit</h1>')) throw new Error(`GET /console/audit?${query}: not the audit page`);
  const rows = page.match(/<tr><td><a href="\/console\/audit\/\d+">/g)?.length ?? 0;
  return { firstByteMs, fullMs, rows };
}

/** `rounds` rounds, each timing every filter once, after one warm-up round that is not kept. */
export async function measureFilters(
  consoleUrl: string,
  cookie: string,
  cases: readonly AuditFilterCase[],
  rounds: number,
  onRound: (round: number) => void,
): Promise<Map<string, FilterTimes>> {
  const times = new Map<string, FilterTimes>(
    cases.map((c) => [c.name, { firstByteMs: [], fullMs: [], rows: 0 }]),
  );
  for (const c of cases) await timeAuditPage(consoleUrl, cookie, c.query);
  for (let round = 1; round <= rounds; round++) {
    for (const c of cases) {
      const t = await timeAuditPage(consoleUrl, cookie, c.query);
      const entry = times.get(c.name);
      if (!entry) continue;
      entry.firstByteMs.push(t.firstByteMs);
      entry.fullMs.push(t.fullMs);
      entry.rows = t.rows;
    }
    onRound(round);
  }
  return times;
}

/** The p-quantile of per-round values. */
export function quantile(values: readonly number[], p: number): number {
  return percentile(Float64Array.from(values).sort(), p);
}
