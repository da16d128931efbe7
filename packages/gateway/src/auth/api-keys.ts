/**
 * API keys: what every store of them shares. A key is `ghk_<id>_<secret>`: the id finds the row,
 * the secret is stored only as its SHA-256 (it is 256 random bits, so a fast hash is enough) and
 * compared in constant time. The full key is shown once, at creation.
 *
 * Two stores keep them: the embedded SQLite database (api-keys-sqlite.ts, one process and the
 * CLI beside it) and the shared PostgreSQL of `storage.postgres` (api-keys-pg.ts, every replica);
 * open-api-keys.ts picks one. A running gateway caches looked-up rows for `cacheMs` (5 s), so a
 * key revoked anywhere — the CLI, the console of another replica — stops working on every
 * replica within that time without a restart.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal } from './principal.ts';

export const API_KEY_PREFIX = 'ghk_';
const KEY_PATTERN = /^ghk_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

/** How long a looked-up key is trusted before it is read again: the time a revocation takes to reach every replica. */
export const KEY_CACHE_MS = 5_000;

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

export interface NewApiKey {
  user: string;
  org?: string | null;
  roles: string[];
  description?: string | null;
}

export interface CreatedApiKey {
  /** The full key: the only time the secret exists outside the caller. */
  key: string;
  info: ApiKeyInfo;
}

/** The API keys, wherever they are kept. Every method may fail with StoreUnavailable (storage/unavailable.ts). */
export interface ApiKeyStore {
  create(input: NewApiKey): Promise<CreatedApiKey>;
  list(options?: { includeRevoked?: boolean }): Promise<ApiKeyInfo[]>;
  /** Revokes by id; false when there is no such active key. */
  revoke(id: string): Promise<boolean>;
  /** The principal behind a presented key, or undefined for an unknown, wrong or revoked key. */
  verify(token: string): Promise<Principal | undefined>;
  close(): Promise<void>;
}

/** A stored row, the same columns in both databases. */
export interface ApiKeyRow {
  id: string;
  secret_hash: string;
  user: string;
  org: string | null;
  roles: string;
  created_at: string;
  revoked_at: string | null;
  description: string | null;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function randomId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(12);
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
}

/** A new key's row and the key itself (the secret is in the key only, never in the row). */
export function newKeyRow(input: NewApiKey): { row: ApiKeyRow; key: string } {
  const id = randomId();
  const secret = randomBytes(32).toString('base64url');
  return {
    key: `${API_KEY_PREFIX}${id}_${secret}`,
    row: {
      id,
      secret_hash: sha256(secret).toString('hex'),
      user: input.user,
      org: input.org ?? null,
      roles: JSON.stringify(input.roles),
      created_at: new Date().toISOString(),
      revoked_at: null,
      description: input.description ?? null,
    },
  };
}

export function toInfo(row: ApiKeyRow): ApiKeyInfo {
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

interface ActiveKey {
  secretHash: Buffer;
  principal: Principal;
}

function activeKeyOf(row: ApiKeyRow | undefined): ActiveKey | undefined {
  if (row === undefined || row.revoked_at !== null) return undefined;
  return { secretHash: Buffer.from(row.secret_hash, 'hex'), principal: keyPrincipal(toInfo(row)) };
}

/** Checks a presented secret against the key found (or none), taking the same time either way. */
function principalIfMatches(key: ActiveKey | undefined, secret: string): Principal | undefined {
  // Hash and compare even when there is no key, so timing does not tell which ids exist.
  const presented = sha256(secret);
  const matches = timingSafeEqual(presented, key?.secretHash ?? presented);
  return key !== undefined && matches ? key.principal : undefined;
}

/** The id and secret of a well-formed key, or undefined. */
export function parseKey(token: string): { id: string; secret: string } | undefined {
  const match = KEY_PATTERN.exec(token);
  if (!match) return undefined;
  const [, id = '', secret = ''] = match;
  return { id, secret };
}

/**
 * The per-process cache of looked-up keys: id → the active key (undefined: unknown or revoked)
 * and when it was read. A failed lookup (database unreachable) is not cached.
 */
export class KeyCache {
  private readonly entries = new Map<string, { key: ActiveKey | undefined; at: number }>();
  private readonly ms: number;

  constructor(ms: number = KEY_CACHE_MS) {
    this.ms = ms;
  }

  forget(id: string): void {
    this.entries.delete(id);
  }

  private fresh(id: string, now: number): { key: ActiveKey | undefined } | undefined {
    const cached = this.entries.get(id);
    return cached !== undefined && now - cached.at < this.ms ? cached : undefined;
  }

  private remember(id: string, row: ApiKeyRow | undefined, now: number): ActiveKey | undefined {
    const key = activeKeyOf(row);
    if (this.entries.size >= 100_000) this.entries.clear();
    this.entries.set(id, { key, at: now });
    return key;
  }

  /** Synchronous lookups (the embedded database). */
  verifySync(token: string, lookup: (id: string) => ApiKeyRow | undefined): Principal | undefined {
    const parsed = parseKey(token);
    if (parsed === undefined) return undefined;
    const now = Date.now();
    const cached = this.fresh(parsed.id, now);
    const key = cached !== undefined ? cached.key : this.remember(parsed.id, lookup(parsed.id), now);
    return principalIfMatches(key, parsed.secret);
  }

  /** Asynchronous lookups (PostgreSQL); concurrent misses for one id share one query. */
  async verify(
    token: string,
    lookup: (id: string) => Promise<ApiKeyRow | undefined>,
  ): Promise<Principal | undefined> {
    const parsed = parseKey(token);
    if (parsed === undefined) return undefined;
    const cached = this.fresh(parsed.id, Date.now());
    const key = cached !== undefined ? cached.key : await this.lookupOnce(parsed.id, lookup);
    return principalIfMatches(key, parsed.secret);
  }

  private readonly inFlight = new Map<string, Promise<ActiveKey | undefined>>();

  private lookupOnce(
    id: string,
    lookup: (id: string) => Promise<ApiKeyRow | undefined>,
  ): Promise<ActiveKey | undefined> {
    let pending = this.inFlight.get(id);
    if (pending === undefined) {
      const started = Date.now();
      pending = lookup(id)
        .then((row) => this.remember(id, row, started))
        .finally(() => this.inFlight.delete(id));
      this.inFlight.set(id, pending);
    }
    return pending;
  }
}
