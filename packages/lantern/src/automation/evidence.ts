/**
 * The health watch's judgement, as pure functions over what the tools answered: which severity a
 * degraded service's incident gets, its title and summary, the likely cause told from the recent
 * deploys and the runbooks, which action (a rollback or a restart) that evidence points to, and
 * the lines of its notes that say which approval an incident waits for.
 */
import type { Severity } from '../domain/incident-model.ts';

/** The part of `platform_get_service_health`'s answer the watch reads. */
export interface Health {
  service: string;
  status: 'healthy' | 'degraded' | 'down' | 'recovering';
  observedAt?: string;
  metrics?: {
    errorRatePct?: number;
    errorBudgetBurnRate?: number;
    latencyP99Ms?: number;
    saturationPct?: number;
  };
  sloBreaches?: string[];
  activeAlerts?: { name: string; severity: string; since: string; summary: string }[];
  recentDeploy?: Deploy | null;
}

export interface Deploy {
  id: string;
  service: string;
  version: string;
  author: string;
  status: string;
  startedAt: string;
  minutesAgo: number;
  summary: string;
  rollbackOf: string | null;
}

/** One passage of `knowledge_search_docs`. */
export interface Passage {
  document: string;
  title: string;
  heading: string;
  lines: string;
  snippet: string;
}

/** One runbook of `platform_search_runbooks`. */
export interface Runbook {
  id: string;
  title: string;
  service: string | null;
  steps: string[];
  url: string;
}

export interface Evidence {
  passages: Passage[];
  runbooks: Runbook[];
  deploys: Deploy[];
  /** What could not be looked up, one line each. */
  gaps: string[];
}

/** A change the watch asks a human to approve. */
export interface ProposedAction {
  tool: 'platform_rollback_deploy' | 'platform_restart_service';
  args: Record<string, string>;
  /** "roll back dep_… (checkout-api 2026.12.1)" */
  label: string;
  because: string;
}

export function isDegraded(health: Health): boolean {
  return health.status === 'degraded' || health.status === 'down';
}

export function severityOf(health: Health): Severity {
  if (health.status === 'down') return 'sev1';
  if ((health.activeAlerts ?? []).some((a) => a.severity === 'critical')) return 'sev2';
  return 'sev3';
}

export function titleOf(health: Health): string {
  const first = health.activeAlerts?.[0]?.name ?? health.sloBreaches?.[0] ?? 'health check';
  return `${health.service} ${health.status}: ${first}`.slice(0, 200);
}

/** The signals, as the incident's summary. */
export function summaryOf(health: Health, automation: string): string {
  const m = health.metrics ?? {};
  const lines = [
    `${health.service} reported ${health.status} by the platform at ${health.observedAt ?? 'an unknown time'}.`,
    `Signals: error rate ${m.errorRatePct ?? '?'}% (error budget burning ${m.errorBudgetBurnRate ?? '?'}x), p99 ${m.latencyP99Ms ?? '?'} ms, saturation ${m.saturationPct ?? '?'}%.`,
    ...(health.sloBreaches ?? []).map((b) => `SLO breach: ${b}`),
    ...(health.activeAlerts ?? []).map(
      (a) => `Alert ${a.name} (${a.severity}, since ${a.since}): ${a.summary}`,
    ),
    `Opened by ${automation} from platform_get_service_health through Gatehouse.`,
  ];
  return lines.join('\n').slice(0, 4_000);
}

const RECENT_DEPLOY_MINUTES = 120;

/** The service's latest deploy when it is live, not itself a rollback, and recent enough to blame. */
export function suspectDeploy(health: Health, evidence: Evidence, withinMinutes = RECENT_DEPLOY_MINUTES) {
  const latest = evidence.deploys[0] ?? health.recentDeploy ?? undefined;
  if (latest === undefined || latest === null) return undefined;
  if (latest.status !== 'succeeded' || latest.rollbackOf !== null) return undefined;
  return latest.minutesAgo <= withinMinutes ? latest : undefined;
}

const CANNOT_RESTART = /cannot be restarted|never restarted|not the database/i;

/** A runbook step for this service that says to restart it, if one does. */
export function restartStep(
  service: string,
  evidence: Evidence,
): { runbook: Runbook; step: string } | undefined {
  for (const runbook of evidence.runbooks) {
    if (runbook.service !== service) continue;
    if (runbook.steps.some((s) => CANNOT_RESTART.test(s))) return undefined;
    const step = runbook.steps.find((s) => /\brestart\b/i.test(s) && s.includes(service));
    if (step !== undefined) return { runbook, step };
  }
  return undefined;
}

/** What the evidence points to: roll back a fresh deploy, else restart when the runbook says so. */
export function proposeAction(
  health: Health,
  evidence: Evidence,
  ref: string,
  automation: string,
  withinMinutes = RECENT_DEPLOY_MINUTES,
): ProposedAction | undefined {
  const deploy = suspectDeploy(health, evidence, withinMinutes);
  if (deploy !== undefined) {
    return {
      tool: 'platform_rollback_deploy',
      args: {
        deployId: deploy.id,
        reason: `${ref}: ${health.service} ${health.status} since deploy ${deploy.id} (${deploy.version}); asked by ${automation}`,
      },
      label: `roll back ${deploy.id} (${deploy.service} ${deploy.version})`,
      because: `${deploy.service} ${deploy.version} went out ${deploy.minutesAgo} minutes ago and the runbooks say to roll back a bad release first`,
    };
  }
  const restart = restartStep(health.service, evidence);
  if (restart === undefined) return undefined;
  return {
    tool: 'platform_restart_service',
    args: {
      service: health.service,
      reason: `${ref}: ${health.service} ${health.status}, runbook "${restart.runbook.title}"; asked by ${automation}`,
    },
    label: `restart ${health.service}`,
    because: `no recent deploy to blame, and the runbook "${restart.runbook.title}" says: ${restart.step.replace(/\.$/, '')}`,
  };
}

const plain = (text: string) => text.replace(/\*\*/g, '').replace(/\s+/g, ' ').trim();

/** The note on the likely cause: the fresh deploy, the best runbook passages, the proposed action. */
export function causeNote(
  health: Health,
  evidence: Evidence,
  action: ProposedAction | undefined,
  withinMinutes = RECENT_DEPLOY_MINUTES,
): string {
  const lines = ['Likely cause, from the recent deploys and the runbooks:'];
  const deploy = suspectDeploy(health, evidence, withinMinutes);
  const last = evidence.deploys[0] ?? health.recentDeploy ?? undefined;
  if (deploy !== undefined) {
    lines.push(
      `- Deploy ${deploy.id}: ${deploy.service} ${deploy.version} "${deploy.summary}" by ${deploy.author}, ${deploy.minutesAgo} minutes ago — the problem started after it.`,
    );
  } else if (last !== undefined) {
    lines.push(
      `- No recent deploy to blame (the last, ${last.id} ${last.version}, went out ${last.minutesAgo} minutes ago).`,
    );
  } else {
    lines.push(`- No recent deploy to blame (no deploy of ${health.service} is known).`);
  }
  for (const p of evidence.passages.slice(0, 2)) {
    lines.push(
      `- Runbook "${p.title}" › ${p.heading} (${p.document} ${p.lines}): ${plain(p.snippet).slice(0, 300)}`,
    );
  }
  for (const r of evidence.runbooks.filter((r) => r.service === health.service).slice(0, 1)) {
    lines.push(`- Platform runbook "${r.title}" (${r.url}): ${r.steps.slice(0, 3).join(' ')}`.slice(0, 600));
  }
  for (const gap of evidence.gaps) lines.push(`- Not available: ${gap}`);
  lines.push(
    action === undefined
      ? 'Proposed action: none the evidence supports; a responder should look.'
      : `Proposed action: ${action.label}, because ${action.because}. It runs only after a human approves it at Gatehouse.`,
  );
  return lines.join('\n').slice(0, 4_000);
}

/** How a requested change is named in notes: "roll back dep_…", "restart search-api". */
export function actionLabel(tool: ProposedAction['tool'], args: Record<string, string>): string {
  return tool === 'platform_rollback_deploy' ? `roll back ${args.deployId}` : `restart ${args.service}`;
}

/** What the platform did, from the change tool's answer, in one line. */
export function doneSummary(tool: ProposedAction['tool'], data: Record<string, unknown>): string {
  if (tool === 'platform_rollback_deploy')
    return `${String(data.service)} went from ${String(data.fromVersion)} back to ${String(data.toVersion)} (deploy ${String(data.rollbackDeployId)}, requested by ${String(data.requestedBy)})`;
  return `${String(data.service)} is restarting, ${String(data.healthStatus)} until ${String(data.recoveringUntil)} (event ${String(data.eventId)}, requested by ${String(data.requestedBy)})`;
}

/** A pending request as the watch writes it into a note (and reads it back on later runs). */
export interface PendingRequest {
  tool: ProposedAction['tool'];
  args: Record<string, string>;
  approvalId: string;
}

const REQUEST_LINE =
  /^request: (platform_rollback_deploy|platform_restart_service) (\{.*\}) approval (\S+)$/m;
const SETTLED_LINE = /^settled: (\S+)$/m;

export function requestLine(request: PendingRequest): string {
  return `request: ${request.tool} ${JSON.stringify(request.args)} approval ${request.approvalId}`;
}

export function settledLine(approvalId: string): string {
  return `settled: ${approvalId}`;
}

/** The request the incident still waits for: the newest request line of `author` not settled since. */
export function pendingRequestOf(
  notes: { author: string; body: string }[],
  author: string,
): PendingRequest | undefined {
  let pending: PendingRequest | undefined;
  for (const note of notes) {
    if (note.author !== author) continue;
    const request = REQUEST_LINE.exec(note.body);
    if (request !== null) {
      try {
        const args = JSON.parse(request[2] as string) as Record<string, string>;
        pending = { tool: request[1] as PendingRequest['tool'], args, approvalId: request[3] as string };
      } catch {
        // A request line the watch did not write; not acted on.
      }
    }
    const settled = SETTLED_LINE.exec(note.body);
    if (settled !== null && settled[1] === pending?.approvalId) pending = undefined;
  }
  return pending;
}
