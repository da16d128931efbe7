/**
 * The weather server as its own process against a sandbox on loopback: spawned with `--port 0`
 * and called over Streamable HTTP by an SDK client (both eras), refusing a bad environment at
 * start, and launched over stdio by the Gatehouse gateway, whose clients see `weather_*` tools.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { httpClient, spawnServerProcess } from '@gatehouse/kit/testing';
import { type RunningSandbox, startSandbox } from '@gatehouse/sandbox';
import type { Client } from '@modelcontextprotocol/client';
import {
  connectClient,
  startGateway,
  stdioUpstreamYaml,
  type TestGateway,
  textOf,
} from '../../gateway/test/helpers/harness.ts';
import { NOW, TODAY } from './helpers.ts';

const MAIN = 'packages/weather-server/src/main.ts';

let sandbox: RunningSandbox;
let sandboxEnv: Record<string, string>;
before(async () => {
  sandbox = await startSandbox({ port: 0, seed: 20261121, now: NOW, only: ['open-meteo'] });
  const base = sandbox.baseUrls['open-meteo'] ?? '';
  sandboxEnv = { OPEN_METEO_BASE_URL: base, OPEN_METEO_GEOCODING_URL: base, LOG_LEVEL: 'warn' };
});
after(() => sandbox.close());

const spawnServer = (env: Record<string, string>) =>
  spawnServerProcess(MAIN, { env, name: 'weather server' });

describe('standalone process over HTTP', () => {
  for (const era of ['legacy', 'modern'] as const) {
    test(`answers get_weather, get_forecast and health (${era})`, async () => {
      const server = spawnServer(sandboxEnv);
      let client: Client | undefined;
      try {
        client = await httpClient(await server.url, era);
        const names = (await client.listTools()).tools.map((t) => t.name).sort();
        assert.deepEqual(names, ['get_forecast', 'get_weather', 'health']);
        const now = await client.callTool({ name: 'get_weather', arguments: { location: 'Banff' } });
        assert.equal(now.isError, undefined, textOf(now));
        const current = now.structuredContent as {
          place: { country: string; timezone: string };
          temperature: number;
        };
        assert.equal(current.place.country, 'Canada');
        assert.equal(current.place.timezone, 'America/Edmonton');
        assert.equal(typeof current.temperature, 'number');
        const forecast = await client.callTool({
          name: 'get_forecast',
          arguments: { location: 'Banff', days: 3 },
        });
        const days = (forecast.structuredContent as { days: { date: string }[] }).days;
        assert.deepEqual(
          days.map((d) => d.date),
          [TODAY, '2026-11-22', '2026-11-23'],
        );
        const unknown = await client.callTool({ name: 'get_weather', arguments: { location: 'Xanadu' } });
        assert.equal(unknown.isError, true);
        assert.match(textOf(unknown), /No place called "Xanadu"/);
        const health = await client.callTool({ name: 'health', arguments: {} });
        assert.equal((health.structuredContent as { status: string }).status, 'ok');
      } finally {
        await client?.close().catch(() => undefined);
        assert.equal(await server.stop(), 0, server.stderr());
      }
    });
  }

  test('a bad environment stops the process with the variable named', async () => {
    const server = spawnServer({ ...sandboxEnv, WEATHER_CACHE_TTL_SECONDS: '-5' });
    await assert.rejects(server.url, /WEATHER_CACHE_TTL_SECONDS: must be at least 0/);
    assert.equal(await server.exited(), 1);
  });
});

describe('behind the gateway', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway(`upstreams:
${stdioUpstreamYaml('weather', MAIN, sandboxEnv, '    forwardIdentity: { meta: true }\n')}
`);
  });
  after(() => gw.close());

  for (const era of ['legacy', 'modern'] as const) {
    test(`exposes weather_get_weather and weather_get_forecast (${era})`, async () => {
      const client = await connectClient(gw.url, era);
      try {
        const names = (await client.listTools()).tools.map((t) => t.name);
        for (const name of ['weather_get_weather', 'weather_get_forecast']) {
          assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
        }
        const forecast = await client.callTool({
          name: 'weather_get_forecast',
          arguments: { location: 'Moab', days: 2, units: 'imperial' },
        });
        assert.equal(forecast.isError, undefined, textOf(forecast));
        const body = forecast.structuredContent as {
          place: { region: string };
          units: { temperature: string };
        };
        assert.equal(body.place.region, 'Utah');
        assert.equal(body.units.temperature, '°F');
        const ambiguous = await client.callTool({
          name: 'weather_get_weather',
          arguments: { location: 'Cambridge' },
        });
        assert.equal(ambiguous.isError, true);
        assert.match(textOf(ambiguous), /Cambridge, England.*Cambridge, Massachusetts/);
      } finally {
        await client.close();
      }
    });
  }
});
