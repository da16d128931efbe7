/**
 * `gatehouse lantern` — the reference product's own commands:
 *
 *   lantern serve [--port 7400] [--host 127.0.0.1] [--database FILE|postgres://…]
 *       runs the product until SIGTERM/SIGINT; on a new database, prints the seeded users'
 *       passwords once
 *   lantern token --email E [--label L] [--database …]
 *       issues an API token for a user (the REST API's, and so the external MCP server's) and
 *       prints it once
 */
import { parseArgs } from 'node:util';
import { openCore } from './core.ts';
import { startLantern } from './server.ts';

export const LANTERN_USAGE = [
  'usage: gatehouse lantern serve [--port 7400] [--host 127.0.0.1] [--database FILE|postgres://…]',
  '       gatehouse lantern token --email EMAIL [--label LABEL] [--database FILE|postgres://…]',
].join('\n');

const DEFAULT_DATABASE = process.env.LANTERN_DATABASE ?? '.gatehouse/lantern.db';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new Error(`invalid --port ${value}`);
  return n;
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
    },
    strict: true,
  });
  const lantern = await startLantern({
    database: values.database,
    host: values.host,
    port: port(values.port),
  });
  out.write(`lantern: serving ${lantern.url} (REST API at ${lantern.url}/api/v1)\n`);
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
    out.write(`${LANTERN_USAGE}\n`);
    return;
  }
  if (command === 'serve') return serveCommand(rest, out);
  if (command === 'token') return tokenCommand(rest, out);
  throw new Error(`unknown lantern command "${command}"\n${LANTERN_USAGE}`);
}
