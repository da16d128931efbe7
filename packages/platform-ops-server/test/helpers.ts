/**
 * Shared test setup: the sandbox (platform API only) pinned to a fixed "now", a platform-ops
 * server pointed at it through the kit's test client, and a direct reader of the sandbox's
 * action log to check what really happened.
 */
import { fileURLToPath } from 'node:url';
import { createLogger, type DomainServer } from '@gatehouse/kit';
import { type TestClient, testClient } from '@gatehouse/kit/testing';
import { type RunningSandbox, startSandbox } from '@gatehouse/sandbox';
import { createPlatformOpsServer } from '../src/server.ts';

export const TODAY = '2026-11-21';
export const NOW = new Date(`${TODAY}T00:00:00Z`);
export const TOKEN = 'sandbox-token';
export const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

export const SRE = { id: 'key:sre-dana', user: 'dana', org: 'northwind', roles: ['sre'] };

export interface World {
  sandbox: RunningSandbox;
  server: DomainServer;
  client: TestClient;
  /** The sandbox's action log, newest first. */
  events(
    service?: string,
  ): Promise<{ type: string; service: string; requested_by: string; reason: string }[]>;
  close(): Promise<void>;
}

export async function startWorld(
  options: {
    caller?: typeof SRE | null;
    maxAttempts?: number;
    breakerFailures?: number;
    now?: () => number;
  } = {},
): Promise<World> {
  const sandbox = await startSandbox({ port: 0, now: NOW, only: ['platform'], tokens: [TOKEN] });
  const base = sandbox.baseUrls.platform ?? '';
  const server = createPlatformOpsServer(
    {
      baseUrl: base,
      token: TOKEN,
      timeoutMs: 5_000,
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
      ...(options.breakerFailures === undefined ? {} : { breakerFailures: options.breakerFailures }),
      now: options.now ?? (() => NOW.getTime()),
    },
    createLogger('platform-ops-test', 'silent'),
  );
  const caller = options.caller === undefined ? SRE : options.caller;
  const client = await testClient(server, caller === null ? {} : { caller });
  return {
    sandbox,
    server,
    client,
    async events(service) {
      const url = new URL(`${base}/v1/events`);
      if (service !== undefined) url.searchParams.set('service', service);
      const response = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
      return ((await response.json()) as { data: Awaited<ReturnType<World['events']>> }).data;
    },
    async close() {
      await client.close();
      await server.close();
      await sandbox.close();
    },
  };
}

/** Environment for running `src/main.ts` as a process against the sandbox. */
export function serverEnv(sandbox: RunningSandbox): Record<string, string> {
  return {
    PLATFORM_BASE_URL: sandbox.baseUrls.platform ?? '',
    PLATFORM_TOKEN: TOKEN,
    GATEHOUSE_TODAY: TODAY,
    LOG_LEVEL: 'warn',
  };
}

/** Tool outputs read field by field in assertions (their shape is checked by the server's schemas). */
// biome-ignore lint/suspicious/noExplicitAny: assertions walk JSON results
export type Loose = any;
