/**
 * The weather server's caching and resilience against the sandbox, with upstream requests
 * counted by the fetch wrapper (never by timing): cache hits per normalized request, TTL expiry
 * on a test clock, one upstream call for concurrent identical requests, retries through a
 * sandbox outage, exhausted retries, timeouts, the circuit breaker, and health while down.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { until, type WeatherWorld, weatherWorld } from './helpers.ts';

async function withWorld(
  options: Parameters<typeof weatherWorld>[0],
  body: (world: WeatherWorld) => Promise<void>,
): Promise<void> {
  const world = await weatherWorld(options);
  try {
    await body(world);
  } finally {
    await world.close();
  }
}

const SYDNEY = { latitude: -33.87, longitude: 151.21 };

describe('weather cache', () => {
  test('repeated questions are answered from the cache, per normalized request', () =>
    withWorld({}, async ({ client, upstream }) => {
      const first = await client.call('get_weather', { location: 'Berlin' });
      const second = await client.call('get_weather', { location: '  berlin ' });
      assert.equal(first.isError, false, first.text);
      assert.deepEqual(second.structured, first.structured);
      assert.deepEqual([upstream.search, upstream.forecast], [1, 1]);

      await client.call('get_forecast', { location: 'Berlin', days: 3 });
      assert.deepEqual(
        [upstream.search, upstream.forecast],
        [1, 2],
        'the place is cached, the forecast is new',
      );
      await client.call('get_forecast', { location: 'Berlin', days: 3 });
      await client.call('get_forecast', { latitude: 52.52437, longitude: 13.41053, days: 3 });
      assert.equal(upstream.forecast, 2, 'the same coordinates (to 0.01°) hit the cache');
      await client.call('get_forecast', { location: 'Berlin', days: 3, units: 'imperial' });
      await client.call('get_forecast', { location: 'Berlin', days: 4 });
      assert.equal(upstream.forecast, 4, 'units and day count are part of the key');
    }));

  test('entries expire after WEATHER_CACHE_TTL_SECONDS', async () => {
    let clock = 1_000_000;
    await withWorld(
      { env: { WEATHER_CACHE_TTL_SECONDS: '60' }, deps: { now: () => clock } },
      async ({ client, upstream }) => {
        await client.call('get_weather', SYDNEY);
        clock += 59_000;
        await client.call('get_weather', SYDNEY);
        assert.equal(upstream.forecast, 1);
        clock += 2_000;
        await client.call('get_weather', SYDNEY);
        assert.equal(upstream.forecast, 2);
      },
    );
  });

  test('a TTL of 0 turns caching off', () =>
    withWorld({ env: { WEATHER_CACHE_TTL_SECONDS: '0' } }, async ({ client, upstream }) => {
      await client.call('get_weather', SYDNEY);
      await client.call('get_weather', SYDNEY);
      assert.equal(upstream.forecast, 2);
    }));

  test('concurrent identical requests share one upstream call', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    await withWorld(
      { beforeRequest: (url) => (url.pathname.endsWith('/v1/forecast') ? gate : undefined) },
      async ({ client, server, upstream }) => {
        const calls = Array.from({ length: 5 }, () => client.call('get_forecast', { ...SYDNEY, days: 3 }));
        await until(
          () => server.weather.cacheStats().forecasts.coalesced === 4,
          'four callers joining the first',
        );
        release();
        const results = await Promise.all(calls);
        for (const r of results) {
          assert.equal(r.isError, false, r.text);
          assert.deepEqual(r.structured, results[0]?.structured);
        }
        assert.equal(upstream.forecast, 1);
      },
    );
  });
});

describe('weather resilience', () => {
  test('retries through a short outage and answers', async () => {
    let world: WeatherWorld | undefined;
    await withWorld(
      {
        beforeRequest: (url, log) => {
          // The first two forecast attempts meet the sandbox's outage; the third finds it over.
          if (url.pathname.endsWith('/v1/forecast') && log.forecast === 3) world?.sandbox.faults.reset();
        },
      },
      async (w) => {
        world = w;
        w.sandbox.faults.set('open-meteo', { outage: true });
        const out = await w.client.call('get_weather', SYDNEY);
        assert.equal(out.isError, false, out.text);
        assert.equal(w.upstream.forecast, 3);
      },
    );
  });

  test('a lasting outage is a clear error after the retries; failures are not cached', () =>
    withWorld({}, async ({ client, sandbox, upstream }) => {
      sandbox.faults.set('open-meteo', { outage: true });
      const out = await client.call('get_forecast', { ...SYDNEY, days: 2 });
      assert.equal(out.isError, true);
      assert.equal(out.errorCode, 'upstream_unavailable');
      assert.match(out.text, /HTTP 503/);
      assert.match(out.text, /try again/);
      assert.equal(upstream.forecast, 3, 'three attempts (OPEN_METEO_MAX_ATTEMPTS default)');
      const geocoding = await client.call('get_weather', { location: 'Lima' });
      assert.equal(geocoding.errorCode, 'upstream_unavailable', 'geocoding failures are explained too');
      assert.match(geocoding.text, /geocoding/);

      sandbox.faults.reset();
      const again = await client.call('get_forecast', { ...SYDNEY, days: 2 });
      assert.equal(again.isError, false, again.text);
      assert.equal(upstream.forecast, 4);
    }));

  test('a slow upstream times out into a clear error', () =>
    withWorld(
      { env: { OPEN_METEO_TIMEOUT_MS: '200', OPEN_METEO_MAX_ATTEMPTS: '2' } },
      async ({ client, sandbox, upstream }) => {
        sandbox.faults.set('open-meteo', { latencyMs: 3_000 });
        const out = await client.call('get_weather', SYDNEY);
        assert.equal(out.isError, true);
        assert.equal(out.errorCode, 'upstream_unavailable');
        assert.match(out.text, /no answer within 200 ms/);
        assert.equal(upstream.forecast, 2);
      },
    ));

  test('the circuit breaker fails fast after repeated failures', () =>
    withWorld(
      { env: { OPEN_METEO_MAX_ATTEMPTS: '1' }, deps: { breakerFailures: 2 } },
      async ({ client, sandbox, upstream }) => {
        sandbox.faults.set('open-meteo', { outage: true });
        await client.call('get_weather', SYDNEY);
        await client.call('get_weather', SYDNEY);
        assert.equal(upstream.forecast, 2);
        const fast = await client.call('get_weather', SYDNEY);
        assert.equal(fast.errorCode, 'upstream_unavailable');
        assert.match(fast.text, /too many recent failures/);
        assert.equal(upstream.forecast, 2, 'no request while the breaker is open');
      },
    ));

  test('health reports the forecast API down during an outage', () =>
    withWorld({ env: { OPEN_METEO_MAX_ATTEMPTS: '1' } }, async ({ client, sandbox }) => {
      sandbox.faults.set('open-meteo', { outage: true });
      const out = await client.call('health');
      const report = out.structured as { status: string; checks: { ok: boolean; detail?: string }[] };
      assert.equal(report.status, 'down');
      assert.equal(report.checks[0]?.ok, false);
      assert.match(report.checks[0]?.detail ?? '', /503/);
    }));
});
