/**
 * A loopback TCP proxy a test can cut: the way to take a shared service (the throwaway
 * PostgreSQL other tests use) away from one process only. `cut()` drops every open connection
 * and refuses new ones; `freeze()` keeps connections open but holds back every byte (a network
 * that hangs rather than fails); `restore()` forwards again, held bytes first.
 */
import { createServer, type Socket, connect as tcpConnect } from 'node:net';

export interface TcpProxy {
  port: number;
  cut(): void;
  freeze(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  const held: { to: Socket; chunk: Buffer }[] = [];
  let refusing = false;
  let frozen = false;
  const forward = (from: Socket, to: Socket) => {
    open.add(from);
    from.on('data', (chunk: Buffer) => {
      if (frozen) held.push({ to, chunk });
      else to.write(chunk);
    });
    from.on('error', () => to.destroy());
    from.on('close', () => {
      open.delete(from);
      to.destroy();
    });
  };
  const server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = tcpConnect(target.port, target.host);
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const dropAll = () => {
    held.length = 0;
    for (const socket of open) socket.destroy();
  };
  return {
    port,
    cut() {
      refusing = true;
      dropAll();
    },
    freeze() {
      frozen = true;
    },
    restore() {
      refusing = false;
      frozen = false;
      for (const { to, chunk } of held.splice(0)) if (!to.destroyed) to.write(chunk);
    },
    close() {
      refusing = true;
      dropAll();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** `url` with its host and port replaced by the proxy's. */
export function throughProxy(url: string, proxy: TcpProxy): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(proxy.port);
  return u.toString();
}
