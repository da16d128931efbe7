/**
 * Test world for the weather server: the sandbox's Open-Meteo on a loopback port (seeded, "now"
 * pinned), a weather server pointed at it through a fetch wrapper that counts (and can delay or
 * fail) upstream requests, and the kit's test client connected to it.
 */
import { createLogger } from '@gatehouse/kit';
import { type TestClient, testClient } from '@gatehouse/kit/testing';
import { type RunningSandbox, startSandbox } from '@gatehouse/sandbox';
import { configFromEnv } from '../src/config.ts';
import { createWeatherServer, type WeatherServer, type WeatherServerDeps } from '../src/server.ts';

export const TODAY = '2026-11-21';
export const NOW = new Date(`${TODAY}T14:20:00Z`);

export interface UpstreamLog {
  forecast: number;
  search: number;
  urls: URL[];
}

export interface WeatherWorld {
  sandbox: RunningSandbox;
  server: WeatherServer;
  client: TestClient;
  upstream: UpstreamLog;
  /** Environment pointing a weather server process at this sandbox. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export interface WorldOptions {
  env?: Record<string, string>;
  /** Runs before each upstream request is sent (after it is counted); may throw or wait. */
  beforeRequest?: (url: URL, log: UpstreamLog) => Promise<void> | void;
  deps?: Omit<WeatherServerDeps, 'fetch'>;
  era?: 'legacy' | 'modern';
}

export async function weatherWorld(options: WorldOptions = {}): Promise<WeatherWorld> {
  const sandbox = await startSandbox({ port: 0, seed: 20261121, now: NOW, only: ['open-meteo'] });
  const base = sandbox.baseUrls['open-meteo'] ?? '';
  const env = { OPEN_METEO_BASE_URL: base, OPEN_METEO_GEOCODING_URL: base };
  const upstream: UpstreamLog = { forecast: 0, search: 0, urls: [] };
  const countingFetch: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    upstream.urls.push(url);
    if (url.pathname.endsWith('/v1/forecast')) upstream.forecast++;
    if (url.pathname.endsWith('/v1/search')) upstream.search++;
    await options.beforeRequest?.(url, upstream);
    return fetch(input, init);
  };
  const server = createWeatherServer(configFromEnv({ ...env, ...options.env }), {
    logger: createLogger('weather-test', 'silent'),
    ...options.deps,
    fetch: countingFetch,
  });
  const client = await testClient(server, options.era === undefined ? {} : { era: options.era });
  return {
    sandbox,
    server,
    client,
    upstream,
    env,
    async close() {
      await client.close();
      await server.close();
      await sandbox.close();
    },
  };
}

/** Polls until `predicate` holds (no timing assertions; the timeout only bounds a broken test). */
export async function until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
