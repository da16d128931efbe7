/**
 * The sandbox's Open-Meteo stand-in through its HTTP routes (in-process `app.request`): the real
 * response shapes of the forecast and geocoding APIs, determinism per seed, variable selection,
 * unit conversion, time zones, plausibility of the generated weather, the real API's 400 errors,
 * and the fault knobs.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createSandboxApp } from '../src/app.ts';

const NOW = new Date('2026-11-21T14:20:00Z');

function sandbox(seed = 7) {
  return createSandboxApp({ seed, now: NOW, only: ['open-meteo'] });
}

type Json = Record<string, unknown> & {
  hourly?: Record<string, (number | string)[]>;
  daily?: Record<string, (number | string)[]>;
  current?: Record<string, number | string>;
  hourly_units?: Record<string, string>;
  daily_units?: Record<string, string>;
  current_units?: Record<string, string>;
};

async function get(app = sandbox(), path: string, headers: Record<string, string> = {}) {
  const response = await app.app.request(`/open-meteo${path}`, { headers });
  return { status: response.status, body: (await response.json()) as Json };
}

const forecast = async (query: string, app = sandbox()) => get(app, `/v1/forecast?${query}`);
const BERLIN = 'latitude=52.52&longitude=13.41';
const ALL_DAILY =
  'daily=weather_code,temperature_2m_max,temperature_2m_min,precipitation_sum,precipitation_probability_max,sunrise,sunset,uv_index_max,wind_speed_10m_max';

function numbers(values: (number | string)[] | undefined): number[] {
  assert.ok(values, 'series present');
  return values.map((v) => {
    assert.equal(typeof v, 'number');
    return v as number;
  });
}

describe('open-meteo sandbox: forecast shape', () => {
  test('answers the real top-level fields and requested blocks', async () => {
    const { status, body } = await forecast(
      `${BERLIN}&current=temperature_2m,weather_code&hourly=temperature_2m&${ALL_DAILY}&forecast_days=3`,
    );
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body).slice(0, 7), [
      'latitude',
      'longitude',
      'generationtime_ms',
      'utc_offset_seconds',
      'timezone',
      'timezone_abbreviation',
      'elevation',
    ]);
    assert.equal(body.latitude, 52.52);
    assert.equal(body.timezone, 'GMT', 'GMT unless a timezone is asked for');
    assert.equal(body.utc_offset_seconds, 0);
    assert.equal(body.elevation, 74, 'elevation of the nearby known city');
    assert.equal(typeof body.generationtime_ms, 'number');
    assert.deepEqual(body.current_units, {
      time: 'iso8601',
      interval: 'seconds',
      temperature_2m: '°C',
      weather_code: 'wmo code',
    });
    assert.equal(body.current?.time, '2026-11-21T14:15', 'now rounded down to 15 minutes');
    assert.equal(body.current?.interval, 900);
    assert.equal(body.hourly?.time?.length, 72);
    assert.equal(body.hourly?.time?.[0], '2026-11-21T00:00');
    assert.equal(body.hourly?.time?.[71], '2026-11-23T23:00');
    assert.deepEqual(body.daily?.time, ['2026-11-21', '2026-11-22', '2026-11-23']);
    assert.equal(body.daily_units?.sunrise, 'iso8601');
    assert.equal(body.daily_units?.uv_index_max, '');
    assert.match(String(body.daily?.sunrise?.[0]), /^2026-11-21T\d\d:\d\d$/);
  });

  test('returns only the variables asked for, defaulting to 7 days', async () => {
    const { body } = await forecast(`${BERLIN}&hourly=relative_humidity_2m,precipitation`);
    assert.deepEqual(Object.keys(body.hourly ?? {}), ['time', 'relative_humidity_2m', 'precipitation']);
    assert.equal(body.hourly?.time?.length, 7 * 24);
    assert.equal(body.daily, undefined);
    assert.equal(body.current, undefined);
    const repeated = await forecast(`${BERLIN}&daily=sunrise&daily=sunset&forecast_days=1`);
    assert.deepEqual(Object.keys(repeated.body.daily ?? {}), ['time', 'sunrise', 'sunset']);
  });

  test('several locations answer a list, one entry per location', async () => {
    const { status, body } = await forecast(
      'latitude=52.52,48.85&longitude=13.41,2.35&daily=temperature_2m_max&forecast_days=2&timezone=auto',
    );
    assert.equal(status, 200);
    assert.ok(Array.isArray(body));
    const list = body as unknown as Json[];
    assert.equal(list.length, 2);
    assert.equal(list[0]?.timezone, 'Europe/Berlin');
    assert.equal(list[1]?.timezone, 'Europe/Paris');
    assert.equal(list[1]?.latitude, 48.85);
  });
});

describe('open-meteo sandbox: determinism', () => {
  const query = `${BERLIN}&current=temperature_2m,precipitation&hourly=temperature_2m,precipitation,weather_code&${ALL_DAILY}`;
  const strip = (b: Json) => ({ current: b.current, hourly: b.hourly, daily: b.daily });

  test('the same seed, place and date give the same weather', async () => {
    const a = await forecast(query, sandbox(11));
    const b = await forecast(query, sandbox(11));
    assert.deepEqual(strip(a.body), strip(b.body));
  });

  test('another seed or place gives other weather', async () => {
    const a = await forecast(query, sandbox(11));
    const b = await forecast(query, sandbox(12));
    const c = await forecast(query.replace('13.41', '-3.70').replace('52.52', '40.42'), sandbox(11));
    assert.notDeepEqual(a.body.hourly?.temperature_2m, b.body.hourly?.temperature_2m);
    assert.notDeepEqual(a.body.hourly?.temperature_2m, c.body.hourly?.temperature_2m);
  });
});

describe('open-meteo sandbox: plausibility', () => {
  test('daily max/min match the hourly series of the same local day', async () => {
    const { body } = await forecast(
      `${BERLIN}&timezone=Europe/Berlin&hourly=temperature_2m&daily=temperature_2m_max,temperature_2m_min&forecast_days=4`,
    );
    const hourly = numbers(body.hourly?.temperature_2m);
    const max = numbers(body.daily?.temperature_2m_max);
    const min = numbers(body.daily?.temperature_2m_min);
    for (let d = 0; d < 4; d++) {
      const day = hourly.slice(d * 24, d * 24 + 24);
      assert.equal(max[d], Math.max(...day));
      assert.equal(min[d], Math.min(...day));
      assert.ok((max[d] ?? 0) > (min[d] ?? 0));
    }
  });

  test('weather codes agree with precipitation, hourly and daily', async () => {
    for (const seed of [1, 2, 3]) {
      const { body } = await forecast(
        `latitude=47.27&longitude=11.39&hourly=precipitation,weather_code&daily=precipitation_sum,weather_code&forecast_days=16`,
        sandbox(seed),
      );
      const rain = numbers(body.hourly?.precipitation);
      const codes = numbers(body.hourly?.weather_code);
      for (const [i, mm] of rain.entries()) {
        assert.equal(mm > 0, (codes[i] ?? 0) >= 51, `hour ${i}: ${mm} mm, code ${codes[i]}`);
      }
      const sums = numbers(body.daily?.precipitation_sum);
      const dailyCodes = numbers(body.daily?.weather_code);
      for (const [i, mm] of sums.entries()) assert.equal(mm > 0, (dailyCodes[i] ?? 0) >= 51, `day ${i}`);
      assert.ok(
        rain.some((mm) => mm > 0),
        'sixteen days in the Alps see some precipitation',
      );
    }
  });

  test('temperatures follow latitude, season and the time of day', async () => {
    const mean = async (lat: number, lon: number) => {
      const { body } = await forecast(
        `latitude=${lat}&longitude=${lon}&hourly=temperature_2m&forecast_days=7`,
      );
      const t = numbers(body.hourly?.temperature_2m);
      return t.reduce((a, b) => a + b, 0) / t.length;
    };
    const singapore = await mean(1.29, 103.85);
    const oslo = await mean(59.91, 10.75);
    const sydney = await mean(-33.87, 151.21);
    const chicago = await mean(41.85, -87.65);
    assert.ok(singapore > 22 && singapore < 32, `Singapore ${singapore}`);
    assert.ok(oslo < 8, `Oslo in November ${oslo}`);
    assert.ok(sydney > chicago + 5, `Sydney's early summer ${sydney} vs Chicago's late autumn ${chicago}`);

    const { body } = await forecast(
      'latitude=1.29&longitude=103.85&timezone=auto&hourly=temperature_2m&forecast_days=7',
    );
    const t = numbers(body.hourly?.temperature_2m);
    const at = (hour: number) => t.filter((_, i) => i % 24 === hour).reduce((a, b) => a + b, 0) / 7;
    assert.ok(at(15) > at(5) + 3, `afternoon ${at(15)} warmer than before dawn ${at(5)}`);
  });

  test('values stay within physical ranges', async () => {
    const { body } = await forecast(
      `latitude=64.14&longitude=-21.9&hourly=relative_humidity_2m,precipitation_probability,wind_direction_10m,wind_speed_10m,uv_index,is_day&forecast_days=16`,
    );
    for (const v of numbers(body.hourly?.relative_humidity_2m)) assert.ok(v >= 0 && v <= 100);
    for (const v of numbers(body.hourly?.precipitation_probability)) assert.ok(v >= 0 && v <= 100);
    for (const v of numbers(body.hourly?.wind_direction_10m)) assert.ok(v >= 0 && v < 360);
    for (const v of numbers(body.hourly?.wind_speed_10m)) assert.ok(v >= 0 && v < 150);
    for (const v of numbers(body.hourly?.uv_index)) assert.ok(v >= 0 && v < 13);
    const day = numbers(body.hourly?.is_day);
    assert.ok(day.includes(0) && day.includes(1), 'Reykjavik has both day and night in November');
  });
});

describe('open-meteo sandbox: units and time', () => {
  test('converts temperature, wind speed and precipitation units', async () => {
    const vars = 'hourly=temperature_2m,wind_speed_10m,precipitation,snowfall&forecast_days=3';
    const metric = await forecast(`latitude=46.02&longitude=7.75&${vars}`);
    const imperial = await forecast(
      `latitude=46.02&longitude=7.75&${vars}&temperature_unit=fahrenheit&wind_speed_unit=mph&precipitation_unit=inch`,
    );
    const knots = await forecast(`latitude=46.02&longitude=7.75&${vars}&wind_speed_unit=kn`);
    const ms = await forecast(`latitude=46.02&longitude=7.75&${vars}&wind_speed_unit=ms`);
    assert.deepEqual(imperial.body.hourly_units, {
      time: 'iso8601',
      temperature_2m: '°F',
      wind_speed_10m: 'mp/h',
      precipitation: 'inch',
      snowfall: 'inch',
    });
    assert.equal(knots.body.hourly_units?.wind_speed_10m, 'kn');
    assert.equal(ms.body.hourly_units?.wind_speed_10m, 'm/s');
    const c = numbers(metric.body.hourly?.temperature_2m);
    const f = numbers(imperial.body.hourly?.temperature_2m);
    const kmh = numbers(metric.body.hourly?.wind_speed_10m);
    const mph = numbers(imperial.body.hourly?.wind_speed_10m);
    const kn = numbers(knots.body.hourly?.wind_speed_10m);
    const mps = numbers(ms.body.hourly?.wind_speed_10m);
    const mm = numbers(metric.body.hourly?.precipitation);
    const inch = numbers(imperial.body.hourly?.precipitation);
    for (const [i, v] of c.entries()) {
      assert.ok(Math.abs((f[i] ?? 0) - (v * 1.8 + 32)) <= 0.15, `${v} °C vs ${f[i]} °F`);
    }
    for (const [i, v] of kmh.entries()) {
      assert.ok(Math.abs((mph[i] ?? 0) - v / 1.609344) <= 0.1);
      assert.ok(Math.abs((kn[i] ?? 0) - v / 1.852) <= 0.1);
      assert.ok(Math.abs((mps[i] ?? 0) - v / 3.6) <= 0.1);
    }
    for (const [i, v] of mm.entries()) assert.ok(Math.abs((inch[i] ?? 0) - v / 25.4) <= 0.003);
  });

  test('timezone=auto and named zones set offsets and local times', async () => {
    const auto = await forecast(
      `${BERLIN}&timezone=auto&current=temperature_2m&hourly=temperature_2m&forecast_days=1`,
    );
    assert.equal(auto.body.timezone, 'Europe/Berlin');
    assert.equal(auto.body.utc_offset_seconds, 3600);
    assert.equal(auto.body.current?.time, '2026-11-21T15:15');
    const ny = await forecast(
      'latitude=40.71&longitude=-74.01&timezone=America/New_York&daily=sunrise&forecast_days=1',
    );
    assert.equal(ny.body.utc_offset_seconds, -18000);
    assert.equal(ny.body.timezone_abbreviation, 'EST');
    const sunrise = String(ny.body.daily?.sunrise?.[0]);
    assert.ok(sunrise >= '2026-11-21T06:30' && sunrise <= '2026-11-21T07:15', `New York sunrise ${sunrise}`);
    const ocean = await forecast('latitude=-40&longitude=-30&timezone=auto&daily=sunrise&forecast_days=1');
    assert.equal(ocean.body.timezone, 'GMT');
  });

  test('past_days reaches back and unixtime gives epoch seconds', async () => {
    const { body } = await forecast(`${BERLIN}&daily=temperature_2m_max&past_days=2&forecast_days=1`);
    assert.deepEqual(body.daily?.time, ['2026-11-19', '2026-11-20', '2026-11-21']);
    const unix = await forecast(`${BERLIN}&hourly=temperature_2m&forecast_days=1&timeformat=unixtime`);
    assert.equal(unix.body.hourly_units?.time, 'unixtime');
    assert.equal(unix.body.hourly?.time?.[0], Date.UTC(2026, 10, 21) / 1000);
  });
});

describe('open-meteo sandbox: errors like the real API', () => {
  const cases: [string, RegExp][] = [
    ['latitude=91&longitude=0', /Latitude must be in range of -90 to 90°/],
    ['latitude=0&longitude=-181', /Longitude must be in range of -180 to 180°/],
    ['latitude=abc&longitude=0', /Latitude must be a number/],
    ['longitude=0', /'latitude' is required/],
    ['latitude=1,2&longitude=3', /same number of elements/],
    [`${BERLIN}&hourly=temperature_3m`, /Unknown variable 'temperature_3m' for parameter 'hourly'/],
    [`${BERLIN}&daily=temperature_2m`, /Unknown variable 'temperature_2m' for parameter 'daily'/],
    [`${BERLIN}&current=sunrise`, /Unknown variable 'sunrise' for parameter 'current'/],
    [`${BERLIN}&forecast_days=17`, /Forecast days is invalid. Allowed range 0 to 16/],
    [`${BERLIN}&forecast_days=-1`, /Forecast days is invalid/],
    [`${BERLIN}&forecast_days=2.5`, /Forecast days is invalid/],
    [`${BERLIN}&past_days=93`, /Past days is invalid. Allowed range 0 to 92/],
    [`${BERLIN}&temperature_unit=kelvin`, /temperature_unit/],
    [`${BERLIN}&wind_speed_unit=furlongs`, /wind_speed_unit/],
    [`${BERLIN}&timezone=Mars/Olympus`, /Invalid timezone/],
  ];
  for (const [query, reason] of cases) {
    test(`400 for ${query}`, async () => {
      const { status, body } = await forecast(query);
      assert.equal(status, 400);
      assert.equal(body.error, true);
      assert.match(String(body.reason), reason);
    });
  }
});

describe('open-meteo sandbox: geocoding search', () => {
  test('answers the geocoding result shape, exact names first, then by population', async () => {
    const { status, body } = await get(
      sandbox(),
      '/v1/search?name=Springfield&count=10&language=en&format=json',
    );
    assert.equal(status, 200);
    const results = body.results as Record<string, unknown>[];
    assert.equal(results.length, 3);
    assert.deepEqual(
      results.map((r) => r.admin1),
      ['Missouri', 'Massachusetts', 'Illinois'],
    );
    const first = results[0] ?? {};
    for (const key of [
      'id',
      'name',
      'latitude',
      'longitude',
      'elevation',
      'country_code',
      'country',
      'timezone',
      'population',
    ]) {
      assert.ok(key in first, `result has ${key}`);
    }
    assert.equal(first.country_code, 'US');
    assert.equal(typeof body.generationtime_ms, 'number');
  });

  test('matches prefixes and ignores case and accents; count caps the list', async () => {
    const accents = await get(sandbox(), '/v1/search?name=san%20jose');
    assert.deepEqual(
      (accents.body.results as { country_code: string }[]).map((r) => r.country_code),
      ['US', 'CR'],
    );
    const prefix = await get(sandbox(), '/v1/search?name=Zerm');
    assert.equal((prefix.body.results as { name: string }[])[0]?.name, 'Zermatt');
    const capped = await get(sandbox(), '/v1/search?name=san&count=2');
    assert.equal((capped.body.results as unknown[]).length, 2);
  });

  test('no match answers without a results key; bad parameters answer 400', async () => {
    const none = await get(sandbox(), '/v1/search?name=Atlantis');
    assert.equal(none.status, 200);
    assert.equal('results' in none.body, false);
    assert.equal((await get(sandbox(), '/v1/search')).status, 400);
    const badCount = await get(sandbox(), '/v1/search?name=Berlin&count=0');
    assert.equal(badCount.status, 400);
    assert.equal(badCount.body.error, true);
  });
});

describe('open-meteo sandbox: access and fault knobs', () => {
  test('needs no credentials and accepts an apikey', async () => {
    const app = sandbox();
    assert.equal((await forecast(`${BERLIN}&current=temperature_2m`, app)).status, 200);
    assert.equal((await forecast(`${BERLIN}&current=temperature_2m&apikey=commercial-key`, app)).status, 200);
    const info = (await (await app.app.request('/_sandbox')).json()) as {
      services: { name: string; realBaseUrl: string }[];
    };
    const services = info.services;
    assert.equal(services.find((s) => s.name === 'open-meteo')?.realBaseUrl, 'https://api.open-meteo.com');
    assert.equal(app.services[0]?.requiresAuth, false);
  });

  test('outage, error rate and latency apply, and reset restores service', async () => {
    const app = sandbox();
    app.faults.set('open-meteo', { outage: true });
    assert.equal((await forecast(`${BERLIN}&current=temperature_2m`, app)).status, 503);
    assert.equal((await get(app, '/v1/search?name=Berlin')).status, 503);
    app.faults.set('open-meteo', { outage: false, errorRate: 1 });
    const failed = await forecast(`${BERLIN}&current=temperature_2m`, app);
    assert.ok([500, 502, 503].includes(failed.status), `status ${failed.status}`);
    app.faults.set('open-meteo', { errorRate: 0, latencyMs: 30 });
    assert.equal((await forecast(`${BERLIN}&current=temperature_2m`, app)).status, 200);
    app.faults.reset();
    assert.equal((await forecast(`${BERLIN}&current=temperature_2m`, app)).status, 200);
  });
});
