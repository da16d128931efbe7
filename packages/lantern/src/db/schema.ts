/**
 * Lantern's tables, in SQL both SQLite and PostgreSQL accept. Times are ISO-8601 UTC text (they
 * sort as time), identifiers are text made by the application, and `migrate` is idempotent: it
 * runs at every start.
 *
 * - orgs, users: tenants and their people; `role` is one of the roles in domain/permissions.ts;
 *   `incident_seq` is the org's last incident number (numbers are never given twice, even after a
 *   delete).
 * - api_tokens: per-user REST tokens, stored as SHA-256 hashes (the token is shown once).
 * - web_sessions: browser sign-ins, stored as hashes of the cookie value.
 * - services: what an org runs (incidents are about one of them).
 * - incidents, incident_notes: the product's business objects; `number` counts per org.
 * - activity: who did what, through which door (web, api, internal MCP, automation).
 */
import type { Sql } from './sql.ts';

const TABLES = [
  `CREATE TABLE IF NOT EXISTS orgs (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     incident_seq INTEGER NOT NULL DEFAULT 0
   )`,
  `CREATE TABLE IF NOT EXISTS users (
     id TEXT PRIMARY KEY,
     org_id TEXT NOT NULL REFERENCES orgs(id),
     email TEXT NOT NULL UNIQUE,
     name TEXT NOT NULL,
     role TEXT NOT NULL,
     password_hash TEXT NOT NULL,
     created_at TEXT NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS api_tokens (
     id TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users(id),
     token_hash TEXT NOT NULL UNIQUE,
     label TEXT NOT NULL,
     created_at TEXT NOT NULL,
     last_used_at TEXT,
     revoked_at TEXT
   )`,
  `CREATE TABLE IF NOT EXISTS web_sessions (
     id_hash TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users(id),
     csrf TEXT NOT NULL,
     expires_at TEXT NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS services (
     org_id TEXT NOT NULL REFERENCES orgs(id),
     name TEXT NOT NULL,
     team TEXT NOT NULL,
     tier INTEGER NOT NULL,
     PRIMARY KEY (org_id, name)
   )`,
  `CREATE TABLE IF NOT EXISTS incidents (
     id TEXT PRIMARY KEY,
     org_id TEXT NOT NULL REFERENCES orgs(id),
     number INTEGER NOT NULL,
     title TEXT NOT NULL,
     service TEXT NOT NULL,
     severity TEXT NOT NULL,
     status TEXT NOT NULL,
     summary TEXT NOT NULL,
     opened_by TEXT NOT NULL,
     assignee TEXT,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     resolved_at TEXT,
     UNIQUE (org_id, number)
   )`,
  `CREATE TABLE IF NOT EXISTS incident_notes (
     id TEXT PRIMARY KEY,
     incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
     author TEXT NOT NULL,
     body TEXT NOT NULL,
     created_at TEXT NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS activity (
     id TEXT PRIMARY KEY,
     org_id TEXT NOT NULL,
     actor TEXT NOT NULL,
     via TEXT NOT NULL,
     action TEXT NOT NULL,
     target TEXT NOT NULL,
     detail TEXT NOT NULL,
     at TEXT NOT NULL
   )`,
];

const INDEXES = [
  'CREATE INDEX IF NOT EXISTS incidents_org_status ON incidents (org_id, status, created_at)',
  'CREATE INDEX IF NOT EXISTS notes_incident ON incident_notes (incident_id, created_at)',
  'CREATE INDEX IF NOT EXISTS activity_org_at ON activity (org_id, at)',
  'CREATE INDEX IF NOT EXISTS tokens_user ON api_tokens (user_id)',
];

export async function migrate(sql: Sql): Promise<void> {
  for (const statement of [...TABLES, ...INDEXES]) await sql.run(statement);
}
