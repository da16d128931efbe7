/**
 * An incident as every door shows it, the rules its fields follow, and the one place that turns a
 * database row into it. `ref` (`INC-12`) is how people and models name an incident; it counts per
 * org, so `INC-12` of one org is a different incident from `INC-12` of another.
 */
import * as z from 'zod';
import type { Row } from '../db/sql.ts';
import { ProductError } from './errors.ts';

export const SEVERITIES = ['sev1', 'sev2', 'sev3', 'sev4'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type Status = (typeof STATUSES)[number];

/** Which status may follow which: acknowledge, resolve (with or without acknowledging), reopen. */
const NEXT: Record<Status, readonly Status[]> = {
  open: ['acknowledged', 'resolved'],
  acknowledged: ['resolved'],
  resolved: ['open'],
};

export function checkTransition(from: Status, to: Status): void {
  if (NEXT[from].includes(to)) return;
  throw new ProductError(
    'conflict',
    `an incident that is ${from} cannot become ${to}${NEXT[from].length > 0 ? ` (it can become ${NEXT[from].join(' or ')})` : ''}`,
  );
}

export const NewIncidentSchema = z.object({
  title: z.string().trim().min(3, 'a title is at least 3 characters').max(200),
  service: z.string().trim().min(1).max(80),
  severity: z.enum(SEVERITIES),
  summary: z.string().trim().max(4_000).default(''),
});
export type NewIncident = z.input<typeof NewIncidentSchema>;

export const NoteSchema = z.string().trim().min(1, 'a note is not empty').max(4_000);

export interface Note {
  id: string;
  author: string;
  body: string;
  createdAt: string;
}

export interface Incident {
  ref: string;
  orgId: string;
  title: string;
  service: string;
  severity: Severity;
  status: Status;
  summary: string;
  openedBy: string;
  assignee: string | null;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
}

export interface IncidentWithNotes extends Incident {
  notes: Note[];
}

export function refOf(number: number): string {
  return `INC-${number}`;
}

/** `INC-12`, `inc-12` or `12` → 12; anything else is invalid input. */
export function numberOfRef(ref: string | number): number {
  const match = /^(?:INC-)?(\d{1,9})$/i.exec(String(ref).trim());
  if (match?.[1] === undefined)
    throw new ProductError('invalid', `"${String(ref)}" is not an incident reference like INC-12`);
  return Number(match[1]);
}

export function incidentFromRow(row: Row): Incident {
  return {
    ref: refOf(Number(row.number)),
    orgId: String(row.org_id),
    title: String(row.title),
    service: String(row.service),
    severity: String(row.severity) as Severity,
    status: String(row.status) as Status,
    summary: String(row.summary),
    openedBy: String(row.opened_by),
    assignee: row.assignee === null ? null : String(row.assignee),
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
    resolvedAt: row.resolved_at === null ? null : String(row.resolved_at),
  };
}

export const INCIDENT_COLUMNS =
  'id, org_id, number, title, service, severity, status, summary, opened_by, assignee, created_at, updated_at, resolved_at';

/** Parses with a schema; a failure becomes the product's `invalid` error naming the field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  throw new ProductError('invalid', `${where}${issue?.message ?? 'invalid input'}`);
}
