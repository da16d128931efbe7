/** Output schemas the internal MCP components share: an incident as the domain returns it. */
import * as z from 'zod';
import { SEVERITIES, STATUSES } from '../domain/incident-model.ts';

export const IncidentShape = z.object({
  ref: z.string().describe('INC-<number>, counted per org'),
  orgId: z.string(),
  title: z.string(),
  service: z.string(),
  severity: z.enum(SEVERITIES),
  status: z.enum(STATUSES),
  summary: z.string(),
  openedBy: z.string(),
  assignee: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  resolvedAt: z.string().nullable(),
});

export const NoteShape = z.object({
  id: z.string(),
  author: z.string(),
  body: z.string(),
  createdAt: z.string(),
});

export const IncidentWithNotesShape = IncidentShape.extend({ notes: z.array(NoteShape) });

/** `INC-12`, `12`; the domain says clearly when it is neither. */
export const RefInput = z.string().min(1).max(40).describe('The incident reference, e.g. "INC-12" (or "12")');

/** An org id such as "contoso". */
export const OrgInput = z.string().min(1).max(80).describe('An org id such as "contoso" (see list_orgs)');

/** The analytics window. */
export const DaysInput = z
  .number()
  .int()
  .min(1)
  .max(3650)
  .default(30)
  .describe('The window: incidents opened in the last this many days (1–3650, default 30)');
