/**
 * One run of the health watch, step by step through MCP tools (no model):
 *
 * 1. the services to watch (the org's services in Lantern, unless configured) and the incidents
 *    this automation already has open;
 * 2. each service's health through the gateway (`platform_get_service_health`);
 * 3. a degraded service without an open incident of ours gets one (severity from the health), a
 *    note with the likely cause (recent deploys, the knowledge base's runbooks, the platform's
 *    runbook steps), and — when that evidence points to one — a rollback or restart asked for
 *    through the gateway, where it waits for a human approval: the note says which (apr_…);
 * 4. an incident of ours that waits for an approval is asked about again with the same call: still
 *    pending, approved and run (noted, with what it did), or denied (noted);
 * 5. a service of ours that is healthy again gets a note and (by default) its incident resolved.
 *
 * Every change goes through the internal incidents component (the activity log records it as
 * automation:<name> via internal-mcp); the rest — approvals asked for, actions run, failures —
 * through the automation component's record_step. A step that fails is recorded and the run goes
 * on with the next service; the run's report says what happened.
 */
import {
  actionLabel,
  causeNote,
  type Deploy,
  doneSummary,
  type Evidence,
  type Health,
  isDegraded,
  type Passage,
  type PendingRequest,
  pendingRequestOf,
  proposeAction,
  type Runbook,
  requestLine,
  settledLine,
  severityOf,
  summaryOf,
  titleOf,
} from './evidence.ts';
import type { Outcome, ToolClient } from './tools.ts';

export type ActionState = 'awaiting-approval' | 'executed' | 'denied' | 'failed';

export interface RunReport {
  automation: string;
  org: string;
  startedAt: string;
  finishedAt: string;
  /** No step failed. */
  ok: boolean;
  checked: { service: string; status: string }[];
  opened: { ref: string; service: string; severity: string }[];
  actions: {
    ref: string;
    service: string;
    tool: string;
    state: ActionState;
    approvalId?: string;
    message: string;
  }[];
  recovered: { ref: string; service: string }[];
  failures: { step: string; target: string; message: string }[];
}

/** The line that ends a request's wait, when it waited for one. */
function settles(asked: PendingRequest): string {
  return asked.approvalId === '' ? '' : `\n${settledLine(asked.approvalId)}`;
}

interface OpenIncident {
  ref: string;
  service: string;
}

export interface RunSettings {
  /** `automation:<name>` */
  identity: string;
  org: string;
  services: readonly string[] | undefined;
  resolveOnRecovery: boolean;
  recentDeployMinutes: number;
}

export class HealthRun {
  readonly #gateway: ToolClient;
  readonly #incidents: ToolClient;
  readonly #record: (step: string, target: string, detail: Record<string, unknown>) => Promise<void>;
  readonly #settings: RunSettings;
  readonly report: RunReport;

  constructor(
    gateway: ToolClient,
    incidents: ToolClient,
    record: (step: string, target: string, detail: Record<string, unknown>) => Promise<void>,
    settings: RunSettings,
    report: RunReport,
  ) {
    this.#gateway = gateway;
    this.#incidents = incidents;
    this.#record = record;
    this.#settings = settings;
    this.report = report;
  }

  async fail(step: string, target: string, message: string): Promise<void> {
    this.report.failures.push({ step, target, message });
    await this.#record('failed', target, { step, message });
  }

  async execute(): Promise<void> {
    const services = await this.#services();
    if (services === undefined) return;
    const open = await this.#openIncidents();
    if (open === undefined) return;
    for (const service of services) {
      const answer = await this.#gateway.call('platform_get_service_health', { service });
      if (answer.kind !== 'ok') {
        await this.fail('platform_get_service_health', service, answer.text);
        continue;
      }
      const health = answer.data as unknown as Health;
      this.report.checked.push({ service, status: health.status });
      const incident = open.get(service);
      if (incident === undefined) {
        if (isDegraded(health)) await this.#openFor(health);
      } else if (health.status === 'healthy') {
        await this.#recovered(incident, health);
      } else {
        await this.#followUp(incident);
      }
    }
  }

  async #services(): Promise<readonly string[] | undefined> {
    if (this.#settings.services !== undefined) return this.#settings.services;
    const answer = await this.#incidents.call('list_services', {});
    if (answer.kind !== 'ok') {
      await this.fail('list_services', this.#settings.org, answer.text);
      return undefined;
    }
    return ((answer.data.services ?? []) as { name: string }[]).map((s) => s.name);
  }

  /** This automation's incidents not yet resolved, the newest per service. */
  async #openIncidents(): Promise<Map<string, OpenIncident> | undefined> {
    const open = new Map<string, OpenIncident>();
    for (const status of ['open', 'acknowledged'] as const) {
      const answer = await this.#incidents.call('list_incidents', { status, limit: 100 });
      if (answer.kind !== 'ok') {
        await this.fail('list_incidents', this.#settings.org, answer.text);
        return undefined;
      }
      for (const incident of (answer.data.incidents ?? []) as (OpenIncident & { openedBy: string })[]) {
        if (incident.openedBy === this.#settings.identity && !open.has(incident.service))
          open.set(incident.service, { ref: incident.ref, service: incident.service });
      }
    }
    return open;
  }

  async #note(ref: string, body: string): Promise<boolean> {
    const answer = await this.#incidents.call('add_note', { ref, body });
    if (answer.kind === 'ok') return true;
    await this.fail('add_note', ref, answer.text);
    return false;
  }

  async #openFor(health: Health): Promise<void> {
    const severity = severityOf(health);
    const opened = await this.#incidents.call('open_incident', {
      title: titleOf(health),
      service: health.service,
      severity,
      summary: summaryOf(health, this.#settings.identity),
    });
    if (opened.kind !== 'ok') {
      await this.fail('open_incident', health.service, opened.text);
      return;
    }
    const ref = String(opened.data.ref);
    this.report.opened.push({ ref, service: health.service, severity });
    const evidence = await this.#gather(health);
    const action = proposeAction(
      health,
      evidence,
      ref,
      this.#settings.identity,
      this.#settings.recentDeployMinutes,
    );
    if (!(await this.#note(ref, causeNote(health, evidence, action, this.#settings.recentDeployMinutes))))
      return;
    if (action === undefined) return;
    const outcome = await this.#gateway.call(action.tool, action.args);
    await this.#settle(
      { ref, service: health.service },
      { tool: action.tool, args: action.args, approvalId: '' },
      outcome,
      action.label,
    );
  }

  /** The deploys and runbooks about the service; a lookup that fails is a gap, not a stop. */
  async #gather(health: Health): Promise<Evidence> {
    const evidence: Evidence = { passages: [], runbooks: [], deploys: [], gaps: [] };
    const service = health.service;
    const alerts = (health.activeAlerts ?? []).map((a) => a.name).join(' ');
    const lookups: [string, Record<string, unknown>, (data: Record<string, unknown>) => void][] = [
      [
        'platform_list_recent_deploys',
        { service, sinceHours: 24, limit: 3 },
        (d) => evidence.deploys.push(...((d.deploys ?? []) as Deploy[])),
      ],
      [
        'knowledge_search_docs',
        { query: `${service} ${health.status} ${alerts}`.trim(), kind: 'runbook', limit: 3 },
        (d) => evidence.passages.push(...((d.results ?? []) as Passage[])),
      ],
      [
        'platform_search_runbooks',
        { query: `${service} ${alerts || health.status}`.slice(0, 200), service, limit: 3 },
        (d) => evidence.runbooks.push(...((d.results ?? []) as Runbook[])),
      ],
    ];
    for (const [tool, args, keep] of lookups) {
      if (!this.#gateway.has(tool)) {
        evidence.gaps.push(`${tool} (not offered to this automation's gateway key)`);
        continue;
      }
      const answer = await this.#gateway.call(tool, args);
      if (answer.kind === 'ok') keep(answer.data);
      else {
        evidence.gaps.push(`${tool} failed: ${answer.text.slice(0, 200)}`);
        await this.fail(tool, service, answer.text);
      }
    }
    return evidence;
  }

  /** An incident of ours that is still not healthy: ask again about the change it waits for. */
  async #followUp(incident: OpenIncident): Promise<void> {
    const got = await this.#incidents.call('get_incident', { ref: incident.ref });
    if (got.kind !== 'ok') {
      await this.fail('get_incident', incident.ref, got.text);
      return;
    }
    const notes = (got.data.notes ?? []) as { author: string; body: string }[];
    const pending = pendingRequestOf(notes, this.#settings.identity);
    if (pending === undefined) return;
    const outcome = await this.#gateway.call(pending.tool, pending.args);
    await this.#settle(incident, pending, outcome, actionLabel(pending.tool, pending.args));
  }

  /** Notes and records what the gateway answered to a change; `asked.approvalId` '' when first asked. */
  async #settle(
    incident: OpenIncident,
    asked: PendingRequest,
    outcome: Outcome,
    label: string,
  ): Promise<void> {
    const { ref, service } = incident;
    const base = { ref, service, tool: asked.tool };
    if (outcome.kind === 'pending') {
      this.report.actions.push({
        ...base,
        state: 'awaiting-approval',
        approvalId: outcome.approvalId,
        message: outcome.text,
      });
      if (outcome.approvalId === asked.approvalId) return;
      const request = { tool: asked.tool, args: asked.args, approvalId: outcome.approvalId };
      const again = asked.approvalId === '' ? '' : ` (the earlier request ${asked.approvalId} lapsed)`;
      await this.#note(
        ref,
        `Awaiting approval ${outcome.approvalId} at Gatehouse to ${label}${again}; expires ${outcome.expiresAt ?? 'when the gateway says'}. Nothing is changed until an approver decides; the next run checks again.\n${requestLine(request)}`,
      );
      await this.#record('approval_requested', ref, {
        ...request,
        service,
        expiresAt: outcome.expiresAt ?? null,
      });
      return;
    }
    if (outcome.kind === 'ok') {
      const approval =
        asked.approvalId === ''
          ? 'without an approval (the gateway asked for none)'
          : `after approval ${asked.approvalId}`;
      this.report.actions.push({
        ...base,
        state: 'executed',
        approvalId: asked.approvalId || undefined,
        message: outcome.text,
      });
      await this.#note(
        ref,
        `Done ${approval}: ${label}. ${doneSummary(asked.tool, outcome.data)}.${settles(asked)}`,
      );
      await this.#record('action_executed', ref, {
        service,
        tool: asked.tool,
        args: asked.args,
        approvalId: asked.approvalId || null,
        result: outcome.data,
      });
      return;
    }
    if (outcome.kind === 'denied') {
      this.report.actions.push({
        ...base,
        state: 'denied',
        approvalId: outcome.approvalId ?? asked.approvalId,
        message: outcome.text,
      });
      await this.#note(ref, `Not done: ${outcome.text.slice(0, 1_000)}${settles(asked)}`);
      await this.#record('action_refused', ref, {
        service,
        tool: asked.tool,
        approvalId: outcome.approvalId ?? asked.approvalId,
        message: outcome.text,
      });
      return;
    }
    this.report.actions.push({
      ...base,
      state: 'failed',
      approvalId: asked.approvalId || undefined,
      message: outcome.text,
    });
    if (outcome.transient) {
      // No answer (the gateway is gone, a timeout): asked again on the next run.
      await this.fail(asked.tool, ref, outcome.text);
      return;
    }
    await this.#note(ref, `Could not ${label}: ${outcome.text.slice(0, 1_000)}${settles(asked)}`);
    await this.fail(asked.tool, ref, outcome.text);
  }

  async #recovered(incident: OpenIncident, health: Health): Promise<void> {
    const m = health.metrics ?? {};
    const noted = await this.#note(
      incident.ref,
      `${incident.service} is healthy again (error rate ${m.errorRatePct ?? '?'}%, p99 ${m.latencyP99Ms ?? '?'} ms at ${health.observedAt ?? 'the last check'}).${this.#settings.resolveOnRecovery ? ' Resolving.' : ''}`,
    );
    if (!noted) return;
    this.report.recovered.push({ ref: incident.ref, service: incident.service });
    await this.#record('recovered', incident.ref, { service: incident.service });
    if (!this.#settings.resolveOnRecovery) return;
    const resolved = await this.#incidents.call('set_status', { ref: incident.ref, status: 'resolved' });
    if (resolved.kind !== 'ok') await this.fail('set_status', incident.ref, resolved.text);
  }
}
