/**
 * Lantern's business operations on incidents. Every door (REST API, web UI, internal MCP server,
 * automation) goes through these, with an actor: the permission check, the org boundary and the
 * activity record are here once, never in a door. A read names its org only through the actor —
 * except an operator on the internal server, who may name any org.
 */
import * as z from 'zod';
import type { Sql, SqlValue } from '../db/sql.ts';
import { recordActivity } from './activity.ts';
import { ProductError } from './errors.ts';
import { type Clock, iso, newId } from './ids.ts';
import {
  checkTransition,
  INCIDENT_COLUMNS,
  type Incident,
  type IncidentWithNotes,
  incidentFromRow,
  type NewIncident,
  NewIncidentSchema,
  NoteSchema,
  numberOfRef,
  parseInput,
  refOf,
  SEVERITIES,
  STATUSES,
  type Status,
} from './incident-model.ts';
import { type Actor, actorLabel, can, orgOf, requirePermission } from './permissions.ts';

export const ListFilterSchema = z.object({
  status: z.enum(STATUSES).optional(),
  service: z.string().max(80).optional(),
  severity: z.enum(SEVERITIES).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type ListFilter = z.input<typeof ListFilterSchema>;

export interface Service {
  name: string;
  team: string;
  tier: number;
}

export class Incidents {
  private readonly sql: Sql;
  private readonly clock: Clock;

  constructor(sql: Sql, clock: Clock) {
    this.sql = sql;
    this.clock = clock;
  }

  /** The org an operation acts in: the actor's own, or `org` when the actor may act in any. */
  private orgFor(actor: Actor, org: string | undefined): string {
    if (org === undefined || org === orgOf(actor)) return orgOf(actor);
    if (!can(actor, 'orgs:all'))
      throw new ProductError('forbidden', 'you can act only in your own organisation');
    return org;
  }

  async services(actor: Actor, org?: string): Promise<Service[]> {
    requirePermission(actor, 'incidents:read');
    const rows = await this.sql.all('SELECT name, team, tier FROM services WHERE org_id = $1 ORDER BY name', [
      this.orgFor(actor, org),
    ]);
    return rows.map((r) => ({ name: String(r.name), team: String(r.team), tier: Number(r.tier) }));
  }

  async list(actor: Actor, filter: ListFilter = {}, org?: string): Promise<Incident[]> {
    requirePermission(actor, 'incidents:read');
    const f = parseInput(ListFilterSchema, filter);
    const params: SqlValue[] = [this.orgFor(actor, org)];
    const where = ['org_id = $1'];
    for (const [column, value] of [
      ['status', f.status],
      ['service', f.service],
      ['severity', f.severity],
    ] as const) {
      if (value === undefined) continue;
      params.push(value);
      where.push(`${column} = $${params.length}`);
    }
    params.push(f.limit);
    const rows = await this.sql.all(
      `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE ${where.join(' AND ')}
        ORDER BY number DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(incidentFromRow);
  }

  async get(actor: Actor, ref: string | number, org?: string): Promise<IncidentWithNotes> {
    requirePermission(actor, 'incidents:read');
    const { id, incident } = await this.find(this.sql, this.orgFor(actor, org), ref);
    const notes = await this.sql.all(
      'SELECT id, author, body, created_at FROM incident_notes WHERE incident_id = $1 ORDER BY created_at, id',
      [id],
    );
    return {
      ...incident,
      notes: notes.map((n) => ({
        id: String(n.id),
        author: String(n.author),
        body: String(n.body),
        createdAt: String(n.created_at),
      })),
    };
  }

  async open(actor: Actor, input: NewIncident, org?: string): Promise<Incident> {
    requirePermission(actor, 'incidents:write');
    const fields = parseInput(NewIncidentSchema, input);
    const orgId = this.orgFor(actor, org);
    return this.sql.transaction(async (tx) => {
      const known = await tx.one('SELECT name FROM services WHERE org_id = $1 AND name = $2', [
        orgId,
        fields.service,
      ]);
      if (known === undefined) {
        throw new ProductError(
          'invalid',
          `service: "${fields.service}" is not one of your organisation's services`,
        );
      }
      // The org's row is locked by this update until commit: one writer at a time takes a number.
      const seq = await tx.one<{ n: number }>(
        'UPDATE orgs SET incident_seq = incident_seq + 1 WHERE id = $1 RETURNING incident_seq AS n',
        [orgId],
      );
      const number = Number(seq?.n);
      const now = iso(this.clock());
      await tx.run(
        `INSERT INTO incidents (${INCIDENT_COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, NULL, $9, $9, NULL)`,
        [
          newId('inc'),
          orgId,
          number,
          fields.title,
          fields.service,
          fields.severity,
          fields.summary,
          actorLabel(actor),
          now,
        ],
      );
      await recordActivity(
        tx,
        this.clock,
        actor,
        'incident.opened',
        refOf(number),
        {
          title: fields.title,
          service: fields.service,
          severity: fields.severity,
        },
        orgId,
      );
      return (await this.find(tx, orgId, number)).incident;
    });
  }

  async addNote(actor: Actor, ref: string | number, body: string, org?: string): Promise<IncidentWithNotes> {
    requirePermission(actor, 'incidents:write');
    const text = parseInput(NoteSchema, body);
    const orgId = this.orgFor(actor, org);
    await this.sql.transaction(async (tx) => {
      const { id, incident } = await this.find(tx, orgId, ref);
      const now = iso(this.clock());
      await tx.run(
        'INSERT INTO incident_notes (id, incident_id, author, body, created_at) VALUES ($1, $2, $3, $4, $5)',
        [newId('note'), id, actorLabel(actor), text, now],
      );
      await tx.run('UPDATE incidents SET updated_at = $1 WHERE id = $2', [now, id]);
      await recordActivity(
        tx,
        this.clock,
        actor,
        'incident.noted',
        incident.ref,
        { length: text.length },
        orgId,
      );
    });
    return this.get(actor, ref, orgId);
  }

  async setStatus(actor: Actor, ref: string | number, status: Status, org?: string): Promise<Incident> {
    requirePermission(actor, 'incidents:write');
    const to = parseInput(z.enum(STATUSES), status);
    const orgId = this.orgFor(actor, org);
    return this.sql.transaction(async (tx) => {
      const { id, incident } = await this.find(tx, orgId, ref);
      checkTransition(incident.status, to);
      const now = iso(this.clock());
      await tx.run('UPDATE incidents SET status = $1, updated_at = $2, resolved_at = $3 WHERE id = $4', [
        to,
        now,
        to === 'resolved' ? now : null,
        id,
      ]);
      await recordActivity(
        tx,
        this.clock,
        actor,
        `incident.${to === 'open' ? 'reopened' : to}`,
        incident.ref,
        {
          from: incident.status,
        },
        orgId,
      );
      return (await this.find(tx, orgId, ref)).incident;
    });
  }

  /** Deletes an incident and its notes for good (admins only). */
  async remove(actor: Actor, ref: string | number, org?: string): Promise<Incident> {
    requirePermission(actor, 'incidents:delete');
    const orgId = this.orgFor(actor, org);
    return this.sql.transaction(async (tx) => {
      const { id, incident } = await this.find(tx, orgId, ref);
      await tx.run('DELETE FROM incident_notes WHERE incident_id = $1', [id]);
      await tx.run('DELETE FROM incidents WHERE id = $1', [id]);
      await recordActivity(
        tx,
        this.clock,
        actor,
        'incident.deleted',
        incident.ref,
        { title: incident.title },
        orgId,
      );
      return incident;
    });
  }

  /** The incident `ref` of `orgId`; another org's incident is as absent as one that never was. */
  private async find(
    sql: Sql,
    orgId: string,
    ref: string | number,
  ): Promise<{ id: string; incident: Incident }> {
    const number = numberOfRef(ref);
    const row = await sql.one(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE org_id = $1 AND number = $2`, [
      orgId,
      number,
    ]);
    if (row === undefined) throw new ProductError('not_found', `no incident ${refOf(number)}`);
    return { id: String(row.id), incident: incidentFromRow(row) };
  }
}
