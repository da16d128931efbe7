/**
 * The demo's keys, one per role, kept across restarts so a configured client (the Claude Desktop
 * snippet) keeps working. They are ordinary API keys — the database holds only their hashes — and
 * the demo also keeps the keys themselves in `demo-keys.json` (mode 0600) next to the database, so
 * it can print them again. A saved key that no longer verifies (revoked, or the database was
 * replaced) is replaced; `rotate` replaces them all. Any other active demo key is revoked, so only
 * the printed keys work.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ApiKeyInfo } from '../auth/api-keys.ts';
import { SqliteApiKeys } from '../auth/api-keys-sqlite.ts';

export const DEMO_ROLES = ['sales', 'support', 'finance', 'sre', 'admin'] as const;
export type DemoRole = (typeof DEMO_ROLES)[number];
const DEMO_KEY_DESCRIPTION = 'gatehouse demo principal';
export const DEMO_KEYS_FILE = 'demo-keys.json';

export interface DemoKey {
  key: string;
  info: ApiKeyInfo;
}

export interface DemoKeys {
  keys: Map<DemoRole, DemoKey>;
  /** What happened: every saved key kept, some or all created, or all replaced on request. */
  outcome: 'kept' | 'created' | 'rotated';
  /** The roles given a new key this time (none when every saved key was kept). */
  created: DemoRole[];
  /** Where the keys themselves are kept. */
  file: string;
}

export function demoKeysFile(storagePath: string): string {
  return join(dirname(storagePath), DEMO_KEYS_FILE);
}

/** The saved keys by role; an absent or unreadable file is no saved keys. */
function readSavedKeys(file: string): Partial<Record<DemoRole, string>> {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Partial<Record<DemoRole, string>>) : {};
  } catch {
    return {};
  }
}

/** Writes the file readable by its owner only (also when it existed with a looser mode). */
function saveKeys(file: string, keys: Map<DemoRole, DemoKey>): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  const body = Object.fromEntries([...keys].map(([role, demo]) => [role, demo.key]));
  writeFileSync(temporary, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}

/** The saved key for `role`, when it still verifies as a demo key for that role. */
function stillValid(store: SqliteApiKeys, role: DemoRole, key: string | undefined): DemoKey | undefined {
  if (typeof key !== 'string') return undefined;
  const principal = store.verify(key);
  if (principal === undefined || principal.roles.join() !== role) return undefined;
  const info = store.list().find((k) => `key:${k.id}` === principal.id);
  return info?.description === DEMO_KEY_DESCRIPTION ? { key, info } : undefined;
}

/** Keeps the saved demo keys that still work and creates the missing ones (all of them with `rotate`). */
export function ensureDemoKeys(storagePath: string, options: { rotate: boolean }): DemoKeys {
  const file = demoKeysFile(storagePath);
  const store = new SqliteApiKeys(storagePath, { cacheMs: 0 });
  try {
    const saved = options.rotate ? {} : readSavedKeys(file);
    const keys = new Map<DemoRole, DemoKey>();
    for (const role of DEMO_ROLES) {
      const kept = stillValid(store, role, saved[role]);
      if (kept !== undefined) keys.set(role, kept);
    }
    if (keys.size === DEMO_ROLES.length) {
      chmodSync(file, 0o600);
      return { keys, outcome: 'kept', created: [], file };
    }
    const keptIds = new Set([...keys.values()].map((k) => k.info.id));
    for (const info of store.list()) {
      if (info.description === DEMO_KEY_DESCRIPTION && !keptIds.has(info.id)) store.revoke(info.id);
    }
    const created = DEMO_ROLES.filter((role) => !keys.has(role));
    for (const role of created) {
      keys.set(
        role,
        store.create({ user: role, org: 'northwind', roles: [role], description: DEMO_KEY_DESCRIPTION }),
      );
    }
    // The file lists the roles in one order, whichever keys were kept.
    const ordered = new Map(DEMO_ROLES.map((role) => [role, keys.get(role) as DemoKey]));
    saveKeys(file, ordered);
    return { keys: ordered, outcome: options.rotate ? 'rotated' : 'created', created, file };
  } finally {
    store.close();
  }
}
