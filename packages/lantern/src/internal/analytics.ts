/**
 * The `analytics` component: privileged reads the public REST API does not have, computed over
 * the database itself. Admins and operators only (`analytics:read`, `activity:read`), each in
 * their own org; an operator's activity query spans every org.
 *
 *   incident_stats   counts by service, severity and status, mean and median time to resolve
 *   query_activity   the raw activity log: who did what, through which door
 */
import { type DomainServer, defineServer } from '@gatehouse/kit';
import * as z from 'zod';
import type { LanternCore } from '../core.ts';
import { listActivity, MAX_ACTIVITY_PAGE } from '../domain/activity.ts';
import { incidentStats } from '../domain/analytics.ts';
import { ProductError } from '../domain/errors.ts';
import { internalTool } from './identity.ts';
import { DaysInput } from './shapes.ts';

const readOnly = { readOnlyHint: true, openWorldHint: false } as const;

const CountShape = z.object({ key: z.string(), count: z.number() });

export const StatsShape = z.object({
  org: z.string(),
  days: z.number(),
  since: z.string().describe('Incidents opened at or after this time are counted'),
  total: z.number(),
  byService: z.array(CountShape),
  bySeverity: z.array(CountShape),
  byStatus: z.array(CountShape),
  timeToResolve: z.object({
    resolved: z.number().describe('How many of them are resolved'),
    meanHours: z.number().nullable(),
    medianHours: z.number().nullable(),
  }),
});

const ActivityShape = z.object({
  id: z.string(),
  orgId: z.string(),
  actor: z.string(),
  via: z.string(),
  action: z.string(),
  target: z.string(),
  detail: z.record(z.string(), z.unknown()),
  at: z.string(),
});

function isoTime(value: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw new ProductError('invalid', `since: "${value}" is not a time like 2026-01-31T00:00:00Z`);
  return new Date(time).toISOString();
}

export function analyticsComponent(core: LanternCore, version: string): DomainServer {
  return defineServer({
    name: 'lantern-analytics',
    version,
    instructions:
      "Lantern's analytics over its own database, for admins and operators, acting as the user named in each call's _meta principal.",
    tools: [
      internalTool(core, {
        name: 'incident_stats',
        title: 'Incident statistics',
        description:
          "The user's org's incidents opened in the last `days` days: how many, by service, severity and status, and the mean and median hours from opening to resolution of the resolved ones. Admins and operators.",
        input: z.object({ days: DaysInput }),
        output: StatsShape,
        annotations: readOnly,
        permission: 'analytics:read',
        run: (input, actor) => incidentStats(core.sql, core.clock, actor, input.days),
      }),
      internalTool(core, {
        name: 'query_activity',
        title: 'Activity log',
        description:
          "Raw activity-log entries, newest first: every change, its actor and the door it came through (web, api, internal-mcp, automation). Filter by action (e.g. incident.opened), actor (an email or automation:<name>) and since (an ISO time). The user's org; every org for an operator. Admins and operators.",
        input: z.object({
          action: z.string().max(80).optional(),
          actor: z.string().max(200).optional(),
          since: z.string().max(40).optional(),
          limit: z.number().int().min(1).max(MAX_ACTIVITY_PAGE).default(50),
        }),
        output: z.object({ activity: z.array(ActivityShape) }),
        annotations: readOnly,
        permission: 'activity:read',
        run: async (input, actor) => ({
          activity: await listActivity(core.sql, actor, {
            limit: input.limit,
            ...(input.action === undefined ? {} : { action: input.action }),
            ...(input.actor === undefined ? {} : { actor: input.actor }),
            ...(input.since === undefined ? {} : { since: isoTime(input.since) }),
          }),
        }),
      }),
    ],
  });
}
