/**
 * The incident tools: read (list, get), write (open, note, status) and delete. Each is one REST
 * call with the user's token; the API decides what the user's role allows and answers for the
 * user's own organisation only — no tool takes an organisation, a user or a token.
 */
import { defineTool } from '@gatehouse/kit';
import * as z from 'zod';
import type { LanternApi } from '../lantern-api.ts';
import { IncidentRef, IncidentSchema, IncidentWithNotesSchema, SEVERITIES, STATUSES } from '../schemas.ts';

const READ = { readOnlyHint: true, idempotentHint: true, openWorldHint: false } as const;

export function listIncidentsTool(api: LanternApi) {
  return defineTool({
    name: 'list_incidents',
    title: 'List incidents',
    description:
      "Lists your organisation's incidents, newest first, optionally only those with a status, service or " +
      'severity. Each has a ref (INC-12) to pass to get_incident and the other incident tools.',
    input: z.object({
      status: z.enum(STATUSES).optional().describe('Only incidents with this status'),
      service: z.string().trim().min(1).max(80).optional().describe('Only incidents of this service'),
      severity: z.enum(SEVERITIES).optional().describe('Only incidents of this severity (sev1 is worst)'),
      limit: z.number().int().min(1).max(100).optional().describe('At most this many (default 20)'),
    }),
    output: z.object({ incidents: z.array(IncidentSchema) }),
    annotations: READ,
    handler: async (input, ctx) => ({ incidents: await api.incidents(input, ctx.signal) }),
  });
}

export function getIncidentTool(api: LanternApi) {
  return defineTool({
    name: 'get_incident',
    title: 'Get an incident',
    description:
      'Shows one incident of your organisation by its ref (like INC-12), with its notes, oldest first.',
    input: z.object({ ref: IncidentRef }),
    output: IncidentWithNotesSchema,
    annotations: READ,
    handler: ({ ref }, ctx) => api.incident(ref, ctx.signal),
  });
}

export function openIncidentTool(api: LanternApi) {
  return defineTool({
    name: 'open_incident',
    title: 'Open an incident',
    description:
      'Opens a new incident in your organisation (status open) and returns it with its ref. The service ' +
      'must be one list_services shows. Needs the responder or admin role.',
    input: z.object({
      title: z.string().trim().min(3).max(200).describe('What is wrong, in a line'),
      service: z.string().trim().min(1).max(80).describe('The affected service, as list_services names it'),
      severity: z.enum(SEVERITIES).describe('sev1: outage; sev2: major; sev3: minor; sev4: cosmetic'),
      summary: z.string().trim().max(4_000).optional().describe('What is known so far'),
    }),
    output: IncidentSchema,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    handler: (input, ctx) => api.open(input, ctx.signal),
  });
}

export function addIncidentNoteTool(api: LanternApi) {
  return defineTool({
    name: 'add_incident_note',
    title: 'Add a note to an incident',
    description:
      'Adds a note (signed with your name) to an incident of your organisation and returns the incident ' +
      'with all its notes. Needs the responder or admin role.',
    input: z.object({
      ref: IncidentRef,
      body: z.string().trim().min(1).max(4_000).describe('The note text'),
    }),
    output: IncidentWithNotesSchema,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    handler: ({ ref, body }, ctx) => api.addNote(ref, body, ctx.signal),
  });
}

export function setIncidentStatusTool(api: LanternApi) {
  return defineTool({
    name: 'set_incident_status',
    title: 'Acknowledge, resolve or reopen an incident',
    description:
      'Moves an incident of your organisation to a new status: open → acknowledged or resolved, ' +
      'acknowledged → resolved, resolved → open (reopen). Needs the responder or admin role.',
    input: z.object({
      ref: IncidentRef,
      status: z.enum(STATUSES).describe('The new status'),
    }),
    output: IncidentSchema,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    handler: ({ ref, status }, ctx) => api.setStatus(ref, status, ctx.signal),
  });
}

export function deleteIncidentTool(api: LanternApi) {
  return defineTool({
    name: 'delete_incident',
    title: 'Delete an incident',
    description:
      'Deletes an incident of your organisation and its notes for good, returning what was deleted. ' +
      'Only admins may; prefer resolving. Confirm with the user before calling.',
    input: z.object({ ref: IncidentRef }),
    output: IncidentSchema,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    handler: ({ ref }, ctx) => api.remove(ref, ctx.signal),
  });
}
