/**
 * `gatehouse lantern` — the reference product's own commands:
 *
 *   lantern serve [--port 7400] [--host 127.0.0.1] [--database FILE|postgres://…]
 *                 [--internal-port 7401] [--internal-host 127.0.0.1]
 *                 [--internal-components incidents,analytics,operations] [--no-internal]
 *       runs the product until SIGTERM/SIGINT; on a new database, prints the seeded users'
 *       passwords once. The internal MCP server listens on its own (loopback) address; its service
 *       token is LANTERN_INTERNAL_TOKEN, or one generated for this process only
 *                 [--chat-provider openai|anthropic [--chat-base-url URL] [--chat-model M]
 *                  [--chat-gateway URL]]
 *       the built-in chat's model (its key from OPENAI_API_KEY / ANTHROPIC_API_KEY) and, with
 *       --chat-gateway, Gatehouse for the roles given a key (LANTERN_GATEWAY_KEY_<ROLE>)
 *                 [--automation-gateway URL [--automation-org ORG] [--automation-interval SECS]]
 *       the health watch (AgenticOps): service health through Gatehouse with the key in
 *       LANTERN_AUTOMATION_KEY, incidents in ORG (default northwind), every SECS (default 60)
 *   lantern token --email E [--label L] [--database …]
 *       issues an API token for a user (the REST API's, and so the external MCP server's) and
 *       prints it once
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  AUTOMATION_FLAGS,
  automationConfigFromFlags,
  describeAutomation,
} from './automation/automation-flags.ts';
import { CHAT_FLAGS, chatConfigFromFlags, describeChat } from './chat/chat-flags.ts';
import { LANTERN_USAGE } from './cli-usage.ts';
import { openCore } from './core.ts';
import { INTERNAL_TOKEN_ENV, type RunningInternal } from './internal/server.ts';
import { startLantern } from './server.ts';

export { LANTERN_USAGE };

/** LANTERN_DATABASE, else lantern.db in the demo's data directory (GATEHOUSE_DATA_DIR, else .gatehouse). */
const DEFAULT_DATABASE =
  process.env.LANTERN_DATABASE ?? join(process.env.GATEHOUSE_DATA_DIR || '.gatehouse', 'lantern.db');

function port(value: string, option = '--port'): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new Error(`invalid ${option} ${value}`);
  return n;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

function describeInternal(internal: RunningInternal): string[] {
  const lines = [
    `lantern: internal MCP server on ${internal.url} (never on the public listener): ${internal.components
      .map((c) => `${c} at ${internal.urls[c]}`)
      .join(', ')}`,
    internal.generatedToken
      ? `lantern: its service token was generated for this process only (set ${INTERNAL_TOKEN_ENV} to call it from another process)`
      : `lantern: its service token is ${INTERNAL_TOKEN_ENV}`,
  ];
  if (!LOOPBACK.test(new URL(internal.url).hostname.replace(/^\[|\]$/g, ''))) {
    lines.push(
      'lantern: warning: the internal MCP server listens beyond loopback; keep that address inside the deployment',
    );
  }
  return lines;
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

async function serveCommand(argv: string[], out: NodeJS.WritableStream): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: process.env.LANTERN_PORT ?? '7400' },
      host: { type: 'string', default: '127.0.0.1' },
      database: { type: 'string', default: DEFAULT_DATABASE },
      internal: { type: 'boolean', default: true },
      'internal-port': { type: 'string', default: process.env.LANTERN_INTERNAL_PORT ?? '7401' },
      'internal-host': { type: 'string', default: '127.0.0.1' },
      'internal-components': { type: 'string' },
      ...CHAT_FLAGS,
      ...AUTOMATION_FLAGS,
    },
    allowNegative: true,
    strict: true,
  });
  const components = values['internal-components']
    ?.split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  const chat = chatConfigFromFlags(values, process.env);
  const automation = automationConfigFromFlags(values, process.env);
  const lantern = await startLantern({
    ...(chat === undefined ? {} : { chat }),
    ...(automation === undefined ? {} : { automation }),
    database: values.database,
    host: values.host,
    port: port(values.port),
    internal: values.internal && {
      host: values['internal-host'],
      port: port(values['internal-port'], '--internal-port'),
      ...(components === undefined ? {} : { components }),
    },
  });
  out.write(`lantern: serving ${lantern.url} (REST API at ${lantern.url}/api/v1)\n`);
  if (lantern.internal !== undefined)
    for (const line of describeInternal(lantern.internal)) out.write(`${line}\n`);
  out.write(`${describeChat(chat, lantern.chat?.modelLabel)}\n`);
  out.write(`${describeAutomation(lantern.automation)}\n`);
  if (lantern.core.seeded !== undefined) {
    out.write('lantern: a new database; the seeded users and their passwords (shown once):\n');
    for (const [email, password] of Object.entries(lantern.core.seeded))
      out.write(`  ${email}  ${password}\n`);
  }
  await waitForSignal();
  await lantern.close();
}

async function tokenCommand(argv: string[], out: NodeJS.WritableStream): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      email: { type: 'string' },
      label: { type: 'string', default: 'cli' },
      database: { type: 'string', default: DEFAULT_DATABASE },
    },
    strict: true,
  });
  if (values.email === undefined) throw new Error('lantern token needs --email');
  const core = await openCore({ database: values.database });
  try {
    const user = await core.accounts.userByEmail(values.email);
    if (user === undefined) throw new Error(`no Lantern user ${values.email}`);
    const issued = await core.accounts.issueToken({ kind: 'user', user, via: 'web' }, values.label);
    out.write(`${issued.token}\n`);
  } finally {
    await core.close();
  }
}

export async function runLanternCli(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || rest.includes('--help')) {
    out.write(`usage: ${LANTERN_USAGE}\n`);
    return;
  }
  if (command === 'serve') return serveCommand(rest, out);
  if (command === 'token') return tokenCommand(rest, out);
  throw new Error(`unknown lantern command "${command}": use serve or token (see --help)`);
}
