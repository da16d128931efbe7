/**
 * Deploy history for the sandbox platform API: about 30 days of deploys per service before the
 * sandbox's `now`, mostly on weekday working hours, with semantic versions that only move
 * forward, a few failed and rolled-back releases, and the latest deploy of every service live.
 * A scenario's bad release is forced in as its service's latest deploy. Also the keyset cursor
 * the list endpoint pages with.
 */
import { derive, type Random } from '../random.ts';
import { CATALOG, CHANGES, DEPLOY_RATE, ENGINEERS, SCENARIOS } from '../seed/platform.ts';

export type DeployStatus = 'succeeded' | 'failed' | 'rolled_back';

export interface Deploy {
  id: string;
  service: string;
  version: string;
  commit_sha: string;
  author: string;
  started_at: string;
  finished_at: string;
  status: DeployStatus;
  summary: string;
  /** The deploy this one undid, for rollbacks made through the API. */
  rollback_of: string | null;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** A start time in the last 30 days before `latest`, on a working hour (weekends are rarer). */
function deployTime(rng: Random, now: number, latest: number): number {
  for (;;) {
    const day = Math.floor(now / DAY) * DAY - rng.int(0, 29) * DAY;
    const weekday = new Date(day).getUTCDay();
    if ((weekday === 0 || weekday === 6) && !rng.chance(0.15)) continue;
    const at = day + rng.int(7, 18) * 60 * MINUTE + rng.int(0, 59) * MINUTE + rng.int(0, 59) * 1000;
    if (at < latest && at > now - 30 * DAY) return at;
  }
}

function nextVersion(rng: Random, version: [number, number, number]): [number, number, number] {
  const [major, minor, patch] = version;
  return rng.chance(0.3) ? [major, minor + 1, 0] : [major, minor, patch + 1];
}

export function generateDeploys(seed: number, now: Date): Deploy[] {
  const nowMs = now.getTime();
  const all: Deploy[] = [];
  for (const service of CATALOG) {
    const rng = derive(seed, `deploys:${service.name}`);
    const scenario = SCENARIOS.find((s) => s.service === service.name)?.release;
    const latest = nowMs - (scenario ? scenario.minutesAgo * MINUTE + 3 * 60 * MINUTE : 20 * MINUTE);
    const base = DEPLOY_RATE[service.name] ?? 5;
    const count = Math.max(1, Math.round(base * (0.8 + 0.4 * rng.next())));
    const starts = Array.from({ length: count }, () => deployTime(rng, nowMs, latest)).sort((a, b) => a - b);
    let version: [number, number, number] = [rng.int(1, 4), rng.int(3, 40), rng.int(0, 9)];
    const authors = ENGINEERS[service.team];
    const changes = CHANGES[service.name] ?? ['Routine dependency updates'];
    const history: Deploy[] = starts.map((started, index) => {
      version = nextVersion(rng, version);
      const last = index === starts.length - 1 && scenario === undefined;
      const status: DeployStatus = last
        ? 'succeeded'
        : rng.weighted<DeployStatus>([
            ['succeeded', 90],
            ['failed', 6],
            ['rolled_back', 4],
          ]);
      const minutes = service.tier === 1 ? rng.int(18, 34) : rng.int(3, 12);
      return {
        id: `dep_${rng.hex(12)}`,
        service: service.name,
        version: version.join('.'),
        commit_sha: rng.hex(40),
        author: rng.pick(authors),
        started_at: new Date(started).toISOString(),
        finished_at: new Date(Math.min(started + minutes * MINUTE, nowMs - MINUTE)).toISOString(),
        status,
        summary: rng.pick(changes),
        rollback_of: null,
      };
    });
    if (scenario !== undefined) {
      const started = nowMs - scenario.minutesAgo * MINUTE;
      version = [version[0], version[1] + 1, 0];
      history.push({
        id: `dep_${rng.hex(12)}`,
        service: service.name,
        version: version.join('.'),
        commit_sha: rng.hex(40),
        author: scenario.author,
        started_at: new Date(started).toISOString(),
        finished_at: new Date(started + 8 * MINUTE).toISOString(),
        status: 'succeeded',
        summary: scenario.summary,
        rollback_of: null,
      });
    }
    all.push(...history);
  }
  return all.sort(newestFirst);
}

/** Newest first; ties broken by id so the order (and the cursor) is total. */
export function newestFirst(a: Deploy, b: Deploy): number {
  if (a.started_at !== b.started_at) return a.started_at < b.started_at ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

interface CursorPosition {
  t: string;
  id: string;
}

export function encodeCursor(deploy: Deploy): string {
  return Buffer.from(JSON.stringify({ t: deploy.started_at, id: deploy.id })).toString('base64url');
}

/** The position a cursor names, or undefined when it is not one this API issued. */
export function decodeCursor(cursor: string): CursorPosition | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorPosition>;
    if (typeof parsed.t !== 'string' || typeof parsed.id !== 'string') return undefined;
    return { t: parsed.t, id: parsed.id };
  } catch {
    return undefined;
  }
}

/** True when `deploy` sorts after the cursor position (i.e. belongs on a later page). */
export function isAfter(deploy: Deploy, position: CursorPosition): boolean {
  return deploy.started_at < position.t || (deploy.started_at === position.t && deploy.id < position.id);
}
