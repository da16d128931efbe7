/**
 * The `incident-triage` prompt: a ready-to-send message that puts the service's live health,
 * its deploys of the last 24 hours, the state of what it depends on and the runbooks that fit
 * the symptom in front of the model, and asks for a reasoned next step — with restarts and
 * rollbacks proposed, not taken.
 */
import { definePrompt, userPrompt } from '@gatehouse/kit';
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import * as z from 'zod';
import type { Deploy } from './connectors/platform-api.ts';
import { type HealthOutput, serviceHealth, type ToolDeps } from './tools/read-tools.ts';
import { minutesBetween } from './tools/shared.ts';

type ShapedHealth = z.infer<typeof HealthOutput>;

function healthLines(h: ShapedHealth): string[] {
  const m = h.metrics;
  return [
    `Current health (observed ${h.observedAt}): ${h.status.toUpperCase()}`,
    `- error rate ${m.errorRatePct}%, p50 ${m.latencyP50Ms} ms, p99 ${m.latencyP99Ms} ms, saturation ${m.saturationPct}%, ${m.requestsPerSecond} req/s`,
    `- SLO breaches: ${h.sloBreaches.length > 0 ? h.sloBreaches.join('; ') : 'none'}`,
    ...(h.activeAlerts.length > 0
      ? h.activeAlerts.map((a) => `- alert ${a.name} (${a.severity}, since ${a.since}): ${a.summary}`)
      : ['- no active alerts']),
    h.lastIncident
      ? `- last incident: ${h.lastIncident.id} "${h.lastIncident.title}" (${h.lastIncident.severity}, ${h.lastIncident.status}, started ${h.lastIncident.startedAt})`
      : '- no recorded incidents',
  ];
}

function deployLine(d: Deploy, now: number): string {
  return `- ${d.id} ${d.version} ${d.status}, started ${minutesBetween(d.started_at, now)} min ago by ${d.author}: ${d.summary}`;
}

export function incidentTriagePrompt(deps: ToolDeps) {
  return definePrompt({
    name: 'incident-triage',
    title: 'Incident triage',
    description:
      'Starts triage of a problem with one service: embeds its current health, recent deploys, dependency status and matching runbooks, and asks for a cause and a next step.',
    args: z.object({
      service: z.string().min(1).max(100).describe('The affected service, e.g. "checkout-api"'),
      symptom: z
        .string()
        .max(500)
        .optional()
        .describe('What was reported, e.g. "customers see payment errors"'),
    }),
    async render({ service, symptom }, ctx) {
      const name = service.trim();
      let health: ShapedHealth;
      try {
        health = await serviceHealth(deps, name, ctx.signal);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === 'unknown_service')
          throw new ProtocolError(ProtocolErrorCode.InvalidParams, (error as Error).message);
        throw new ProtocolError(ProtocolErrorCode.InternalError, (error as Error).message);
      }
      const now = deps.now();
      const entry = await deps.directory
        .entries(ctx.signal)
        .then((all) => all.find((e) => e.name === name))
        .catch(() => undefined);
      const [deploys, runbooks, dependencies] = await Promise.all([
        deps.api
          .listDeploys(
            { service: name, since: new Date(now - 24 * 3_600_000).toISOString(), limit: 5 },
            ctx.signal,
          )
          .then((page) => (page.data.length > 0 ? page.data.map((d) => deployLine(d, now)) : ['- none']))
          .catch(() => ['- (the deploy log could not be read)']),
        deps.api
          .searchRunbooks({ q: symptom ?? `${name} errors latency`, service: name, limit: 3 }, ctx.signal)
          .then((found) => found.data.map((r) => `- ${r.title}: ${r.summary} (${r.url})`))
          .catch(() => ['- (runbook search failed)']),
        Promise.all(
          (entry?.dependencies ?? []).map((dep) =>
            deps.api
              .getHealth(dep, ctx.signal)
              .then((h) => `${dep} ${h.status}`)
              .catch(() => `${dep} unknown`),
          ),
        ),
      ]);
      const owner = entry
        ? `${entry.team} team, tier ${entry.tier}; on call: ${entry.on_call.rotation}, ${entry.on_call.slack_channel}`
        : `${health.team} team, tier ${health.tier}`;
      const text = [
        `Triage an incident on ${name} (${owner}).`,
        `Reported symptom: ${symptom?.trim() || 'none given'}.`,
        '',
        ...healthLines(health),
        '',
        'Deploys of this service in the last 24 hours:',
        ...deploys,
        '',
        `Dependencies: ${dependencies.length > 0 ? dependencies.join(', ') : 'none'}.`,
        '',
        'Runbooks that may apply:',
        ...(runbooks.length > 0 ? runbooks : ['- none found']),
        '',
        'Please:',
        '1. Say whether the problem most likely started with a deploy (compare its time with the alerts), comes from a dependency, or neither — and how sure you are.',
        '2. Propose the next step with the evidence for it. A rollback (rollback_deploy) or restart (restart_service) changes production: name the deploy or service and the reason, and wait for confirmation; Gatehouse may ask a human to approve.',
        '3. Write a three-line status update for the incident channel.',
      ].join('\n');
      return userPrompt(text, `Incident triage for ${name}`);
    },
  });
}
