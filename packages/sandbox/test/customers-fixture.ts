/** Shared by the customer sandbox tests: a sandbox with the three customer services and a JSON caller. */
import { createSandboxApp, type SandboxApp } from '../src/app.ts';

export const NOW = new Date('2026-11-21T09:30:00Z');
export const SEED = 20261121;
export const BEARER = { authorization: 'Bearer sandbox-token', 'content-type': 'application/json' };
export const BASIC = {
  authorization: `Basic ${Buffer.from('northwind-public:sandbox-token').toString('base64')}`,
};

// biome-ignore lint/suspicious/noExplicitAny: tests read JSON answers field by field
export type Json = Record<string, any>;

export function customerSandbox(seed = SEED, now = NOW): SandboxApp {
  return createSandboxApp({ seed, now, only: ['hubspot', 'intercom', 'chargeover'] });
}

export async function call(
  sandbox: SandboxApp,
  path: string,
  body?: unknown,
  headers: Record<string, string> = BEARER,
): Promise<{ status: number; body: Json }> {
  const response = await sandbox.app.request(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Json };
}
