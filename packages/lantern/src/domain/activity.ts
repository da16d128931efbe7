/**
 * The activity log: every change in Lantern, whoever made it and through which door (web, REST
 * API, internal MCP server, automation). Written in the same transaction as the change itself, so
 * the log never claims a change that was rolled back nor misses one that happened.
 */
import type { Sql } from '../db/sql.ts';
import { type Clock, iso, newId } from './ids.ts';
import { type Actor, actorLabel, orgOf, orgScope, requirePermission } from './permissions.ts';

export interface ActivityEntry {
  id: string;
  orgId: string;
  actor: string;
  via: string;
  action: string;
  target: string;
  detail: Record<string, unknown>;
  at: string;
}

export interface ActivityFilter {
  action?: string;
  actor?: string;
  since?: string;
  limit?: number;
}

export const MAX_ACTIVITY_PAGE = 500;

export async function recordActivity(
  sql: Sql,
  clock: Clock,
  actor: Actor,
  action: string,
  target: string,
  detail: Record<string, unknown> = {},
  orgId: string = orgOf(actor),
): Promise<void> {
  await sql.run(
    'INSERT INTO activity (id, org_id, actor, via, action, target, detail, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
    [newId('act'), orgId, actorLabel(actor), actor.via, action, target, JSON.stringify(detail), iso(clock())],
  );
}

/** The newest entries first, in the actor's org (every org for an operator on the internal server). */
export async function listActivity(
  sql: Sql,
  actor: Actor,
  filter: ActivityFilter = {},
): Promise<ActivityEntry[]> {
  requirePermission(actor, 'activity:read');
  const where: string[] = [];
  const params: (string | number)[] = [];
  const add = (clause: string, value: string | number) => {
    params.push(value);
    where.push(clause.replace('?', `$${params.length}`));
  };
  const org = orgScope(actor);
  if (org !== undefined) add('org_id = ?', org);
  if (filter.action !== undefined) add('action = ?', filter.action);
  if (filter.actor !== undefined) add('actor = ?', filter.actor);
  if (filter.since !== undefined) add('at >= ?', filter.since);
  params.push(Math.min(Math.max(filter.limit ?? 50, 1), MAX_ACTIVITY_PAGE));
  const rows = await sql.all(
    `SELECT id, org_id, actor, via, action, target, detail, at FROM activity
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT $${params.length}`,
    params,
  );
  return rows.map((r) => ({
    id: String(r.id),
    orgId: String(r.org_id),
    actor: String(r.actor),
    via: String(r.via),
    action: String(r.action),
    target: String(r.target),
    detail: JSON.parse(String(r.detail)) as Record<string, unknown>,
    at: String(r.at),
  }));
}
