/**
 * `gatehouse demo`: the newcomer's one command. Starts the sandbox (loopback stand-ins for the
 * CRM, support desk, billing, weather and platform APIs), then the gateway with the demo
 * configuration — the five domain servers as stdio children, embedded storage — and creates one
 * API key per demo role (earlier demo keys are revoked, so only the printed ones work). Prints
 * the MCP URL, each role's key and what each role can see, and a Claude Desktop snippet.
 *
 *   gatehouse demo [--config examples/demo/gatehouse.yaml] [--port N] [--sandbox-port N]
 */
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type RunningSandbox, startSandbox } from '@gatehouse/sandbox';
import { approvalNeed } from '../approvals/approval-call.ts';
import { type ApiKeyInfo, ApiKeyStore, keyPrincipal } from '../auth/api-keys.ts';
import { formatIssue, loadConfigFile } from '../config/load.ts';
import type { GatewayModel } from '../config/model.ts';
import type { Gateway } from '../gateway.ts';
import { decide } from '../policy/decide.ts';
import { serve } from './serve.ts';
import { CliUsageError } from './usage.ts';

export const DEMO_ROLES = ['sales', 'support', 'finance', 'sre', 'admin'] as const;
const DEMO_KEY_DESCRIPTION = 'gatehouse demo principal';
const BIN = fileURLToPath(new URL('../../bin/gatehouse.mjs', import.meta.url));

async function sandboxOn(port: number): Promise<RunningSandbox> {
  try {
    return await startSandbox({ port });
  } catch (error) {
    if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
    process.stderr.write(`gatehouse demo: port ${port} is taken; the sandbox takes a free one\n`);
    return startSandbox({ port: 0 });
  }
}

function loadDemoConfig(file: string, port: string | undefined): GatewayModel {
  const loaded = loadConfigFile(file);
  if (!loaded.ok) throw new CliUsageError(loaded.issues.map(formatIssue).join('\n'));
  const model = loaded.model;
  const missing = DEMO_ROLES.filter((role) => model.policy.roles[role] === undefined);
  if (missing.length > 0) throw new CliUsageError(`${file} defines no role(s) ${missing.join(', ')}`);
  if (port !== undefined) model.server.port = Number(port);
  return model;
}

type DemoKey = { key: string; info: ApiKeyInfo };

/** Revokes earlier demo keys and creates one per role. */
function demoKeys(model: GatewayModel): Map<string, DemoKey> {
  const store = new ApiKeyStore(model.storage.path);
  try {
    for (const info of store.list()) if (info.description === DEMO_KEY_DESCRIPTION) store.revoke(info.id);
    const keys = new Map<string, DemoKey>();
    for (const role of DEMO_ROLES) {
      const user = role;
      keys.set(
        role,
        store.create({ user, org: 'northwind', roles: [role], description: DEMO_KEY_DESCRIPTION }),
      );
    }
    return keys;
  } finally {
    store.close();
  }
}

function roleSummary(gateway: Gateway, role: string, demo: DemoKey): string {
  const principal = keyPrincipal(demo.info);
  const tools = gateway.view.tools(principal);
  const names = tools.map((r) => r.item.name);
  // What policy (or a destructive annotation) puts behind a human approval, as a call would find it.
  const approved = tools
    .filter((r) => {
      const decision = decide(gateway.model.policy, principal.roles, { kind: 'tool', name: r.item.name });
      return approvalNeed(decision, r.item, gateway.model.approvals) !== null;
    })
    .map((r) => r.item.name);
  const approvals = approved.length === 0 ? '' : `\n           with approval: ${approved.join(', ')}`;
  return `  ${role.padEnd(8)} ${demo.key}\n           ${names.length} tools: ${names.join(', ')}${approvals}`;
}

function desktopSnippet(url: string, key: string): string {
  const config = {
    mcpServers: {
      gatehouse: {
        command: process.execPath,
        args: [BIN, 'connect', '--url', url],
        env: { GATEHOUSE_API_KEY: key },
      },
    },
  };
  return JSON.stringify(config, null, 2);
}

export async function demoCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string', short: 'c', default: 'examples/demo/gatehouse.yaml' },
      port: { type: 'string', short: 'p' },
      'sandbox-port': { type: 'string', default: process.env.GATEHOUSE_SANDBOX_PORT ?? '7300' },
    },
    strict: true,
  });
  const sandbox = await sandboxOn(Number(values['sandbox-port']));
  process.env.GATEHOUSE_SANDBOX_URL = sandbox.url;
  const model = loadDemoConfig(values.config, values.port);
  const keys = demoKeys(model);
  const { gateway, url } = await serve(model, {
    configFile: values.config,
    overrides: (m) => {
      if (values.port !== undefined) m.server.port = Number(values.port);
    },
  });
  process.once('exit', () => void sandbox.close());
  await gateway.settled(60_000);
  const dataDir = dirname(resolve(model.storage.path));
  const salesKey = keys.get('sales')?.key ?? '';
  const snippet = desktopSnippet(url, salesKey);
  writeFileSync(join(dataDir, 'claude_desktop_config.json'), `${snippet}\n`, { mode: 0o600 });
  const down = gateway.upstreams.filter((u) => u.state !== 'ready').map((u) => u.name);
  const lines = [
    '',
    'Gatehouse demo is running.',
    `  MCP endpoint   ${url}`,
    `  Sandbox        ${sandbox.url}  (${sandbox.services.map((s) => s.name).join(', ')})`,
    `  Readiness      ${new URL('/readyz', url)}    Metrics ${new URL('/metrics', url)}`,
    ...(down.length > 0 ? [`  Not ready yet  ${down.join(', ')}`] : []),
    '',
    'Demo principals (new keys on every start; earlier demo keys are revoked):',
    ...[...keys].map(([role, demo]) => roleSummary(gateway, role, demo)),
    '',
    'Try it with the MCP Inspector:',
    `  npx @modelcontextprotocol/inspector --cli ${url} --transport http --header "Authorization: Bearer ${salesKey}" --method tools/list`,
    `Claude Desktop (claude_desktop_config.json; also written to ${join(dataDir, 'claude_desktop_config.json')}):`,
    snippet,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
