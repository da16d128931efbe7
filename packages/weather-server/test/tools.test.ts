/**
 * The weather tools through the kit's test client against the sandbox's Open-Meteo: shaped
 * outputs of get_weather and get_forecast, metric and imperial units, place resolution
 * (qualifiers, dominant and ambiguous names, unknown places with suggestions, coordinates), bad
 * input, the API key, and the health tool.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TODAY, type WeatherWorld, weatherWorld } from './helpers.ts';

type Current = {
  place: {
    name: string;
    region?: string;
    country?: string;
    timezone: string;
    latitude: number;
    elevation?: number;
  };
  localTime: string;
  conditions: string;
  weatherCode: number;
  isDay: boolean;
  temperature: number;
  feelsLike: number;
  humidity: number;
  precipitation: number;
  wind: { speed: number; gusts: number; direction: string; degrees: number };
  units: { temperature: string; wind: string; precipitation: string };
};
type Day = {
  date: string;
  conditions: string;
  weatherCode: number;
  temperatureMin: number;
  temperatureMax: number;
  precipitationSum: number;
  precipitationProbability: number;
  windSpeedMax: number;
  sunrise: string;
  sunset: string;
};
type Forecast = { place: Current['place']; units: Current['units']; days: Day[] };

describe('weather tools', () => {
  let world: WeatherWorld;
  before(async () => {
    world = await weatherWorld();
  });
  after(() => world.close());

  test('lists get_weather, get_forecast and health with read-only, open-world annotations', async () => {
    const { tools } = await world.client.client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ['get_forecast', 'get_weather', 'health']);
    const weather = tools.find((t) => t.name === 'get_weather');
    assert.equal(weather?.annotations?.readOnlyHint, true);
    assert.equal(weather?.annotations?.openWorldHint, true);
    assert.ok(weather?.outputSchema);
  });

  test('get_weather answers current conditions shaped for a model', async () => {
    const out = await world.client.call('get_weather', { location: 'Chamonix' });
    assert.equal(out.isError, false, out.text);
    const w = out.structured as Current;
    assert.equal(w.place.name, 'Chamonix');
    assert.equal(w.place.country, 'France');
    assert.equal(w.place.timezone, 'Europe/Paris');
    assert.equal(w.place.elevation, 1035);
    assert.equal(w.localTime, `${TODAY}T15:15`, 'local time in the place’s zone');
    assert.equal(typeof w.temperature, 'number');
    assert.equal(typeof w.feelsLike, 'number');
    assert.ok(w.humidity >= 0 && w.humidity <= 100);
    assert.ok(w.conditions.length > 0 && !w.conditions.startsWith('Unknown'));
    assert.equal(w.precipitation > 0, w.weatherCode >= 51, 'condition agrees with precipitation');
    assert.match(w.wind.direction, /^[NESW]{1,3}$/);
    assert.deepEqual(w.units, { temperature: '°C', wind: 'km/h', precipitation: 'mm' });
    assert.deepEqual(JSON.parse(out.text), out.structured);
  });

  test('get_forecast answers one row per day with sunrise and sunset', async () => {
    const out = await world.client.call('get_forecast', { location: 'Zermatt', days: 5 });
    assert.equal(out.isError, false, out.text);
    const f = out.structured as Forecast;
    assert.equal(f.place.name, 'Zermatt');
    assert.equal(f.days.length, 5);
    assert.equal(f.days[0]?.date, TODAY);
    for (const day of f.days) {
      assert.ok(day.temperatureMax >= day.temperatureMin);
      assert.ok(day.precipitationProbability >= 0 && day.precipitationProbability <= 100);
      assert.equal(day.precipitationSum > 0, day.weatherCode >= 51, `${day.date}: ${day.conditions}`);
      assert.match(day.sunrise, /^0[6-8]:\d\d$/);
      assert.match(day.sunset, /^1[6-7]:\d\d$/);
    }
    const defaults = await world.client.call('get_forecast', { location: 'Zermatt' });
    assert.equal((defaults.structured as Forecast).days.length, 7, 'seven days by default');
    const long = await world.client.call('get_forecast', { location: 'Zermatt', days: 16 });
    assert.equal((long.structured as Forecast).days.length, 16);
  });

  test('imperial units convert temperature, wind and precipitation', async () => {
    const metric = (await world.client.call('get_forecast', { location: 'Boulder', days: 4 }))
      .structured as Forecast;
    const imperialOut = await world.client.call('get_forecast', {
      location: 'Boulder',
      days: 4,
      units: 'imperial',
    });
    const imperial = imperialOut.structured as Forecast;
    assert.deepEqual(imperial.units, { temperature: '°F', wind: 'mph', precipitation: 'in' });
    metric.days.forEach((day, i) => {
      const other = imperial.days[i];
      assert.ok(other);
      assert.ok(
        Math.abs(other.temperatureMax - (day.temperatureMax * 1.8 + 32)) <= 0.2,
        `${day.temperatureMax} vs ${other.temperatureMax}`,
      );
      assert.ok(Math.abs(other.windSpeedMax - day.windSpeedMax / 1.609344) <= 0.2);
      assert.ok(Math.abs(other.precipitationSum - day.precipitationSum / 25.4) <= 0.01);
    });
    const now = (await world.client.call('get_weather', { location: 'Boulder', units: 'imperial' }))
      .structured as Current;
    assert.equal(now.units.temperature, '°F');
  });

  test('coordinates work as numbers or as a "lat, lon" location', async () => {
    const byNumbers = await world.client.call('get_weather', { latitude: 45.92, longitude: 6.87 });
    assert.equal(byNumbers.isError, false, byNumbers.text);
    assert.equal((byNumbers.structured as Current).place.timezone, 'Europe/Paris');
    const byText = await world.client.call('get_forecast', { location: '-33.87, 151.21', days: 2 });
    assert.equal(byText.isError, false, byText.text);
    assert.equal((byText.structured as Forecast).place.timezone, 'Australia/Sydney');
  });

  test('a dominant name is taken; qualifiers pick among namesakes', async () => {
    const paris = (await world.client.call('get_weather', { location: 'Paris' })).structured as Current;
    assert.equal(paris.place.country, 'France');
    const texas = (await world.client.call('get_weather', { location: 'Paris, Texas' }))
      .structured as Current;
    assert.equal(texas.place.region, 'Texas');
    const maine = (await world.client.call('get_weather', { location: 'Portland, ME' }))
      .structured as Current;
    assert.equal(maine.place.region, 'Maine');
    const springfield = (
      await world.client.call('get_forecast', { location: 'springfield, missouri', days: 1 })
    ).structured as Forecast;
    assert.equal(springfield.place.region, 'Missouri');
    const accent = (await world.client.call('get_weather', { location: 'San Jose, Costa Rica' }))
      .structured as Current;
    assert.equal(accent.place.country, 'Costa Rica');
  });

  test('an ambiguous name fails with the candidates to choose from', async () => {
    const out = await world.client.call('get_weather', { location: 'Springfield' });
    assert.equal(out.isError, true);
    assert.equal(out.errorCode, 'ambiguous_location');
    for (const region of ['Missouri', 'Massachusetts', 'Illinois'])
      assert.match(out.text, new RegExp(region));
    assert.match(out.text, /naming the region or country/);
  });

  test('an unknown place fails clearly, with near spellings when there are some', async () => {
    const typo = await world.client.call('get_weather', { location: 'Innsbruk' });
    assert.equal(typo.errorCode, 'unknown_location');
    assert.match(typo.text, /No place called "Innsbruk"/);
    assert.match(typo.text, /Did you mean: Innsbruck, Tyrol, Austria/);
    const nowhere = await world.client.call('get_forecast', { location: 'Atlantis' });
    assert.equal(nowhere.errorCode, 'unknown_location');
    assert.match(nowhere.text, /latitude and longitude/);
    const wrongRegion = await world.client.call('get_weather', { location: 'Springfield, Ohio' });
    assert.equal(wrongRegion.errorCode, 'unknown_location');
    assert.match(wrongRegion.text, /Springfield, Missouri/);
  });

  test('bad input gets a clear error and the server keeps serving', async () => {
    const nothing = await world.client.call('get_weather', {});
    assert.equal(nothing.errorCode, 'invalid_input');
    assert.match(nothing.text, /give a location/);
    const half = await world.client.call('get_forecast', { latitude: 10 });
    assert.equal(half.errorCode, 'invalid_input');
    assert.match(half.text, /both latitude and longitude/);
    const short = await world.client.call('get_weather', { location: 'x' });
    assert.equal(short.errorCode, 'invalid_input');
    for (const args of [
      { latitude: 91, longitude: 0 },
      { location: 'Oslo', days: 17 },
      { location: 'Oslo', days: 0 },
      { location: 'Oslo', units: 'kelvin' },
      { location: true },
      { location: 4.2 },
    ]) {
      const out = await world.client.call('get_forecast', args);
      assert.equal(out.isError, true, JSON.stringify(args));
      assert.match(out.text, /Input validation error|invalid/i);
    }
    // An integer sent for a string is taken as its text (the kit's one lenient coercion).
    const numeric = await world.client.call('get_forecast', { location: 42 });
    assert.match(numeric.text, /No place called "42"/);
    const fine = await world.client.call('get_weather', { location: 'Oslo' });
    assert.equal(fine.isError, false);
  });

  test('health checks the forecast API', async () => {
    const out = await world.client.call('health');
    assert.equal(out.isError, false);
    const report = out.structured as { status: string; checks: { name: string; ok: boolean }[] };
    assert.equal(report.status, 'ok');
    assert.deepEqual(
      report.checks.map((c) => [c.name, c.ok]),
      [['open-meteo', true]],
    );
  });
});

describe('weather tools: API key and protocol eras', () => {
  test('OPEN_METEO_API_KEY is sent as the apikey query parameter to both APIs', async () => {
    const world = await weatherWorld({ env: { OPEN_METEO_API_KEY: 'om-key-123' } });
    try {
      const out = await world.client.call('get_weather', { location: 'Reykjavik' });
      assert.equal(out.isError, false, out.text);
      assert.deepEqual(
        world.upstream.urls.map((u) => [u.pathname.replace(/.*\/v1/, '/v1'), u.searchParams.get('apikey')]),
        [
          ['/v1/search', 'om-key-123'],
          ['/v1/forecast', 'om-key-123'],
        ],
      );
    } finally {
      await world.close();
    }
  });

  test('the 2026-07-28 era gets the same answers', async () => {
    const world = await weatherWorld({ era: 'modern' });
    try {
      const out = await world.client.call('get_forecast', { location: 'Queenstown', days: 2 });
      assert.equal(out.isError, false, out.text);
      assert.equal((out.structured as Forecast).place.timezone, 'Pacific/Auckland');
      assert.equal(
        (out.structured as Forecast).days[0]?.date,
        '2026-11-22',
        'already tomorrow in New Zealand',
      );
    } finally {
      await world.close();
    }
  });
});
