/**
 * Starts the sandbox on a loopback port and returns its base URL and the per-service base URLs
 * a connector is pointed at.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createSandboxApp, type SandboxApp, type SandboxAppOptions } from './app.ts';

export interface RunningSandbox extends SandboxApp {
  /** e.g. `http://127.0.0.1:7300` */
  readonly url: string;
  /** Base URL per service name, e.g. `{ hubspot: 'http://127.0.0.1:7300/hubspot', … }`. */
  readonly baseUrls: Record<string, string>;
  close(): Promise<void>;
}

export async function startSandbox(
  options: SandboxAppOptions & { port?: number; host?: string } = {},
): Promise<RunningSandbox> {
  const sandbox = createSandboxApp(options);
  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: sandbox.app.fetch, port: options.port ?? 0, hostname: host }, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host}:${port}`;
  return {
    ...sandbox,
    url,
    baseUrls: Object.fromEntries(sandbox.services.map((s) => [s.name, `${url}/${s.name}`])),
    close: () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
