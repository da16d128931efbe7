/**
 * The `incidents` component: the day-to-day incident work of the product's own assistant, straight
 * on the domain (`core.incidents`, no REST hop) and so under the very rules the REST API keeps —
 * the acting user's role and org, the allowed status changes, an activity record per change
 * (`via: internal-mcp`).
 *
 *   list_services, list_incidents, get_incident, open_incident, add_note, set_status,
 *   delete_incident (annotated destructive: the built-in chat asks the user in the page first)
 */
import { type DomainServer, defineServer } from '@gatehouse/kit';
import * as z from 'zod';
import type { LanternCore } from '../core.ts';
import { SEVERITIES, STATUSES } from '../domain/incident-model.ts';
import { internalTool } from './identity.ts';
import { IncidentShape, IncidentWithNotesShape, RefInput } from './shapes.ts';

const readOnly = { readOnlyHint: true, openWorldHint: false } as const;
const write = { readOnlyHint: false, destructiveHint: false, openWorldHint: false } as const;

export function incidentsComponent(core: LanternCore, version: string): DomainServer {
  const incidents = core.incidents;
  return defineServer({
    name: 'lantern-incidents',
    version,
    instructions:
      "Lantern's incidents, acting as the user named in each call's _meta principal: what their role allows, in their own org.",
    tools: [
      internalTool(core, {
        name: 'list_services',
        title: 'Services',
        description: "The services of the user's org (an incident is about one of them), with team and tier.",
        input: z.object({}),
        output: z.object({
          services: z.array(z.object({ name: z.string(), team: z.string(), tier: z.number() })),
        }),
        annotations: readOnly,
        run: async (_input, actor) => ({ services: await incidents.services(actor) }),
      }),
      internalTool(core, {
        name: 'list_incidents',
        title: 'Incidents',
        description:
          "The user's org's incidents, newest first, optionally filtered by status, service or severity.",
        input: z.object({
          status: z.enum(STATUSES).optional(),
          service: z.string().max(80).optional(),
          severity: z.enum(SEVERITIES).optional(),
          limit: z.number().int().min(1).max(100).default(20),
        }),
        output: z.object({ incidents: z.array(IncidentShape) }),
        annotations: readOnly,
        run: async (input, actor) => ({ incidents: await incidents.list(actor, input) }),
      }),
      internalTool(core, {
        name: 'get_incident',
        title: 'One incident',
        description: 'One incident of the user\'s org with its notes, by reference ("INC-12").',
        input: z.object({ ref: RefInput }),
        output: IncidentWithNotesShape,
        annotations: readOnly,
        run: (input, actor) => incidents.get(actor, input.ref),
      }),
      internalTool(core, {
        name: 'open_incident',
        title: 'Open an incident',
        description:
          "Opens an incident in the user's org (responders and admins). `service` must be one of the org's services (list_services).",
        input: z.object({
          title: z.string().max(200),
          service: z.string().max(80),
          severity: z.enum(SEVERITIES),
          summary: z.string().max(4_000).optional(),
        }),
        output: IncidentShape,
        annotations: write,
        run: (input, actor) => incidents.open(actor, input),
      }),
      internalTool(core, {
        name: 'add_note',
        title: 'Add a note',
        description: "Adds a note to an incident of the user's org (responders and admins).",
        input: z.object({ ref: RefInput, body: z.string().max(4_000) }),
        output: IncidentWithNotesShape,
        annotations: write,
        run: (input, actor) => incidents.addNote(actor, input.ref, input.body),
      }),
      internalTool(core, {
        name: 'set_status',
        title: 'Change the status',
        description:
          'Acknowledges, resolves or reopens an incident (open → acknowledged → resolved; resolved → open).',
        input: z.object({ ref: RefInput, status: z.enum(STATUSES) }),
        output: IncidentShape,
        annotations: write,
        run: (input, actor) => incidents.setStatus(actor, input.ref, input.status),
      }),
      internalTool(core, {
        name: 'delete_incident',
        title: 'Delete an incident',
        description:
          "Deletes an incident of the user's org and its notes for good (admins only). Cannot be undone.",
        input: z.object({ ref: RefInput }),
        output: IncidentShape,
        annotations: {
          readOnlyHint: false,
          destructiveHint: true,
          idempotentHint: false,
          openWorldHint: false,
        },
        run: (input, actor) => incidents.remove(actor, input.ref),
      }),
    ],
  });
}
