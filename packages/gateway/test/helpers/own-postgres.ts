/**
 * A PostgreSQL server of a test's own, for tests that stop and restart the database (never the
 * shared throwaway one of scripts/services.sh, which other tests use at the same time). Started
 * the way that script starts its server — initdb and pg_ctl, trust auth on loopback, as the
 * `postgres` user when running as root — on a free port, and stopped by its data directory.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { makeTempDir } from '../../../../scripts/test-temp-dir.ts';

export interface OwnPostgres {
  url: string;
  /** Stops the server (pg_ctl stop -m fast on its data directory); the data stays. */
  stop(): void;
  /** Starts it again on the same port and data. */
  start(): void;
  /** Stops it and deletes its data. */
  destroy(): void;
}

function binDir(): string {
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  if (which !== '' && existsSync(join(dirname(which), 'pg_ctl'))) return dirname(which);
  const versions = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b))
    : [];
  const latest = versions.at(-1);
  if (latest === undefined)
    throw new Error('PostgreSQL binaries not found (run `source scripts/services.sh` once)');
  return `/usr/lib/postgresql/${latest}/bin`;
}

/** Runs a PostgreSQL binary as the unprivileged owner of the data (PostgreSQL refuses root). */
function runAs(user: string | null, command: string, args: string[]): void {
  const [file, argv] = user === null ? [command, args] : ['runuser', ['-u', user, '--', command, ...args]];
  const done = spawnSync(file, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (done.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${done.stderr}${done.stdout}`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const bin = binDir();
  const root = process.getuid?.() === 0;
  const user = root ? 'postgres' : null;
  const data = makeTempDir('gatehouse-own-pg-');
  if (user !== null) {
    const uid = Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', user], { encoding: 'utf8' }).stdout.trim());
    chownSync(data, uid, gid);
  }
  runAs(user, join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '--encoding=UTF8',
    '--no-locale',
    '--no-sync',
  ]);
  const port = await freePort();
  const options = `-h 127.0.0.1 -p ${port} -k ${data} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  const start = () =>
    runAs(user, join(bin, 'pg_ctl'), [
      '-D',
      data,
      '-l',
      join(data, 'server.log'),
      '-w',
      '-t',
      '30',
      '-o',
      options,
      'start',
    ]);
  const stop = () => {
    if (existsSync(join(data, 'postmaster.pid')))
      runAs(user, join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
  };
  start();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    stop,
    start,
    destroy() {
      stop();
      rmSync(data, { recursive: true, force: true });
    },
  };
}
