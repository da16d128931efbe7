/**
 * Starts Lantern: the core, and the public listener (REST API, later the web UI) on its address.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { publicApp } from './app.ts';
import { type CoreOptions, type LanternCore, openCore } from './core.ts';

export interface LanternOptions extends CoreOptions {
  port?: number;
  host?: string;
}

export interface RunningLantern {
  readonly core: LanternCore;
  /** The public base URL, e.g. `http://127.0.0.1:7400`. */
  readonly url: string;
  close(): Promise<void>;
}

type NodeServer = ReturnType<typeof serve>;

export async function listen(
  fetch: (req: Request) => Response | Promise<Response>,
  host: string,
  port: number,
) {
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

export async function startLantern(options: LanternOptions): Promise<RunningLantern> {
  const core = await openCore(options);
  try {
    const front = await listen(publicApp(core).fetch, options.host ?? '127.0.0.1', options.port ?? 0);
    return {
      core,
      url: front.url,
      close: async () => {
        await front.close();
        await core.close();
      },
    };
  } catch (error) {
    await core.close();
    throw error;
  }
}
