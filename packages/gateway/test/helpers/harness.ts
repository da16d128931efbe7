/**
 * Test harness: an in-process gateway on a loopback port, fixture upstreams, and SDK clients of
 * either era. Everything goes through the front door (HTTP or stdio), as a real client would.
 */

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { makeTempDir } from '../../../../scripts/test-temp-dir.ts';
import { openAccess } from '../../src/access.ts';
import { loadConfigText } from '../../src/config/load.ts';
import type { GatewayModel } from '../../src/config/model.ts';
import { Gateway, type GatewayOptions } from '../../src/gateway.ts';
import { createLogger, silentLogger } from '../../src/observability/logger.ts';
import { listenHttp, type RunningHttp } from '../../src/transport/http-server.ts';

export const FIXTURE_SERVER = fileURLToPath(new URL('../fixtures/fixture-server.ts', import.meta.url));

export const FAULT_SERVER = fileURLToPath(new URL('../fixtures/fault-server.ts', import.meta.url));

/**
 * One stdio upstream running a TypeScript fixture `script` under this Node, with `env`; `extra`
 * is appended (more fields of the same upstream). A quick restart unless `extra` sets one.
 */
export function stdioUpstreamYaml(
  name: string,
  script: string,
  env: Record<string, string> = {},
  extra = '',
): string {
  const envLines = Object.entries(env)
    .map(([k, v]) => `      ${k}: ${JSON.stringify(v)}`)
    .join('\n');
  const restart = extra.includes('restart:') ? '' : '    restart: { initialDelayMs: 50, maxDelayMs: 200 }\n';
  return `  - name: ${name}
    transport: stdio
    command: ${JSON.stringify(process.execPath)}
    args: [${JSON.stringify(script)}]
    env:
${envLines}
${restart}${extra}`;
}

export function fixtureUpstreamYaml(name: string, env: Record<string, string> = {}, extra = ''): string {
  return stdioUpstreamYaml(name, FIXTURE_SERVER, { FIXTURE_NAME: name, ...env }, extra);
}

export function modelFromYaml(yaml: string): GatewayModel {
  const loaded = loadConfigText(yaml, 'test.yaml', process.env);
  if (!loaded.ok) throw new Error(loaded.issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  return loaded.model;
}

export interface TestGateway {
  gateway: Gateway;
  http: RunningHttp;
  url: string;
  close(): Promise<void>;
}

/**
 * Open access for tests that are about the protocol, not about policy: anonymous callers with a
 * role that may use everything. Added when the test's YAML has no `auth:` section of its own.
 */
export const OPEN_ACCESS_YAML = `auth:
  anonymous: { roles: [everyone] }
  stdio: { user: local, roles: [everyone] }
policy:
  groups:
    everything:
      allow: [{ tools: ["*"], resources: ["*"], prompts: ["*"] }]
  roles:
    everyone: { groups: [everything] }
`;

/** A fresh temp dir for one gateway's embedded database. */
export function tempStorage(): string {
  return join(makeTempDir('gatehouse-test-'), 'gatehouse.db');
}

/**
 * Starts a gateway on a free port. By default it serves once every upstream has settled its first
 * connection; `{ settle: false }` serves at once, as `gatehouse serve` does.
 */
export async function startGateway(
  yaml: string,
  options: GatewayOptions = {},
  { settle = true }: { settle?: boolean } = {},
): Promise<TestGateway> {
  const full = /^auth:/m.test(yaml) ? yaml : `${yaml}\n${OPEN_ACCESS_YAML}`;
  const withStorage = /^storage:/m.test(full)
    ? full
    : `${full}\nstorage: { path: ${JSON.stringify(tempStorage())} }\n`;
  const model = modelFromYaml(withStorage);
  model.server.port = 0;
  const log = process.env.GATEHOUSE_TEST_LOG ? createLogger(process.env.GATEHOUSE_TEST_LOG) : silentLogger();
  const gateway = new Gateway(model, log, await openAccess(model, log), options);
  await gateway.pins?.load();
  gateway.start();
  if (settle) await gateway.settled(20_000);
  const http = await listenHttp(gateway, model.server, log);
  return {
    gateway,
    http,
    url: http.url,
    async close() {
      await http.close();
      await gateway.stop();
    },
  };
}

export type ClientEra = 'legacy' | 'modern';

export async function connectClient(
  url: string,
  era: ClientEra,
  setup?: (client: Client) => void,
  capabilities: ConstructorParameters<typeof Client>[1] = {},
  headers: Record<string, string> = {},
): Promise<Client> {
  const client = new Client(
    { name: 'gatehouse-test', version: '1.0.0' },
    {
      ...capabilities,
      versionNegotiation: { mode: era === 'modern' ? { pin: '2026-07-28' } : 'legacy' },
    },
  );
  setup?.(client);
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export function textOf(result: { content?: unknown }): string {
  const content = (result.content ?? []) as { type: string; text?: string }[];
  return content.map((c) => c.text ?? '').join('');
}

export type ErrorShape = { code?: number; message?: string; data?: unknown };

/** The JSON-RPC error a promise rejects with; fails the test when it resolves. */
export async function errorOf(promise: Promise<unknown>): Promise<ErrorShape> {
  try {
    await promise;
  } catch (error) {
    const e = error as ErrorShape;
    return { code: e.code, message: e.message, data: e.data };
  }
  throw new Error('expected a rejection');
}

/**
 * How a tool call failed, whichever way the gateway said it: a JSON-RPC error, or an `isError`
 * result carrying `_meta["dev.gatehouse/error"]` (upstream failures and rate limits, for models).
 * `data` is the structured explanation; fails the test when the call succeeded.
 */
export async function toolFailure(promise: Promise<unknown>): Promise<ErrorShape & { isError: boolean }> {
  let result: { isError?: boolean; _meta?: Record<string, unknown>; content?: unknown };
  try {
    result = (await promise) as typeof result;
  } catch (error) {
    const e = error as ErrorShape;
    return { code: e.code, message: e.message, data: e.data, isError: false };
  }
  const explained = result._meta?.['dev.gatehouse/error'] as { code?: number } | undefined;
  if (result.isError !== true || explained === undefined) {
    throw new Error(`expected a failed call, got ${JSON.stringify(result).slice(0, 300)}`);
  }
  return { code: explained.code, message: textOf(result), data: explained, isError: true };
}
