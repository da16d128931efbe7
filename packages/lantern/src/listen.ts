/** Listens with a fetch handler on `host:port` (0: a free port) and says where: Lantern's listeners. */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';

type NodeServer = ReturnType<typeof serve>;

export interface Listening {
  /** e.g. `http://127.0.0.1:7400` (an IPv6 host in brackets). */
  readonly url: string;
  close(): Promise<void>;
}

export async function listen(
  fetch: (req: Request) => Response | Promise<Response>,
  host: string,
  port: number,
): Promise<Listening> {
  const server = await new Promise<NodeServer>((resolve, reject) => {
    const s = serve({ fetch, port, hostname: host }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
