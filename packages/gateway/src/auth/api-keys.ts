/**
 * API keys, kept in the embedded SQLite database. A key is `ghk_<id>_<secret>`: the id finds
 * the row, the secret is stored only as its SHA-256 (it is 256 random bits, so a fast hash is
 * enough) and compared in constant time. The full key is shown once, at creation.
 *
 * A running gateway caches looked-up rows for a few seconds, so a key revoked with the CLI stops
 * working within that time without a restart.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { openEmbeddedDb } from '../storage/embedded-db.ts';
import type { Principal } from './principal.ts';

export const API_KEY_PREFIX = 'ghk_';
const KEY_PATTERN = /^ghk_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

/** The id part of a presented key (`ghk_<id>_<secret>`), for the audit of a refusal; never the secret. */
export function presentedKeyId(token: string): string | undefined {
  return /^ghk_([A-Za-z0-9]{12})_/.exec(token)?.[1];
}

export interface ApiKeyInfo {
  id: string;
  user: string;
  org: string | null;
  roles: string[];
  createdAt: string;
  revokedAt: string | null;
  description: string | null;
}

interface Row {
  id: string;
  secret_hash: string;
  user: string;
  org: string | null;
  roles: string;
  created_at: string;
  revoked_at: string | null;
  description: string | null;
}

interface ActiveKey {
  secretHash: Buffer;
  principal: Principal;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function randomId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(12);
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
}

function toInfo(row: Row): ApiKeyInfo {
  return {
    id: row.id,
    user: row.user,
    org: row.org,
    roles: JSON.parse(row.roles) as string[],
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    description: row.description,
  };
}

/** The principal a key stands for. */
export function keyPrincipal(info: ApiKeyInfo): Principal {
  return {
    id: `key:${info.id}`,
    user: info.user,
    org: info.org ?? undefined,
    roles: info.roles,
    via: 'api-key',
    scopes: [],
  };
}

export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX);
}

export class ApiKeyStore {
  private readonly db: DatabaseSync;
  private readonly byId: StatementSync;
  /** id → the active key's secret hash and principal (undefined: unknown or revoked), and when read. */
  private readonly cache = new Map<string, { key: ActiveKey | undefined; at: number }>();
  private readonly cacheMs: number;

  constructor(path: string, options: { cacheMs?: number } = {}) {
    this.db = openEmbeddedDb(path);
    this.db.exec(`CREATE TABLE IF NOT EXISTS api_keys (
      id TEXT PRIMARY KEY,
      secret_hash TEXT NOT NULL,
      user TEXT NOT NULL,
      org TEXT,
      roles TEXT NOT NULL,
      created_at TEXT NOT NULL,
      revoked_at TEXT,
      description TEXT
    )`);
    this.byId = this.db.prepare('SELECT * FROM api_keys WHERE id = ?');
    this.cacheMs = options.cacheMs ?? 5_000;
  }

  /** Creates a key; the returned `key` is the only time the secret exists outside the caller. */
  create(input: { user: string; org?: string | null; roles: string[]; description?: string | null }): {
    key: string;
    info: ApiKeyInfo;
  } {
    const id = randomId();
    const secret = randomBytes(32).toString('base64url');
    const createdAt = new Date().toISOString();
    this.db
      .prepare(
        'INSERT INTO api_keys (id, secret_hash, user, org, roles, created_at, description) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        id,
        sha256(secret).toString('hex'),
        input.user,
        input.org ?? null,
        JSON.stringify(input.roles),
        createdAt,
        input.description ?? null,
      );
    const row = this.byId.get(id) as unknown as Row;
    return { key: `${API_KEY_PREFIX}${id}_${secret}`, info: toInfo(row) };
  }

  list(options: { includeRevoked?: boolean } = {}): ApiKeyInfo[] {
    const sql = options.includeRevoked
      ? 'SELECT * FROM api_keys ORDER BY created_at'
      : 'SELECT * FROM api_keys WHERE revoked_at IS NULL ORDER BY created_at';
    return (this.db.prepare(sql).all() as unknown as Row[]).map(toInfo);
  }

  /** Revokes by id; false when there is no such active key. */
  revoke(id: string): boolean {
    const result = this.db
      .prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
      .run(new Date().toISOString(), id);
    this.cache.delete(id);
    return Number(result.changes) > 0;
  }

  private activeKey(id: string): ActiveKey | undefined {
    const now = Date.now();
    const cached = this.cache.get(id);
    if (cached && now - cached.at < this.cacheMs) return cached.key;
    const row = this.byId.get(id) as unknown as Row | undefined;
    const key =
      row === undefined || row.revoked_at !== null
        ? undefined
        : { secretHash: Buffer.from(row.secret_hash, 'hex'), principal: keyPrincipal(toInfo(row)) };
    if (this.cache.size >= 100_000) this.cache.clear();
    this.cache.set(id, { key, at: now });
    return key;
  }

  /** The principal behind a presented key, or undefined for an unknown, wrong or revoked key. */
  verify(token: string): Principal | undefined {
    const match = KEY_PATTERN.exec(token);
    if (!match) return undefined;
    const [, id = '', secret = ''] = match;
    const key = this.activeKey(id);
    // Hash and compare even when there is no key, so timing does not tell which ids exist.
    const presented = sha256(secret);
    const matches = timingSafeEqual(presented, key?.secretHash ?? presented);
    return key !== undefined && matches ? key.principal : undefined;
  }

  close(): void {
    this.db.close();
  }
}
