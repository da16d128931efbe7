/**
 * The `operations` component: Lantern's own staff (operators, `orgs:all`) looking across tenants.
 * Nobody else may call it — an admin of one org is refused like anyone else — and only here may a
 * read name another org than the caller's own.
 *
 *   list_orgs            every org, with its users and its not-yet-resolved incidents
 *   org_incidents        one org's incidents (status / service / severity filters)
 *   org_incident         one incident of one org, with its notes
 *   org_incident_stats   incident_stats for one org
 */
import { type DomainServer, defineServer } from '@gatehouse/kit';
import * as z from 'zod';
import type { LanternCore } from '../core.ts';
import { incidentStats, listOrgs, orgForRead } from '../domain/analytics.ts';
import { SEVERITIES, STATUSES } from '../domain/incident-model.ts';
import { StatsShape } from './analytics.ts';
import { internalTool } from './identity.ts';
import { DaysInput, IncidentShape, IncidentWithNotesShape, OrgInput, RefInput } from './shapes.ts';

const readOnly = { readOnlyHint: true, openWorldHint: false } as const;

export function operationsComponent(core: LanternCore, version: string): DomainServer {
  return defineServer({
    name: 'lantern-operations',
    version,
    instructions:
      "Cross-tenant reads for Lantern's operators only, acting as the operator named in each call's _meta principal.",
    tools: [
      internalTool(core, {
        name: 'list_orgs',
        title: 'Organisations',
        description:
          'Every organisation on Lantern, with how many users it has and how many of its incidents are not yet resolved. Operators only.',
        input: z.object({}),
        output: z.object({
          orgs: z.array(
            z.object({ id: z.string(), name: z.string(), users: z.number(), openIncidents: z.number() }),
          ),
        }),
        annotations: readOnly,
        permission: 'orgs:all',
        run: async (_input, actor) => ({ orgs: await listOrgs(core.sql, actor) }),
      }),
      internalTool(core, {
        name: 'org_incidents',
        title: "An org's incidents",
        description: "One organisation's incidents, newest first, optionally filtered. Operators only.",
        input: z.object({
          org: OrgInput,
          status: z.enum(STATUSES).optional(),
          service: z.string().max(80).optional(),
          severity: z.enum(SEVERITIES).optional(),
          limit: z.number().int().min(1).max(100).default(20),
        }),
        output: z.object({ org: z.string(), incidents: z.array(IncidentShape) }),
        annotations: readOnly,
        permission: 'orgs:all',
        run: async ({ org, ...filter }, actor) => {
          const orgId = await orgForRead(core.sql, actor, org);
          return { org: orgId, incidents: await core.incidents.list(actor, filter, orgId) };
        },
      }),
      internalTool(core, {
        name: 'org_incident',
        title: "One of an org's incidents",
        description: 'One incident of one organisation, with its notes. Operators only.',
        input: z.object({ org: OrgInput, ref: RefInput }),
        output: IncidentWithNotesShape,
        annotations: readOnly,
        permission: 'orgs:all',
        run: async (input, actor) =>
          core.incidents.get(actor, input.ref, await orgForRead(core.sql, actor, input.org)),
      }),
      internalTool(core, {
        name: 'org_incident_stats',
        title: "An org's incident statistics",
        description:
          'incident_stats (counts and time to resolve over the last `days` days) for one organisation. Operators only.',
        input: z.object({ org: OrgInput, days: DaysInput }),
        output: StatsShape,
        annotations: readOnly,
        permission: 'orgs:all',
        run: (input, actor) => incidentStats(core.sql, core.clock, actor, input.days, input.org),
      }),
    ],
  });
}
