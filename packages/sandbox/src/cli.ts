/**
 * `gatehouse sandbox`: runs every sandbox service on one loopback port until SIGTERM/SIGINT and
 * prints the base URL of each.
 *
 *   gatehouse sandbox [--port 7300] [--host 127.0.0.1] [--seed N] [--now 2026-11-21]
 *                     [--token T]… [--only hubspot,intercom] [--fault hubspot:latency=200,errors=0.1]…
 */
import { parseArgs } from 'node:util';
import { parseFaultFlag } from './faults.ts';
import { startSandbox } from './server.ts';

export const SANDBOX_USAGE =
  'usage: gatehouse sandbox [--port 7300] [--host 127.0.0.1] [--seed N] [--now YYYY-MM-DD] [--token T]… [--only a,b] [--fault service:latency=MS,errors=RATE,outage]…';

export async function runSandboxCli(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: process.env.GATEHOUSE_SANDBOX_PORT ?? '7300' },
      host: { type: 'string', default: '127.0.0.1' },
      seed: { type: 'string', default: '20261121' },
      now: { type: 'string' },
      token: { type: 'string', multiple: true },
      only: { type: 'string' },
      fault: { type: 'string', multiple: true },
    },
    strict: true,
  });
  const port = Number(values.port);
  const seed = Number(values.seed);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`invalid --port ${values.port}`);
  if (!Number.isInteger(seed)) throw new Error(`invalid --seed ${values.seed}`);
  const now = values.now === undefined ? new Date() : new Date(values.now);
  if (Number.isNaN(now.getTime())) throw new Error(`invalid --now ${values.now}`);
  const sandbox = await startSandbox({
    port,
    host: values.host,
    seed,
    now,
    ...(values.token ? { tokens: values.token } : {}),
    ...(values.only ? { only: values.only.split(',') } : {}),
  });
  for (const flag of values.fault ?? []) {
    const { service, knobs } = parseFaultFlag(flag);
    sandbox.faults.set(service, knobs);
  }
  out.write(`Gatehouse sandbox on ${sandbox.url} (seed ${seed}, today ${now.toISOString().slice(0, 10)})\n`);
  for (const service of sandbox.services) {
    out.write(`  ${service.name.padEnd(11)} ${sandbox.baseUrls[service.name]}  — ${service.title}\n`);
  }
  const stop = (): void => {
    sandbox.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
