/**
 * The world of bench/dual-architecture.ts: one Lantern on a temporary SQLite file (seeded, plus a
 * history of incidents and notes so the answers have something to carry), an API token per seeded
 * user, and the two paths a user's question can take, each connected with the host library:
 *
 *   external  the host → Lantern's external MCP server as a real stdio process
 *             (node packages/lantern-mcp/src/main.ts, LANTERN_URL + the user's LANTERN_TOKEN)
 *             → Lantern's REST API, as the user
 *   internal  the host → Lantern's internal component servers over HTTP on their own loopback
 *             listener, with the service token and the user in each call's _meta — the very
 *             server configs the product's built-in chat uses (ChatService.serversFor)
 *
 * The built-in chat is configured only so that its `serversFor` can be asked; its own model is
 * never called (the bench plays both paths' turns through the same agent loop, dual-turns.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectToolSource, type McpToolSource, type ServerConfig } from '../../packages/host/src/index.ts';
import { SEED_USERS } from '../../packages/lantern/src/db/seed.ts';
import type { Actor, UserIdentity } from '../../packages/lantern/src/domain/permissions.ts';
import { type RunningLantern, startLantern } from '../../packages/lantern/src/server.ts';

export const EXTERNAL_MAIN = fileURLToPath(
  new URL('../../packages/lantern-mcp/src/main.ts', import.meta.url),
);

export const ALICE = 'alice@northwind.example';
export const BOB = 'bob@northwind.example';
export const CAROL = 'carol@northwind.example';
export const OLIVIA = 'olivia@lantern.example';
/** The users whose view of each path the bench lists: admin, responder, viewer, operator. */
export const LISTED_USERS = [ALICE, BOB, CAROL, OLIVIA] as const;

export type PathName = 'external' | 'internal';
export const PATHS: readonly PathName[] = ['external', 'internal'];

/** A random password per seeded user: nobody signs in here. */
function passwords(): Record<string, string> {
  return Object.fromEntries(SEED_USERS.map((u) => [u.email, `bench-${crypto.randomUUID()}`]));
}

const HISTORY_SERVICES = ['checkout-api', 'payments-gateway', 'search-api', 'auth-service', 'order-events'];
const SEVERITIES = ['sev2', 'sev3', 'sev3', 'sev4'] as const;

export interface DualWorld {
  readonly lantern: RunningLantern;
  /** Each seeded user's identity and API token. */
  readonly users: Readonly<Record<string, { identity: UserIdentity; token: string }>>;
  /** The external path as a user: a stdio lantern-mcp process with their token. */
  externalServer(email: string, token?: string): ServerConfig;
  /** The internal path as a user: the built-in chat's server configs for them. */
  internalServers(email: string): ServerConfig[];
  connect(path: PathName, email: string): Promise<McpToolSource>;
  close(): Promise<void>;
}

/**
 * Spreads history incident `i` over the last four weeks, resolved after ½–8 hours (the domain
 * stamps everything now; the seed writes its history the same way).
 */
async function backdate(lantern: RunningLantern, ref: string, i: number): Promise<void> {
  const opened = Date.now() - (1 + ((i * 7) % 27)) * 86_400_000 - (i % 5) * 3_600_000;
  const hours = 0.5 + ((i * 3) % 16) / 2;
  const number = Number(ref.replace(/^INC-/, ''));
  await lantern.core.sql.run(
    `UPDATE incidents SET created_at = $1,
            updated_at = CASE WHEN resolved_at IS NULL THEN $1 ELSE $2 END,
            resolved_at = CASE WHEN resolved_at IS NULL THEN NULL ELSE $2 END
      WHERE org_id = 'northwind' AND number = $3`,
    [new Date(opened).toISOString(), new Date(opened + hours * 3_600_000).toISOString(), number],
  );
}

/** `history` more incidents at Northwind over the last four weeks (one in four left open) and three notes on INC-3. */
async function addHistory(lantern: RunningLantern, bob: UserIdentity, history: number): Promise<void> {
  const actor: Actor = { kind: 'user', user: bob, via: 'web' };
  const incidents = lantern.core.incidents;
  for (let i = 0; i < history; i++) {
    const opened = await incidents.open(actor, {
      title: `Bench history incident ${i + 1}: elevated error rate`,
      service: HISTORY_SERVICES[i % HISTORY_SERVICES.length] as string,
      severity: SEVERITIES[i % SEVERITIES.length] as string,
      summary: 'Error rate above the SLO for ten minutes; paged the owning team.',
    } as Parameters<typeof incidents.open>[1]);
    if (i % 4 !== 0) await incidents.setStatus(actor, opened.ref, 'resolved');
    await backdate(lantern, opened.ref, i);
  }
  for (const body of [
    'Paged storefront on-call; 502s started at 14:02 after the config push.',
    'Rolled back the load balancer config; error rate back under 0.1%.',
    'Post-incident review booked for Thursday.',
  ]) {
    await incidents.addNote(actor, 'INC-3', body);
  }
}

export async function startDualWorld(options: { history: number }): Promise<DualWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-dual-'));
  const lantern = await startLantern({
    database: join(dir, 'lantern.db'),
    seedPasswords: passwords(),
    logError: () => {},
    // Only so that the chat's serversFor can be asked (never called: see the header).
    chat: { provider: 'openai', baseUrl: 'http://127.0.0.1:9/v1', model: 'unused', env: {} },
  });
  const users: Record<string, { identity: UserIdentity; token: string }> = {};
  try {
    for (const { email } of SEED_USERS) {
      const identity = await lantern.core.accounts.userByEmail(email);
      if (identity === undefined) throw new Error(`no seeded user ${email}`);
      const issued = await lantern.core.accounts.issueToken(
        { kind: 'user', user: identity, via: 'web' },
        'bench',
      );
      users[email] = { identity, token: issued.token };
    }
    await addHistory(lantern, users[BOB]?.identity as UserIdentity, options.history);
  } catch (error) {
    await lantern.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const user = (email: string) => {
    const found = users[email];
    if (found === undefined) throw new Error(`no seeded user ${email}`);
    return found;
  };
  const chat = lantern.chat;
  if (chat === undefined) throw new Error('Lantern started without its chat service');

  const world: DualWorld = {
    lantern,
    users,
    externalServer: (email, token) => ({
      name: 'lantern',
      type: 'stdio',
      command: process.execPath,
      args: [EXTERNAL_MAIN],
      env: { LANTERN_URL: lantern.url, LANTERN_TOKEN: token ?? user(email).token, LOG_LEVEL: 'warn' },
    }),
    internalServers: (email) => chat.serversFor(user(email).identity),
    connect: (path, email) =>
      connectToolSource({
        kind: 'servers',
        servers: path === 'external' ? [world.externalServer(email)] : world.internalServers(email),
      }),
    close: async () => {
      await lantern.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}
