/**
 * The demo's ports, checked before it touches anything (keys, data, child processes): a port
 * another process listens on is refused with one line that names the port, the setting that
 * chooses it, and — where Linux's /proc tells — the process that holds it.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';

/** A port the demo needs and the setting that chooses it. */
export interface DemoPort {
  /** What listens there: "the gateway", "the sandbox". */
  role: string;
  port: number;
  host: string;
  /** How the user picks another, e.g. "GATEHOUSE_PORT or --port". */
  setting: string;
}

export class PortBusyError extends Error {}

/** Resolves true when the port can be listened on now (port 0 always can). */
export function portIsFree(port: number, host: string): Promise<boolean> {
  if (port === 0) return Promise.resolve(true);
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(false);
      else reject(error);
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Socket inodes listening on `port` (TCP, IPv4 and IPv6), from /proc/net/tcp{,6}. */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      // st 0A is LISTEN; the inode is the tenth field.
      if (local === undefined || fields[3] !== '0A') continue;
      if (Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port && fields[9]) {
        inodes.add(fields[9]);
      }
    }
  }
  return inodes;
}

function holdsSocket(pid: string, sockets: Set<string>): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  return fds.some((fd) => {
    try {
      return sockets.has(readlinkSync(`/proc/${pid}/fd/${fd}`));
    } catch {
      return false;
    }
  });
}

function commandLine(pid: string): string {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return args.length > 200 ? `${args.slice(0, 197)}...` : args;
  } catch {
    return '';
  }
}

/** "pid 1234 (node gatehouse.mjs demo …)" for the process listening on `port`, when /proc tells. */
export function portHolder(port: number): string | undefined {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return undefined;
  const sockets = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const pid = pids.find((p) => p !== String(process.pid) && holdsSocket(p, sockets));
  if (pid === undefined) return undefined;
  const command = commandLine(pid);
  return command === '' ? `pid ${pid}` : `pid ${pid} (${command})`;
}

export function busyPortMessage(wanted: DemoPort): string {
  const holder = portHolder(wanted.port) ?? 'another process (not visible to this user)';
  return (
    `port ${wanted.port} for ${wanted.role} is already in use by ${holder}; nothing was changed — ` +
    `stop that process or choose another port with ${wanted.setting}`
  );
}

/**
 * A listen error explained in one line when its port is taken (EADDRINUSE): who holds it, and
 * `what to do`. Undefined for any other error.
 */
export function addressInUse(error: unknown, whatToDo: string): Error | undefined {
  const failure = error as { code?: unknown; port?: unknown } | null;
  if (failure?.code !== 'EADDRINUSE' || typeof failure.port !== 'number') return undefined;
  const holder = portHolder(failure.port) ?? 'another process (not visible to this user)';
  return new Error(`port ${failure.port} is already in use by ${holder}; ${whatToDo}`, { cause: error });
}

/** Throws PortBusyError (with busyPortMessage) for the first port that is taken. */
export async function assertPortsFree(ports: DemoPort[]): Promise<void> {
  for (const wanted of ports) {
    if (!(await portIsFree(wanted.port, wanted.host))) throw new PortBusyError(busyPortMessage(wanted));
  }
}
