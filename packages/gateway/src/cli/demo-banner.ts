/**
 * What the demo prints once everything is ready: the endpoint, each role's key and tools, an MCP
 * Inspector command that works as printed, and a Claude Desktop snippet.
 */
import { isAbsolute, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { approvalNeed } from '../approvals/approval-call.ts';
import { keyPrincipal } from '../auth/api-keys.ts';
import type { Gateway } from '../gateway.ts';
import { decide } from '../policy/decide.ts';
import type { DemoKey, DemoKeys } from './demo-keys.ts';
import type { DemoLantern } from './demo-lantern.ts';

const BIN = fileURLToPath(new URL('../../bin/gatehouse.mjs', import.meta.url));
/** Lantern's external MCP server, as a user's host would start it. */
const LANTERN_MCP = fileURLToPath(new URL('../../../lantern-mcp/src/main.ts', import.meta.url));

/**
 * The Inspector the printed command runs: the version the tests run (the root devDependency).
 * Inspector 2.x needs Node >= 22.19, and on an older Node npx would pick the newest release
 * without an engines field (0.15.0, whose --cli takes no URL options), so the command also brings
 * Node 24 from the npm registry for the Inspector to run on, whatever Node is on PATH.
 */
export const INSPECTOR_VERSION = '2.12.0';

export function inspectorCommand(url: string, key: string): string {
  return [
    `npx -y --loglevel=error -p node@24 -p @modelcontextprotocol/inspector@${INSPECTOR_VERSION}`,
    `mcp-inspector --cli ${url} --transport http --header "Authorization: Bearer ${key}" --method tools/list`,
  ].join(' ');
}

/** `gatehouse chat` as the sales role: the host asking the gateway in plain language. */
export function chatCommand(url: string, key: string): string {
  return `GATEHOUSE_API_KEY=${key} npx gatehouse chat --url ${url}`;
}

export function desktopSnippet(url: string, key: string): string {
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

/** A path as the user typed it: relative to the working directory when it is under it. */
export function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
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

function keysHeading(demo: DemoKeys): string {
  const kept =
    demo.outcome === 'kept'
      ? 'the same keys as last time'
      : demo.outcome === 'rotated'
        ? 'new keys, as asked; the earlier demo keys are revoked'
        : `new keys for ${demo.created.join(', ')}`;
  return `Demo principals (${kept}; kept across restarts in ${shownPath(demo.file)}; new ones with --rotate-keys):`;
}

export interface BannerInput {
  gateway: Gateway;
  url: string;
  sandbox: { url: string; services: readonly { name: string }[] };
  keys: DemoKeys;
  dataDir: string;
  logFile: string;
  snippetFile: string;
  lantern: DemoLantern;
}

/** Lantern's lines: where it is, who can sign in, its two MCP servers, its chat. */
function lanternLines(demo: DemoLantern, gatewayUrl: string): string[] {
  const { lantern } = demo;
  const users =
    demo.passwords === undefined
      ? [
          '    (the passwords were printed when its database was made; delete lantern.db in the data folder to reseed)',
        ]
      : Object.entries(demo.passwords)
          .filter(([email]) => !email.startsWith('gatehouse@'))
          .map(([email, password]) => `    ${email.padEnd(28)} ${password}`);
  const internal = lantern.internal;
  return [
    `Lantern, the reference product (incident desk; docs/lantern.md):`,
    `  Web UI + REST  ${lantern.url}    (API tokens on its "API tokens" page)`,
    '  Sign in as',
    ...users,
    `  External MCP   the gateway's "lantern" upstream (tools lantern_*); in your own host (docs/lantern.md), as Bob:`,
    `                 npx gatehouse lantern token --email bob@northwind.example --database ${shownPath(demo.database)}`,
    `                 LANTERN_URL=${lantern.url} LANTERN_TOKEN=<that token> ${process.execPath} ${LANTERN_MCP}`,
    ...(internal === undefined
      ? []
      : [
          `  Internal MCP   ${internal.url}/mcp/{${internal.components.join(',')}}  (loopback, service token only)`,
        ]),
    `  Built-in chat  ${demo.chat}`,
    `  AgenticOps     ${demo.automation}`,
    `                 its restarts and rollbacks wait for an admin: GATEHOUSE_API_KEY=<admin key> npx gatehouse approvals list --url ${gatewayUrl}`,
    "                 (an approved one is carried out at the automation's next check, above)",
  ];
}

export function demoBanner(input: BannerInput): string {
  const { gateway, url, keys } = input;
  const salesKey = keys.keys.get('sales')?.key ?? '';
  const down = gateway.upstreams.filter((u) => u.state !== 'ready').map((u) => u.name);
  const lines = [
    '',
    'Gatehouse demo is ready.',
    `  MCP endpoint   ${url}`,
    `  Sandbox        ${input.sandbox.url}  (${input.sandbox.services.map((s) => s.name).join(', ')})`,
    `  Readiness      ${new URL('/readyz', url)}    Metrics ${new URL('/metrics', url)}`,
    `  Console        ${new URL('/console', url)}  (sign in with the admin key below)`,
    `  Data           ${shownPath(input.dataDir)}    Log ${shownPath(input.logFile)}`,
    ...(down.length > 0 ? [`  Not ready yet  ${down.join(', ')} (see the log)`] : []),
    '',
    ...lanternLines(input.lantern, url),
    '',
    keysHeading(keys),
    ...[...keys.keys].map(([role, demo]) => roleSummary(gateway, role, demo)),
    '',
    `Try it with the MCP Inspector ${INSPECTOR_VERSION} (npx brings Node 24 for it):`,
    `  ${inspectorCommand(url, salesKey)}`,
    `Claude Desktop (claude_desktop_config.json; also written to ${shownPath(input.snippetFile)}):`,
    desktopSnippet(url, salesKey),
    'Ask in plain language (a model: ANTHROPIC_API_KEY, or --provider openai --base-url URL; docs/host.md):',
    `  ${chatCommand(url, salesKey)}`,
    '',
    'Press Ctrl+C to stop.',
    '',
  ];
  return `${lines.join('\n')}\n`;
}
