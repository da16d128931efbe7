/**
 * The world Lantern starts with, once, into an empty database: Northwind Outfitters (the company
 * the sandbox and the domain servers describe, with the twelve services of its platform catalog)
 * and a second tenant, Contoso, whose data no Northwind user may ever see; an admin, a responder
 * and a viewer at Northwind, a responder at Contoso, an operator of Lantern itself, and the
 * responder whose token the gateway's `lantern` upstream holds; and a
 * history of incidents (mostly resolved, so analytics have something to measure).
 *
 * Passwords are given by the caller (the demo makes random ones and prints them).
 */
import { Accounts } from '../domain/accounts.ts';
import type { Clock } from '../domain/ids.ts';
import { iso, newId } from '../domain/ids.ts';
import type { Role } from '../domain/permissions.ts';
import type { Sql } from './sql.ts';

export const SEED_USERS: readonly { email: string; name: string; orgId: string; role: Role }[] = [
  { email: 'alice@northwind.example', name: 'Alice Admin', orgId: 'northwind', role: 'admin' },
  { email: 'bob@northwind.example', name: 'Bob Responder', orgId: 'northwind', role: 'responder' },
  { email: 'carol@northwind.example', name: 'Carol Viewer', orgId: 'northwind', role: 'viewer' },
  { email: 'dave@contoso.example', name: 'Dave Responder', orgId: 'contoso', role: 'responder' },
  { email: 'olivia@lantern.example', name: 'Olivia Operator', orgId: 'lantern', role: 'operator' },
  // The user whose token the gateway's `lantern` upstream (the external MCP server) holds.
  { email: 'gatehouse@northwind.example', name: 'Gatehouse upstream', orgId: 'northwind', role: 'responder' },
];

const ORGS = [
  ['northwind', 'Northwind Outfitters'],
  ['contoso', 'Contoso Ltd'],
  ['lantern', 'Lantern operations'],
] as const;

const SERVICES: Record<string, readonly [name: string, team: string, tier: number][]> = {
  northwind: [
    ['checkout-api', 'storefront', 1],
    ['payments-gateway', 'payments', 1],
    ['inventory-service', 'fulfilment', 1],
    ['search-api', 'storefront', 1],
    ['auth-service', 'identity', 1],
    ['order-events', 'fulfilment', 1],
    ['web-frontend', 'storefront', 1],
    ['ledger-db', 'platform', 1],
    ['notifications-worker', 'fulfilment', 2],
    ['billing-sync', 'payments', 2],
    ['media-cdn', 'platform', 2],
    ['recommendations', 'data', 3],
  ],
  contoso: [
    ['crm-portal', 'sales-eng', 1],
    ['invoice-service', 'finance-eng', 1],
    ['report-builder', 'analytics', 2],
  ],
};

/** [org, days ago opened, hours to resolve (null: still open), service, severity, title]. */
const HISTORY: readonly [string, number, number | null, string, string, string][] = [
  ['northwind', 41, 3.5, 'payments-gateway', 'sev2', 'Card authorisations timing out at Adyen'],
  ['northwind', 33, 1.2, 'search-api', 'sev3', 'Facet counts wrong after reindex'],
  ['northwind', 27, 6.0, 'checkout-api', 'sev1', 'Checkout returning 502 for a third of carts'],
  ['northwind', 19, 0.8, 'auth-service', 'sev2', 'JWKS rotation left stale key in caches'],
  ['northwind', 12, 2.4, 'notifications-worker', 'sev3', 'Shipping emails delayed by two hours'],
  ['northwind', 6, 4.1, 'checkout-api', 'sev2', 'Elevated 5xx after release 2024.11.3'],
  ['northwind', 2, null, 'search-api', 'sev3', 'Search p99 above 400 ms target'],
  ['contoso', 20, 5.0, 'invoice-service', 'sev2', 'Invoice PDFs missing line items'],
  ['contoso', 4, null, 'crm-portal', 'sev1', 'CRM portal login loop for SSO users'],
];

export interface SeedOptions {
  /** Password per seeded user's email. */
  passwords: Readonly<Record<string, string>>;
  clock: Clock;
}

/** Seeds an empty database; does nothing when orgs already exist. Returns whether it seeded. */
export async function seedIfEmpty(sql: Sql, options: SeedOptions): Promise<boolean> {
  const existing = await sql.one('SELECT id FROM orgs LIMIT 1');
  if (existing !== undefined) return false;
  await sql.transaction(async (tx) => {
    for (const [id, name] of ORGS) await tx.run('INSERT INTO orgs (id, name) VALUES ($1, $2)', [id, name]);
    for (const [org, services] of Object.entries(SERVICES)) {
      for (const [name, team, tier] of services) {
        await tx.run('INSERT INTO services (org_id, name, team, tier) VALUES ($1, $2, $3, $4)', [
          org,
          name,
          team,
          tier,
        ]);
      }
    }
    const accounts = new Accounts(tx, options.clock);
    for (const user of SEED_USERS) {
      const password = options.passwords[user.email];
      if (password === undefined) throw new Error(`no seed password for ${user.email}`);
      await accounts.createUser({ ...user, password });
    }
    await seedHistory(tx, options.clock);
  });
  return true;
}

async function seedHistory(sql: Sql, clock: Clock): Promise<void> {
  const now = clock().getTime();
  const numbers = new Map<string, number>();
  for (const [org, daysAgo, hours, service, severity, title] of HISTORY) {
    const number = (numbers.get(org) ?? 0) + 1;
    numbers.set(org, number);
    await sql.run('UPDATE orgs SET incident_seq = $1 WHERE id = $2', [number, org]);
    const opened = iso(new Date(now - daysAgo * 86_400_000));
    const resolved = hours === null ? null : iso(new Date(now - daysAgo * 86_400_000 + hours * 3_600_000));
    await sql.run(
      `INSERT INTO incidents (id, org_id, number, title, service, severity, status, summary, opened_by, assignee,
                              created_at, updated_at, resolved_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, '', 'seed', NULL, $8, $9, $10)`,
      [
        newId('inc'),
        org,
        number,
        title,
        service,
        severity,
        resolved === null ? 'open' : 'resolved',
        opened,
        resolved ?? opened,
        resolved,
      ],
    );
  }
}
