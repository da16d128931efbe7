/**
 * `gatehouse certs dev`: a local CA and a certificate per name, for mutual TLS between the
 * gateway and its domain servers on a laptop or in a test. Writes `ca.pem`/`ca-key.pem` (kept and
 * reused when the directory already has them, so a server added later is trusted by the same CA)
 * and `<name>.pem`/`<name>-key.pem` per name; keys are written with mode 0600. Prints what it
 * wrote and how to use it.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  createDevAuthority,
  type DevAuthority,
  defaultHosts,
  issueCertificate,
  loadDevAuthority,
} from '../certs/dev-certs.ts';
import { CliUsageError } from './usage.ts';

export const DEFAULT_CERT_NAMES = ['gateway', 'customer', 'knowledge', 'platform-ops', 'wallet', 'weather'];
const DEFAULT_DAYS = 365;
const NAME = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i;

export interface CertsDevOptions {
  out: string;
  names: string[];
  days: number;
  /** Adds `<name>.<namespace>.svc` and `<name>.<namespace>.svc.cluster.local` to each certificate. */
  namespace?: string;
}

export interface WrittenCertificate {
  name: string;
  cert: string;
  key: string;
  hosts: string[];
}

export interface CertsDevResult {
  out: string;
  ca: { cert: string; key: string; reused: boolean };
  certificates: WrittenCertificate[];
}

function parseCertsArgs(argv: string[]): CertsDevOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string', default: 'certs' },
      names: { type: 'string', default: DEFAULT_CERT_NAMES.join(',') },
      days: { type: 'string', default: String(DEFAULT_DAYS) },
      namespace: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals[0] !== 'dev' || positionals.length > 1)
    throw new CliUsageError('certs needs: dev', { pointToHelp: true });
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 1 || days > 3650)
    throw new CliUsageError(`--days must be a whole number of days from 1 to 3650, found ${values.days}`);
  const names = values.names
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  if (names.length === 0) throw new CliUsageError('--names needs at least one name');
  const bad = names.find((n) => !NAME.test(n) || n === 'ca');
  if (bad !== undefined)
    throw new CliUsageError(
      `--names: "${bad}" is not usable as a host name and file name (letters, digits, "." and "-"; not "ca")`,
    );
  if (values.namespace !== undefined && !NAME.test(values.namespace))
    throw new CliUsageError(`--namespace: "${values.namespace}" is not a Kubernetes namespace name`);
  return {
    out: values.out,
    names: [...new Set(names)],
    days,
    ...(values.namespace === undefined ? {} : { namespace: values.namespace }),
  };
}

function writeKey(path: string, pem: string): void {
  writeFileSync(path, pem, { mode: 0o600 });
  chmodSync(path, 0o600); // the mode above only applies to a new file
}

async function authorityIn(out: string, days: number): Promise<{ authority: DevAuthority; reused: boolean }> {
  const cert = join(out, 'ca.pem');
  const key = join(out, 'ca-key.pem');
  if (existsSync(cert) && existsSync(key)) {
    try {
      const pair = { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
      return { authority: await loadDevAuthority(pair), reused: true };
    } catch (error) {
      throw new Error(
        `${cert} and ${key} are there but are not a CA this command made (${(error as Error).message}); move them away or choose another --out`,
      );
    }
  }
  const authority = await createDevAuthority({ days });
  writeFileSync(cert, authority.cert);
  writeKey(key, authority.key);
  return { authority, reused: false };
}

/** Writes the CA (or reuses the one in `out`) and a certificate per name. */
export async function writeDevCertificates(options: CertsDevOptions): Promise<CertsDevResult> {
  const out = resolve(options.out);
  mkdirSync(out, { recursive: true });
  const { authority, reused } = await authorityIn(out, options.days);
  const certificates: WrittenCertificate[] = [];
  for (const name of options.names) {
    const cluster =
      options.namespace === undefined
        ? []
        : [`${name}.${options.namespace}.svc`, `${name}.${options.namespace}.svc.cluster.local`];
    const hosts = defaultHosts(name, cluster);
    const pair = await issueCertificate(authority, { name, hosts, days: options.days });
    const cert = join(out, `${name}.pem`);
    const key = join(out, `${name}-key.pem`);
    writeFileSync(cert, pair.cert);
    writeKey(key, pair.key);
    certificates.push({ name, cert, key, hosts });
  }
  return { out, ca: { cert: join(out, 'ca.pem'), key: join(out, 'ca-key.pem'), reused }, certificates };
}

/** A domain server's main.ts in this repository, when `name` is one; else a placeholder. */
function serverMain(name: string, cwd: string): string {
  const main = join('packages', `${name}-server`, 'src', 'main.ts');
  return existsSync(join(cwd, main)) ? main : '<your kit server>/src/main.ts';
}

/**
 * The server the example serves: weather when it is among the names (it runs without credentials
 * to a backend; the others need their backend's keys in the environment), else the first one.
 */
const EXAMPLE_SERVER = 'weather';

/** What was written and the next steps: the server flags and the gateway's upstream tls block. */
export function describeWritten(result: CertsDevResult, days: number, cwd = process.cwd()): string {
  // Below the working directory: relative (short, copyable here); elsewhere: absolute.
  const shown = (path: string) => {
    const near = relative(cwd, path);
    return near === '' ? '.' : near.startsWith('..') || isAbsolute(near) ? path : near;
  };
  const client = result.certificates.find((c) => c.name === 'gateway') ?? result.certificates[0];
  const servers = result.certificates.filter((c) => c !== client);
  const server = servers.find((c) => c.name === EXAMPLE_SERVER) ?? servers[0] ?? client;
  const lines = [
    `Wrote to ${shown(result.out)}/ (certificates valid ${days} days):`,
    `  ${shown(result.ca.cert)}, ${shown(result.ca.key)}  the CA${result.ca.reused ? ' (already there: reused)' : ''}; keep ca-key.pem private`,
    ...result.certificates.map(
      (c) => `  ${shown(c.cert)}, ${shown(c.key)}  ${c.name}: ${c.hosts.join(', ')}`,
    ),
    'Keys are written with mode 0600.',
  ];
  if (client === undefined || server === undefined) return `${lines.join('\n')}\n`;
  lines.push(
    '',
    'Next steps:',
    `  Serve a domain server with mutual TLS (only clients with a certificate from this CA get through;`,
    '  in this repository, `source scripts/env.sh` first for Node 24):',
    `    node ${serverMain(server.name, cwd)} --port 7101 --tls-cert ${shown(server.cert)} --tls-key ${shown(server.key)} --tls-client-ca ${shown(result.ca.cert)}`,
    `  Point the gateway at it (in gatehouse.yaml; a relative path there is read from the file's folder):`,
    '    upstreams:',
    `      - name: ${server.name}`,
    '        transport: http',
    '        url: https://localhost:7101/mcp',
    `        tls: { ca: ${result.ca.cert}, cert: ${client.cert}, key: ${client.key} }`,
    '  See docs/deployment.md ("Private servers and mutual TLS").',
  );
  return `${lines.join('\n')}\n`;
}

export async function certsCommand(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const options = parseCertsArgs(argv);
  const result = await writeDevCertificates(options);
  out.write(describeWritten(result, options.days));
}
