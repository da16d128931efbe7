/**
 * The demo's reference product: Lantern (packages/lantern) on its own ports, its database in the
 * demo's data directory, started before the gateway because the gateway's `lantern` upstream — the
 * product's external MCP server — calls its REST API. What the demo keeps across restarts, beside
 * the gateway's keys:
 *
 * - `lantern-users.json`: the seeded users' passwords, made once (random) so the banner can show
 *   them at every start;
 * - `lantern-upstream-token`: the API token of the Lantern user the gateway's upstream acts as,
 *   re-issued when it no longer works (e.g. after the database was deleted).
 *
 * - `lantern-automation-key`: the gateway key of Lantern's AgenticOps automation (role
 *   `automation`), re-made when it no longer verifies.
 *
 * The built-in chat is on when LANTERN_CHAT_PROVIDER names a provider (LANTERN_CHAT_BASE_URL,
 * LANTERN_CHAT_MODEL, and the provider's usual key variable); it then reaches the gateway with the
 * demo keys: Lantern's responders as `sre`, its admins as `admin`, its viewers as `support`.
 *
 * The automation (the health watch) checks the platform through the gateway every
 * LANTERN_AUTOMATION_INTERVAL seconds (default 300; 0 turns it off); the demo runs it once as soon
 * as the gateway is ready (runFirstAutomation).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ActionState,
  type ChatConfig,
  GATEWAY_UPSTREAM_USER,
  type RunningLantern,
  type RunReport,
  SEED_USERS,
  startLantern,
} from '@gatehouse/lantern';
import { SqliteApiKeys } from '../auth/api-keys-sqlite.ts';
import type { DemoKeys } from './demo-keys.ts';

export interface DemoLantern {
  readonly lantern: RunningLantern;
  /** Email → password, when the demo knows them (it made the database). */
  readonly passwords: Readonly<Record<string, string>> | undefined;
  /** Why the chat is off, or the model it talks to. */
  readonly chat: string;
  /** What the automation does, when it is on. */
  readonly automation: string;
  /** Lantern's database file. */
  readonly database: string;
}

export interface DemoLanternOptions {
  dataDir: string;
  host: string;
  port: number;
  internalPort: number;
  /** The gateway's MCP URL (the chat's way to the domain servers). */
  gatewayUrl: string;
  /** The gateway's database (the automation's key is made there). */
  storagePath: string;
  keys: DemoKeys;
  env?: NodeJS.ProcessEnv;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The passwords the seed uses: the ones saved earlier, or new random ones (saved now). */
function demoPasswords(file: string): Record<string, string> {
  const saved = readJson(file) as Record<string, string> | undefined;
  if (saved !== undefined && SEED_USERS.every((u) => typeof saved[u.email] === 'string')) return saved;
  const made = Object.fromEntries(SEED_USERS.map((u) => [u.email, randomBytes(9).toString('base64url')]));
  writeFileSync(file, `${JSON.stringify(made, null, 2)}\n`, { mode: 0o600 });
  return made;
}

function chatConfig(options: DemoLanternOptions, env: NodeJS.ProcessEnv): ChatConfig | undefined {
  const provider = env.LANTERN_CHAT_PROVIDER;
  if (provider === undefined || provider === '') return undefined;
  const key = (role: 'sre' | 'admin' | 'support') => options.keys.keys.get(role)?.key;
  const keys = Object.fromEntries(
    [
      ['responder', key('sre')],
      ['admin', key('admin')],
      ['viewer', key('support')],
    ].filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return {
    provider,
    ...(env.LANTERN_CHAT_BASE_URL ? { baseUrl: env.LANTERN_CHAT_BASE_URL } : {}),
    ...(env.LANTERN_CHAT_MODEL ? { model: env.LANTERN_CHAT_MODEL } : {}),
    env,
    gateway: { url: options.gatewayUrl, keys },
  };
}

const AUTOMATION_ROLE = 'automation';
const AUTOMATION_KEY_DESCRIPTION = 'lantern automation';

/** The automation's gateway key: the saved one while it verifies for its role, else a new one (saved). */
function automationKey(storagePath: string, file: string): string {
  const store = new SqliteApiKeys(storagePath, { cacheMs: 0 });
  try {
    const saved = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
    if (saved !== '' && store.verify(saved)?.roles.join() === AUTOMATION_ROLE) return saved;
    for (const info of store.list())
      if (info.description === AUTOMATION_KEY_DESCRIPTION) store.revoke(info.id);
    const made = store.create({
      user: 'lantern-health-watch',
      org: 'northwind',
      roles: [AUTOMATION_ROLE],
      description: AUTOMATION_KEY_DESCRIPTION,
    });
    writeFileSync(file, `${made.key}\n`, { mode: 0o600 });
    return made.key;
  } finally {
    store.close();
  }
}

function automationIntervalMs(env: NodeJS.ProcessEnv): number {
  const raw = env.LANTERN_AUTOMATION_INTERVAL ?? '300';
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 0) {
    throw new Error(
      `LANTERN_AUTOMATION_INTERVAL must be whole seconds (0 turns the automation off), found ${raw}`,
    );
  }
  return seconds * 1000;
}

/** The upstream's token: the saved one while it works, else a new one (saved). */
async function upstreamToken(lantern: RunningLantern, file: string): Promise<string> {
  const saved = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  if (saved !== '' && (await lantern.core.accounts.userForToken(saved)) !== undefined) return saved;
  const user = await lantern.core.accounts.userByEmail(GATEWAY_UPSTREAM_USER);
  if (user === undefined)
    throw new Error(`Lantern has no user ${GATEWAY_UPSTREAM_USER}; delete its database to reseed`);
  const issued = await lantern.core.accounts.issueToken(
    { kind: 'user', user, via: 'web' },
    'gatehouse demo upstream',
  );
  writeFileSync(file, `${issued.token}\n`, { mode: 0o600 });
  return issued.token;
}

/** The file the gateway's `lantern` upstream reads its token from (LANTERN_TOKEN_FILE in the config). */
export const UPSTREAM_TOKEN_FILE = 'lantern-upstream-token';

/** Starts Lantern and points the gateway's `lantern` upstream at it (LANTERN_URL; the token file). */
export async function startDemoLantern(options: DemoLanternOptions): Promise<DemoLantern> {
  const env = options.env ?? process.env;
  const database = join(options.dataDir, 'lantern.db');
  const passwordsFile = join(options.dataDir, 'lantern-users.json');
  const newDatabase = !existsSync(database);
  const seedPasswords = newDatabase || existsSync(passwordsFile) ? demoPasswords(passwordsFile) : undefined;
  const chat = chatConfig(options, env);
  const intervalMs = automationIntervalMs(env);
  const automation =
    intervalMs === 0
      ? undefined
      : {
          gateway: {
            url: options.gatewayUrl,
            key: automationKey(options.storagePath, join(options.dataDir, 'lantern-automation-key')),
          },
          org: 'northwind',
          intervalMs,
        };
  const lantern = await startLantern({
    ...(automation === undefined ? {} : { automation }),
    database,
    host: options.host,
    port: options.port,
    internal: { host: options.host, port: options.internalPort },
    ...(seedPasswords === undefined ? {} : { seedPasswords }),
    ...(chat === undefined ? {} : { chat }),
  });
  try {
    process.env.LANTERN_URL = lantern.url;
    await upstreamToken(lantern, join(options.dataDir, UPSTREAM_TOKEN_FILE));
  } catch (error) {
    await lantern.close();
    throw error;
  }
  return {
    lantern,
    database,
    passwords: seedPasswords,
    chat:
      lantern.chat === undefined
        ? 'off (set LANTERN_CHAT_PROVIDER=openai|anthropic, LANTERN_CHAT_BASE_URL, LANTERN_CHAT_MODEL)'
        : lantern.chat.modelLabel,
    automation:
      lantern.automation === undefined
        ? 'off (LANTERN_AUTOMATION_INTERVAL=0)'
        : `${lantern.automation.identity} checks the platform through the gateway every ${intervalMs / 1000} s`,
  };
}

/** The automation's first run (once the gateway is ready): one line on what it did. */
export async function runFirstAutomation(demo: DemoLantern): Promise<string | undefined> {
  const watch = demo.lantern.automation;
  if (watch === undefined) return undefined;
  return automationSummary(await watch.runOnce());
}

/** What each state of an action is called in the summary line. */
const ACTION_STATES: [ActionState, string][] = [
  ['awaiting-approval', 'awaiting approval'],
  ['executed', 'carried out after approval'],
  ['denied', 'refused by an approver'],
  ['failed', 'failed'],
];

/**
 * One line on a run: services checked, incidents opened, and the actions that need an approval by
 * where they stand — an approval decided before this run is carried out (or refused) in it.
 */
export function automationSummary(report: RunReport): string {
  const opened = report.opened.map((o) => `${o.ref} (${o.service}, ${o.severity})`);
  const actions = ACTION_STATES.flatMap(([state, label]) => {
    const named = report.actions
      .filter((a) => a.state === state && a.approvalId !== undefined)
      .map((a) => `${a.approvalId} (${a.tool} for ${a.ref})`);
    return named.length > 0 ? [`${label}: ${named.join(', ')}`] : [];
  });
  return [
    `checked ${report.checked.length} services`,
    opened.length > 0 ? `opened ${opened.join(', ')}` : 'opened no incident',
    ...actions,
    ...(report.failures.length > 0
      ? [`${report.failures.length} step(s) failed: ${report.failures[0]?.message}`]
      : []),
  ].join('; ');
}
