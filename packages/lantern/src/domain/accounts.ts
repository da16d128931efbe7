/**
 * People and their credentials: users with a password (for the web UI), per-user API tokens (for
 * the REST API and so for the external MCP server), and browser sessions. Tokens and session
 * cookies are random secrets shown once and stored only as SHA-256 hashes.
 */
import type { Row, Sql } from '../db/sql.ts';
import { ProductError } from './errors.ts';
import { type Clock, iso, newId, newSecret, sha256 } from './ids.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { type Actor, isRole, type Role, requirePermission, type UserIdentity } from './permissions.ts';

export const TOKEN_PREFIX = 'lnt';
const SESSION_PREFIX = 'lns';
const SESSION_HOURS = 12;

export interface NewUser {
  orgId: string;
  email: string;
  name: string;
  role: Role;
  password: string;
}

export interface TokenInfo {
  id: string;
  label: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface WebSession {
  cookie: string;
  csrf: string;
  user: UserIdentity;
}

function identity(row: Row): UserIdentity {
  const role = String(row.role);
  if (!isRole(role)) throw new Error(`user ${String(row.id)} has an unknown role ${role}`);
  return {
    id: String(row.id),
    orgId: String(row.org_id),
    email: String(row.email),
    name: String(row.name),
    role,
  };
}

const USER_COLUMNS = 'u.id, u.org_id, u.email, u.name, u.role';

export class Accounts {
  private readonly sql: Sql;
  private readonly clock: Clock;

  constructor(sql: Sql, clock: Clock) {
    this.sql = sql;
    this.clock = clock;
  }

  async createUser(user: NewUser): Promise<UserIdentity> {
    const id = newId('usr');
    await this.sql.run(
      'INSERT INTO users (id, org_id, email, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [
        id,
        user.orgId,
        user.email.toLowerCase(),
        user.name,
        user.role,
        await hashPassword(user.password),
        iso(this.clock()),
      ],
    );
    return { id, orgId: user.orgId, email: user.email.toLowerCase(), name: user.name, role: user.role };
  }

  async userByEmail(email: string): Promise<UserIdentity | undefined> {
    const row = await this.sql.one(`SELECT ${USER_COLUMNS} FROM users u WHERE u.email = $1`, [
      email.toLowerCase(),
    ]);
    return row === undefined ? undefined : identity(row);
  }

  async userById(id: string): Promise<UserIdentity | undefined> {
    const row = await this.sql.one(`SELECT ${USER_COLUMNS} FROM users u WHERE u.id = $1`, [id]);
    return row === undefined ? undefined : identity(row);
  }

  /** The user whose email and password these are; one message for either being wrong. */
  async verifyLogin(email: string, password: string): Promise<UserIdentity> {
    const row = await this.sql.one(
      `SELECT ${USER_COLUMNS}, u.password_hash FROM users u WHERE u.email = $1`,
      [email.toLowerCase()],
    );
    const ok = row !== undefined && (await verifyPassword(password, String(row.password_hash)));
    if (!ok || row === undefined)
      throw new ProductError('unauthenticated', 'the email or the password is wrong');
    return identity(row);
  }

  // ---- API tokens ----------------------------------------------------------------------------

  /** A new token for the actor's own user; the secret is in the answer and nowhere else. */
  async issueToken(actor: Actor, label: string): Promise<TokenInfo & { token: string }> {
    if (actor.kind !== 'user') throw new ProductError('forbidden', 'only a user can hold an API token');
    requirePermission(actor, 'tokens:manage');
    const trimmed = label.trim();
    if (trimmed === '' || trimmed.length > 80)
      throw new ProductError('invalid', 'a token label is 1–80 characters');
    const token = newSecret(TOKEN_PREFIX);
    const info = { id: newId('tok'), label: trimmed, createdAt: iso(this.clock()), lastUsedAt: null };
    await this.sql.run(
      'INSERT INTO api_tokens (id, user_id, token_hash, label, created_at) VALUES ($1, $2, $3, $4, $5)',
      [info.id, actor.user.id, sha256(token), info.label, info.createdAt],
    );
    return { ...info, token };
  }

  async listTokens(actor: Actor): Promise<TokenInfo[]> {
    if (actor.kind !== 'user') return [];
    const rows = await this.sql.all(
      'SELECT id, label, created_at, last_used_at FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at',
      [actor.user.id],
    );
    return rows.map((r) => ({
      id: String(r.id),
      label: String(r.label),
      createdAt: String(r.created_at),
      lastUsedAt: r.last_used_at === null ? null : String(r.last_used_at),
    }));
  }

  async revokeToken(actor: Actor, tokenId: string): Promise<void> {
    if (actor.kind !== 'user') throw new ProductError('forbidden', 'only a user can hold an API token');
    const changed = await this.sql.run(
      'UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL',
      [iso(this.clock()), tokenId, actor.user.id],
    );
    if (changed === 0) throw new ProductError('not_found', `no token ${tokenId} of yours`);
  }

  /** The user a bearer token belongs to, or undefined (unknown, revoked, malformed). */
  async userForToken(token: string): Promise<UserIdentity | undefined> {
    if (!token.startsWith(`${TOKEN_PREFIX}_`)) return undefined;
    const hash = sha256(token);
    const row = await this.sql.one(
      `SELECT ${USER_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL`,
      [hash],
    );
    if (row === undefined) return undefined;
    await this.sql.run('UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2', [
      iso(this.clock()),
      hash,
    ]);
    return identity(row);
  }

  // ---- web sessions --------------------------------------------------------------------------

  async openSession(user: UserIdentity): Promise<WebSession> {
    const cookie = newSecret(SESSION_PREFIX);
    const csrf = newSecret('csrf');
    const expires = new Date(this.clock().getTime() + SESSION_HOURS * 3_600_000);
    await this.sql.run(
      'INSERT INTO web_sessions (id_hash, user_id, csrf, expires_at) VALUES ($1, $2, $3, $4)',
      [sha256(cookie), user.id, csrf, iso(expires)],
    );
    return { cookie, csrf, user };
  }

  async session(cookie: string): Promise<WebSession | undefined> {
    const row = await this.sql.one(
      `SELECT ${USER_COLUMNS}, s.csrf FROM web_sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id_hash = $1 AND s.expires_at > $2`,
      [sha256(cookie), iso(this.clock())],
    );
    return row === undefined ? undefined : { cookie, csrf: String(row.csrf), user: identity(row) };
  }

  async closeSession(cookie: string): Promise<void> {
    await this.sql.run('DELETE FROM web_sessions WHERE id_hash = $1', [sha256(cookie)]);
  }
}
