/**
 * The questions of bench/dual-architecture.ts and, per path, the tool plan a model would play to
 * answer each: which tools it calls, in which steps, with which arguments (built from the real
 * results of the steps before), and the answer it writes from the real results. The loopback
 * model plays these plans (dual-turns.ts); nothing here is timed.
 *
 * The external path sees only the external server's public tools, so where the internal path has
 * a privileged tool (statistics, the raw activity log, other orgs) the external plan does what a
 * model with the public tools would do, and says how far that gets (`answers`).
 */
import type { PathName } from './dual-world.ts';
import { ALICE, OLIVIA } from './dual-world.ts';

export interface PlannedCall {
  /** The tool's name on its server (the host lists it as `<server>__<tool>`). */
  tool: string;
  args: Record<string, unknown>;
}

/** One call's result as the model received it. */
export interface ToolOutcome {
  name: string;
  text: string;
  isError: boolean;
  structured: Record<string, unknown> | undefined;
}

export type Answerable = 'yes' | 'computed' | 'partial' | 'no';

export interface PathPlan {
  answers: Answerable;
  /** Why, when not simply yes. */
  why?: string;
  /** Each step's parallel calls, from the results so far. */
  steps: ((done: readonly ToolOutcome[]) => PlannedCall[])[];
  answer(done: readonly ToolOutcome[]): string;
}

/** What one path's turns of one round share: the incident opened in this round. */
export interface RoundState {
  ref?: string;
  /** Now, when the round started (ms since the epoch). */
  now: number;
}

export interface Question {
  id: string;
  /** Who asks (a seeded user's email). */
  user: string;
  prompt(state: RoundState): string;
  plan(path: PathName, state: RoundState): PathPlan;
}

interface Incident {
  ref: string;
  title: string;
  service: string;
  severity: string;
  status: string;
  openedBy: string;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  notes?: { author: string; body: string }[];
}

const DAY_MS = 86_400_000;

function structured(done: readonly ToolOutcome[], index: number): Record<string, unknown> {
  const outcome = done[index];
  if (outcome === undefined) throw new Error(`the plan expected a result #${index + 1}`);
  return outcome.structured ?? JSON.parse(outcome.text);
}

const incidentsOf = (done: readonly ToolOutcome[], index: number) =>
  (structured(done, index).incidents ?? []) as Incident[];
const incidentOf = (done: readonly ToolOutcome[], index: number) =>
  structured(done, index) as unknown as Incident;

function refOf(state: RoundState): string {
  if (state.ref === undefined) throw new Error('no incident was opened in this round');
  return state.ref;
}

function listLine(incidents: Incident[]): string {
  const shown = incidents.map((i) => `${i.ref} (${i.service}, ${i.severity})`).join(', ');
  return `${incidents.length} open: ${shown || 'none'}.`;
}

function countBy(items: string[]): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([key, count]) => `${key} ${count}`)
    .join(', ');
}

function medianHours(incidents: Incident[]): string {
  const hours = incidents
    .filter((i) => i.resolvedAt !== null)
    .map((i) => (Date.parse(i.resolvedAt as string) - Date.parse(i.createdAt)) / 3_600_000)
    .sort((a, b) => a - b);
  if (hours.length === 0) return 'none resolved';
  const mid = Math.floor(hours.length / 2);
  const m =
    hours.length % 2 ? (hours[mid] as number) : ((hours[mid - 1] as number) + (hours[mid] as number)) / 2;
  return `median ${m.toFixed(1)} h to resolve`;
}

/** The same plan on both paths, with each path's own tool name. */
function onePlan(tools: Record<PathName, string>, args: Record<string, unknown>, answer: PathPlan['answer']) {
  return (path: PathName): PathPlan => ({
    answers: 'yes',
    steps: [() => [{ tool: tools[path], args }]],
    answer,
  });
}

export const QUESTIONS: readonly Question[] = [
  {
    id: 'open incidents',
    user: ALICE,
    prompt: () => 'Which incidents are open right now?',
    plan: (path) =>
      onePlan(
        { external: 'list_incidents', internal: 'list_incidents' },
        { status: 'open', limit: 100 },
        (done) => listLine(incidentsOf(done, 0)),
      )(path),
  },
  {
    id: 'INC-3 with notes',
    user: ALICE,
    prompt: () => 'Show me INC-3 with its notes.',
    plan: (path) =>
      onePlan({ external: 'get_incident', internal: 'get_incident' }, { ref: 'INC-3' }, (done) => {
        const i = incidentOf(done, 0);
        const notes = (i.notes ?? []).map((n) => `${n.author}: ${n.body}`).join(' / ');
        return `${i.ref} "${i.title}" (${i.status}, ${i.service}). Notes: ${notes || 'none'}`;
      })(path),
  },
  {
    id: 'open an incident',
    user: ALICE,
    prompt: () => 'Open a sev3 incident on search-api: search latency above target after the reindex.',
    plan: (path, state) =>
      onePlan(
        { external: 'open_incident', internal: 'open_incident' },
        {
          title: 'Search latency above target after the reindex',
          service: 'search-api',
          severity: 'sev3',
          summary: 'p99 above 400 ms since the nightly reindex.',
        },
        (done) => {
          state.ref = incidentOf(done, 0).ref;
          return `Opened ${state.ref}.`;
        },
      )(path),
  },
  {
    id: 'add a note',
    user: ALICE,
    prompt: (state) => `Add a note to ${refOf(state)}: rolled back the reindex, watching p99.`,
    plan: (path, state) =>
      onePlan(
        { external: 'add_incident_note', internal: 'add_note' },
        { ref: refOf(state), body: 'Rolled back the reindex, watching p99.' },
        (done) => `Added the note; ${refOf(state)} has ${incidentOf(done, 0).notes?.length ?? 0} note(s).`,
      )(path),
  },
  {
    id: 'resolve it',
    user: ALICE,
    prompt: (state) => `Resolve ${refOf(state)}.`,
    plan: (path, state) =>
      onePlan(
        { external: 'set_incident_status', internal: 'set_status' },
        { ref: refOf(state), status: 'resolved' },
        (done) => `${refOf(state)} is ${incidentOf(done, 0).status}.`,
      )(path),
  },
  {
    id: 'delete it',
    user: ALICE,
    prompt: (state) => `Delete ${refOf(state)}, it was a drill.`,
    plan: (path, state) =>
      onePlan({ external: 'delete_incident', internal: 'delete_incident' }, { ref: refOf(state) }, (done) => {
        return `Deleted ${incidentOf(done, 0).ref}.`;
      })(path),
  },
  {
    id: 'stats by service, 30 days',
    user: ALICE,
    prompt: () => 'Incident statistics for the last 30 days, by service.',
    plan: (path, state) =>
      path === 'internal'
        ? {
            answers: 'yes',
            steps: [() => [{ tool: 'incident_stats', args: { days: 30 } }]],
            answer: (done) => {
              const s = structured(done, 0) as {
                total: number;
                byService: { key: string; count: number }[];
                timeToResolve: { medianHours: number | null };
              };
              const by = s.byService.map((c) => `${c.key} ${c.count}`).join(', ');
              const median = s.timeToResolve.medianHours;
              return `${s.total} incidents: ${by}; ${median === null ? 'none resolved' : `median ${median.toFixed(1)} h to resolve`}.`;
            },
          }
        : {
            answers: 'computed',
            why: 'no statistics tool: the model lists up to 100 incidents and counts them itself (complete only while the org has at most 100)',
            steps: [() => [{ tool: 'list_incidents', args: { limit: 100 } }]],
            answer: (done) => {
              const since = state.now - 30 * DAY_MS;
              const recent = incidentsOf(done, 0).filter((i) => Date.parse(i.createdAt) >= since);
              return `${recent.length} incidents: ${countBy(recent.map((i) => i.service))}; ${medianHours(recent)}.`;
            },
          },
  },
  {
    id: 'who changed what today',
    user: ALICE,
    prompt: () => 'Who changed what today?',
    plan: (path, state) => {
      const today = new Date(state.now);
      today.setUTCHours(0, 0, 0, 0);
      if (path === 'internal') {
        return {
          answers: 'yes',
          steps: [() => [{ tool: 'query_activity', args: { since: today.toISOString(), limit: 20 } }]],
          answer: (done) => {
            const activity = (structured(done, 0).activity ?? []) as {
              actor: string;
              action: string;
              target: string;
              via: string;
            }[];
            const lines = activity.map((a) => `${a.actor} ${a.action} ${a.target} (${a.via})`);
            return `${activity.length} changes: ${lines.join('; ')}.`;
          },
        };
      }
      return {
        answers: 'partial',
        why: 'no activity tool: the model lists incidents and reports those updated today — what changed, not who changed it (deleted ones are gone)',
        steps: [() => [{ tool: 'list_incidents', args: { limit: 100 } }]],
        answer: (done) => {
          const touched = incidentsOf(done, 0).filter((i) => Date.parse(i.updatedAt) >= today.getTime());
          return `${touched.length} incidents changed today: ${touched.map((i) => `${i.ref} (${i.status})`).join(', ')}; who changed them is not visible to me.`;
        },
      };
    },
  },
  {
    id: 'open across all orgs',
    user: OLIVIA,
    prompt: () => 'Which incidents are open across all organisations?',
    plan: (path) =>
      path === 'internal'
        ? {
            answers: 'yes',
            steps: [
              () => [{ tool: 'list_orgs', args: {} }],
              (done) =>
                ((structured(done, 0).orgs ?? []) as { id: string; openIncidents: number }[])
                  .filter((o) => o.openIncidents > 0)
                  .map((o) => ({ tool: 'org_incidents', args: { org: o.id, status: 'open', limit: 100 } })),
            ],
            answer: (done) =>
              done
                .slice(1)
                .map((_, k) => {
                  const s = structured(done, k + 1) as { org: string; incidents: Incident[] };
                  return `${s.org}: ${listLine(s.incidents)}`;
                })
                .join(' '),
          }
        : {
            answers: 'no',
            why: "the REST API answers for the token's own org only: the operator sees Lantern's own org, no tenant's",
            steps: [() => [{ tool: 'list_incidents', args: { status: 'open', limit: 100 } }]],
            answer: (done) =>
              `In my own org only: ${listLine(incidentsOf(done, 0))} Other organisations are not reachable.`,
          },
  },
];
