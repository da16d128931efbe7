/**
 * The shapes the REST API answers with, as the tools' output schemas, and the inputs the tools
 * share. Written here from the API's contract (packages/lantern/src/api/rest.ts), not imported:
 * this server depends on Lantern's HTTP API only. Output schemas keep just these fields.
 */
import * as z from 'zod';

export const SEVERITIES = ['sev1', 'sev2', 'sev3', 'sev4'] as const;
export const STATUSES = ['open', 'acknowledged', 'resolved'] as const;

/** `INC-12` or `12`; nothing else reaches the API's path. */
export const IncidentRef = z
  .string()
  .trim()
  .regex(/^(?:INC-)?\d{1,9}$/i, { error: 'an incident reference looks like INC-12' })
  .describe('The incident reference, like INC-12 (as list_incidents shows it).');

export const IncidentSchema = z.object({
  ref: z.string().describe('How people name the incident, e.g. INC-12'),
  orgId: z.string(),
  title: z.string(),
  service: z.string(),
  severity: z.enum(SEVERITIES).describe('sev1 is the most severe'),
  status: z.enum(STATUSES),
  summary: z.string(),
  openedBy: z.string(),
  assignee: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  resolvedAt: z.string().nullable(),
});

export const NoteSchema = z.object({
  id: z.string(),
  author: z.string(),
  body: z.string(),
  createdAt: z.string(),
});

export const IncidentWithNotesSchema = IncidentSchema.extend({ notes: z.array(NoteSchema) });

export const ServiceSchema = z.object({
  name: z.string(),
  team: z.string(),
  tier: z.number().int(),
});

export const MeSchema = z.object({
  user: z.object({
    id: z.string(),
    orgId: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.string(),
  }),
  permissions: z.array(z.string()).describe('What this token may do, e.g. incidents:write'),
});

export type Incident = z.infer<typeof IncidentSchema>;
export type IncidentWithNotes = z.infer<typeof IncidentWithNotesSchema>;
export type Service = z.infer<typeof ServiceSchema>;
export type Me = z.infer<typeof MeSchema>;
