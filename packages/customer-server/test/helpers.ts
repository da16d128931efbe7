/**
 * Shared by the customer server's tests: an in-process sandbox with a pinned day, the server (or
 * its environment) pointed at it, a raw API client for checking answers against what the real
 * APIs say, and the expected answers computed straight from the seeded world — never from the
 * server's own code.
 */
import { createLogger, type DomainServer } from '@gatehouse/kit';
import { type RunningSandbox, startSandbox } from '@gatehouse/sandbox';
import { customerWorld } from '../../sandbox/src/seed/customers.ts';
import type { CustomerConfig } from '../src/config.ts';
import { createCustomerServer } from '../src/server.ts';

export const SEED = 20261121;
export const TODAY = '2026-11-21';
export const NOW = new Date(`${TODAY}T10:00:00Z`);
export const TOKEN = 'sandbox-token';

export function world() {
  return customerWorld(SEED, NOW);
}

export function customerSandbox(): Promise<RunningSandbox> {
  return startSandbox({ port: 0, seed: SEED, now: NOW, only: ['hubspot', 'intercom', 'chargeover'] });
}

export function configFor(sandbox: RunningSandbox, timeoutMs = 5_000): CustomerConfig {
  return {
    hubspot: { baseUrl: sandbox.baseUrls.hubspot ?? '', token: TOKEN },
    intercom: { baseUrl: sandbox.baseUrls.intercom ?? '', token: TOKEN },
    chargeover: {
      baseUrl: sandbox.baseUrls.chargeover ?? '',
      publicKey: 'northwind-public',
      privateKey: TOKEN,
    },
    timeoutMs,
    today: TODAY,
  };
}

export function envFor(sandbox: RunningSandbox): Record<string, string> {
  return {
    HUBSPOT_BASE_URL: sandbox.baseUrls.hubspot ?? '',
    HUBSPOT_TOKEN: TOKEN,
    INTERCOM_BASE_URL: sandbox.baseUrls.intercom ?? '',
    INTERCOM_TOKEN: TOKEN,
    CHARGEOVER_BASE_URL: `${sandbox.baseUrls.chargeover ?? ''}/api/v3`,
    CHARGEOVER_PUBLIC_KEY: 'northwind-public',
    CHARGEOVER_PRIVATE_KEY: TOKEN,
    GATEHOUSE_TODAY: TODAY,
  };
}

export function serverFor(
  sandbox: RunningSandbox,
  options: { timeoutMs?: number; fetch?: typeof fetch } = {},
): DomainServer {
  return createCustomerServer(configFor(sandbox, options.timeoutMs), {
    logger: createLogger('customer-test', 'silent'),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

// biome-ignore lint/suspicious/noExplicitAny: tests read JSON answers field by field
export type Json = Record<string, any>;

/** Calls the sandbox directly, as a native connector would. */
export async function raw(sandbox: RunningSandbox, path: string, body?: unknown): Promise<Json> {
  const response = await fetch(`${sandbox.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return (await response.json()) as Json;
}

export interface ExpectedRenewal {
  companyId: string;
  company: string;
  dealId: string;
  amount: number;
  closeDate: string;
  owner: string;
  unresolved: number;
  subjects: string[];
}

/** Open renewals closing in [start, end) of the tier with at least `min` open or snoozed conversations. */
export function expectedAtRisk(
  quarter: { start: Date; end: Date },
  tier: string | undefined,
  min: number,
): ExpectedRenewal[] {
  const w = world();
  const companies = new Map(w.companies.map((c) => [c.id, c]));
  const owners = new Map(w.owners.map((o) => [o.id, `${o.firstName} ${o.lastName}`]));
  return w.deals
    .filter((d) => d.kind === 'renewal' && d.stage !== 'closedwon' && d.stage !== 'closedlost')
    .filter((d) => d.closeDate >= quarter.start && d.closeDate < quarter.end)
    .filter((d) => tier === undefined || companies.get(d.companyId)?.tier === tier)
    .map((d) => {
      const open = w.conversations.filter((c) => c.companyId === d.companyId && c.state !== 'closed');
      return {
        companyId: d.companyId,
        company: companies.get(d.companyId)?.name ?? '',
        dealId: d.id,
        amount: d.amount,
        closeDate: d.closeDate.toISOString().slice(0, 10),
        owner: owners.get(d.ownerId) ?? '',
        unresolved: open.length,
        subjects: open.map((c) => c.subject).sort(),
      };
    })
    .filter((r) => r.unresolved >= min);
}
