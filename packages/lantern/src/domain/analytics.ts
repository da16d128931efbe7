/**
 * Bulk analytics over the database, for the privileged doors only (the internal MCP server): the
 * REST API has nothing like them. Computed in SQL, in the dialect SQLite and PostgreSQL share
 * (window functions for the median), apart from the one expression that turns two ISO times into
 * hours.
 *
 * - `incidentStats`: an org's incidents opened in the last `days` days, counted by service,
 *   severity and status, and the mean and median hours from opening to resolution of those resolved.
 *   `analytics:read` (admins, operators); another org than one's own needs `orgs:all`.
 * - `listOrgs`: every org with its users and open incidents; `orgs:all` (operators on the internal
 *   server) only.
 */
import type { Sql, SqlValue } from '../db/sql.ts';
import { ProductError } from './errors.ts';
import { type Clock, iso } from './ids.ts';
import { type Actor, orgOf, requirePermission } from './permissions.ts';

export const MAX_WINDOW_DAYS = 3650;

export interface Count {
  key: string;
  count: number;
}

export interface IncidentStats {
  org: string;
  days: number;
  since: string;
  total: number;
  byService: Count[];
  bySeverity: Count[];
  byStatus: Count[];
  timeToResolve: { resolved: number; meanHours: number | null; medianHours: number | null };
}

export interface OrgSummary {
  id: string;
  name: string;
  users: number;
  openIncidents: number;
}

function hoursToResolve(sql: Sql): string {
  return sql.dialect === 'postgres'
    ? 'EXTRACT(EPOCH FROM (resolved_at::timestamptz - created_at::timestamptz)) / 3600.0'
    : '(julianday(resolved_at) - julianday(created_at)) * 24.0';
}

function hours(value: SqlValue | undefined): number | null {
  if (value === null || value === undefined) return null;
  return Math.round(Number(value) * 1000) / 1000;
}

/** The org a read acts in: one's own, or — with `orgs:all` — any org that exists. */
export async function orgForRead(sql: Sql, actor: Actor, org: string | undefined): Promise<string> {
  if (org === undefined || org === orgOf(actor)) return orgOf(actor);
  requirePermission(actor, 'orgs:all');
  const found = await sql.one('SELECT id FROM orgs WHERE id = $1', [org]);
  if (found === undefined)
    throw new ProductError('not_found', `no organisation "${org}" (list_orgs names them)`);
  return org;
}

export async function incidentStats(
  sql: Sql,
  clock: Clock,
  actor: Actor,
  days: number,
  org?: string,
): Promise<IncidentStats> {
  requirePermission(actor, 'analytics:read');
  if (!Number.isInteger(days) || days < 1 || days > MAX_WINDOW_DAYS)
    throw new ProductError('invalid', `days: a window is 1–${MAX_WINDOW_DAYS} whole days`);
  const orgId = await orgForRead(sql, actor, org);
  const since = iso(new Date(clock().getTime() - days * 86_400_000));
  const scope = 'FROM incidents WHERE org_id = $1 AND created_at >= $2';
  const counts = async (column: 'service' | 'severity' | 'status'): Promise<Count[]> =>
    (
      await sql.all(
        `SELECT ${column} AS k, COUNT(*) AS n ${scope} GROUP BY ${column} ORDER BY COUNT(*) DESC, ${column}`,
        [orgId, since],
      )
    ).map((r) => ({ key: String(r.k), count: Number(r.n) }));
  const resolved = `SELECT ${hoursToResolve(sql)} AS h ${scope} AND resolved_at IS NOT NULL`;
  const mean = await sql.one(`SELECT COUNT(*) AS n, AVG(h) AS mean FROM (${resolved}) d`, [orgId, since]);
  const median = await sql.one(
    `SELECT AVG(h) AS median FROM (
       SELECT h, ROW_NUMBER() OVER (ORDER BY h) AS i, COUNT(*) OVER () AS n FROM (${resolved}) d
     ) r WHERE i IN ((n + 1) / 2, (n + 2) / 2)`,
    [orgId, since],
  );
  const byStatus = await counts('status');
  return {
    org: orgId,
    days,
    since,
    total: byStatus.reduce((sum, c) => sum + c.count, 0),
    byService: await counts('service'),
    bySeverity: await counts('severity'),
    byStatus,
    timeToResolve: {
      resolved: Number(mean?.n ?? 0),
      meanHours: hours(mean?.mean),
      medianHours: hours(median?.median),
    },
  };
}

export async function listOrgs(sql: Sql, actor: Actor): Promise<OrgSummary[]> {
  requirePermission(actor, 'orgs:all');
  const rows = await sql.all(
    `SELECT o.id, o.name,
            (SELECT COUNT(*) FROM users u WHERE u.org_id = o.id) AS users,
            (SELECT COUNT(*) FROM incidents i WHERE i.org_id = o.id AND i.status <> 'resolved') AS open_incidents
       FROM orgs o ORDER BY o.id`,
  );
  return rows.map((r) => ({
    id: String(r.id),
    name: String(r.name),
    users: Number(r.users),
    openIncidents: Number(r.open_incidents),
  }));
}
