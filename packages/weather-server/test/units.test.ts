/**
 * Pure pieces of the weather server: configuration from the environment (defaults, empty
 * variables, errors naming the variable), place parsing and choosing, and the WMO-code and
 * compass wording.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ToolError } from '@gatehouse/kit';
import { configFromEnv } from '../src/config.ts';
import type { GeocodingResult } from '../src/connectors/open-meteo.ts';
import { choosePlace, describePlace, parseCoordinates, splitLocation } from '../src/places.ts';
import { compassPoint, conditionText } from '../src/weather-codes.ts';

describe('configFromEnv', () => {
  test('defaults to the real Open-Meteo hosts and a 10-minute cache', () => {
    assert.deepEqual(configFromEnv({}), {
      forecastBaseUrl: 'https://api.open-meteo.com',
      geocodingBaseUrl: 'https://geocoding-api.open-meteo.com',
      timeoutMs: 5000,
      maxAttempts: 3,
      cacheTtlSeconds: 600,
      cacheMaxEntries: 1000,
    });
  });

  test('reads every variable and treats empty ones as unset', () => {
    const config = configFromEnv({
      OPEN_METEO_BASE_URL: 'http://127.0.0.1:7300/open-meteo',
      OPEN_METEO_GEOCODING_URL: '',
      OPEN_METEO_API_KEY: 'key',
      WEATHER_CACHE_TTL_SECONDS: '30',
      OPEN_METEO_TIMEOUT_MS: '900',
    });
    assert.equal(config.forecastBaseUrl, 'http://127.0.0.1:7300/open-meteo');
    assert.equal(config.geocodingBaseUrl, 'https://geocoding-api.open-meteo.com');
    assert.equal(config.apiKey, 'key');
    assert.equal(config.cacheTtlSeconds, 30);
    assert.equal(config.timeoutMs, 900);
  });

  test('a bad value stops start-up with a message naming each variable', () => {
    assert.throws(
      () => configFromEnv({ OPEN_METEO_BASE_URL: 'ftp://x', WEATHER_CACHE_TTL_SECONDS: 'soon' }),
      (error: Error) =>
        /OPEN_METEO_BASE_URL: must be an http\(s\) URL/.test(error.message) &&
        /WEATHER_CACHE_TTL_SECONDS: must be a number/.test(error.message),
    );
    assert.throws(
      () => configFromEnv({ OPEN_METEO_MAX_ATTEMPTS: '0' }),
      /OPEN_METEO_MAX_ATTEMPTS: must be at least 1/,
    );
  });
});

const place = (
  name: string,
  admin1: string,
  country: string,
  cc: string,
  population?: number,
): GeocodingResult => ({
  id: name.length + admin1.length,
  name,
  latitude: 0,
  longitude: 0,
  admin1,
  country,
  country_code: cc,
  ...(population === undefined ? {} : { population }),
});

describe('place parsing and choice', () => {
  test('coordinates and qualifiers are recognised', () => {
    assert.deepEqual(parseCoordinates('46.02, 7.75'), { latitude: 46.02, longitude: 7.75 });
    assert.deepEqual(parseCoordinates('-33.9 151.2'), { latitude: -33.9, longitude: 151.2 });
    assert.equal(parseCoordinates('95, 10'), undefined);
    assert.equal(parseCoordinates('Route 66'), undefined);
    assert.deepEqual(splitLocation('Portland, Maine, US'), { name: 'Portland', qualifiers: ['maine', 'us'] });
    assert.equal(describePlace({ name: 'Madrid', admin1: 'Madrid', country: 'Spain' }), 'Madrid, Spain');
  });

  test('takes a dominant place, filters by qualifier, and refuses close calls', () => {
    const results = [
      place('Springfield', 'Missouri', 'United States', 'US', 169_176),
      place('Springfield', 'Illinois', 'United States', 'US', 114_394),
      place('Springfield Gardens', 'New York', 'United States', 'US', 9_000_000),
    ];
    assert.equal(choosePlace('Springfield, IL', results).admin1, 'Illinois');
    assert.equal(choosePlace('springfield, missouri, us', results).admin1, 'Missouri');
    assert.throws(
      () => choosePlace('Springfield', results),
      (e: unknown) => e instanceof ToolError && e.code === 'ambiguous_location' && !/Gardens/.test(e.message),
    );
    const lone = [
      place('Paris', 'Île-de-France', 'France', 'FR', 2_138_551),
      place('Paris', 'Texas', 'United States', 'US', 24_782),
    ];
    assert.equal(choosePlace('Paris', lone).country, 'France');
    assert.throws(
      () => choosePlace('Paris, Japan', lone),
      (e: unknown) => e instanceof ToolError && e.code === 'unknown_location',
    );
    const unpopulated = [place('Alpha', 'A', 'X', 'XX'), place('Alpha', 'B', 'X', 'XX')];
    assert.throws(() => choosePlace('Alpha', unpopulated), /could mean several places/);
  });
});

describe('wording', () => {
  test('WMO codes and compass points', () => {
    assert.equal(conditionText(0), 'Clear sky');
    assert.equal(conditionText(63), 'Rain');
    assert.equal(conditionText(95), 'Thunderstorm');
    assert.equal(conditionText(42), 'Unknown (WMO code 42)');
    assert.equal(conditionText(null), 'Unknown');
    assert.equal(compassPoint(0), 'N');
    assert.equal(compassPoint(359), 'N');
    assert.equal(compassPoint(225), 'SW');
    assert.equal(compassPoint(-90), 'W');
    assert.equal(compassPoint(null), null);
  });
});
