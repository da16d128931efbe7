/**
 * `createWeatherServer(config)`: the weather domain server — `get_weather` and `get_forecast`
 * over the Open-Meteo forecast and geocoding APIs, with the kit's `health` tool checking the
 * forecast API with one small uncached call.
 */
import { type DomainServer, defineServer, type Logger } from '@gatehouse/kit';
import type { WeatherConfig } from './config.ts';
import { OpenMeteoClient } from './connectors/open-meteo.ts';
import { getForecastTool } from './tools/get-forecast.ts';
import { getWeatherTool } from './tools/get-weather.ts';
import { WeatherService } from './weather-service.ts';

export const WEATHER_SERVER_VERSION = '0.1.0';

export interface WeatherServerDeps {
  /** Stands in for global fetch toward Open-Meteo (tests count or fail upstream requests). */
  fetch?: typeof fetch;
  /** Cache clock in ms (tests move time instead of waiting). */
  now?: () => number;
  /** Consecutive upstream failures that open the circuit breaker (default 5). */
  breakerFailures?: number;
  logger?: Logger;
}

export interface WeatherServer extends DomainServer {
  /** The service behind the tools (cache statistics for tests and diagnostics). */
  readonly weather: WeatherService;
}

export function createWeatherServer(config: WeatherConfig, deps: WeatherServerDeps = {}): WeatherServer {
  const client = new OpenMeteoClient({
    forecastBaseUrl: config.forecastBaseUrl,
    geocodingBaseUrl: config.geocodingBaseUrl,
    ...(config.apiKey === undefined ? {} : { apiKey: config.apiKey }),
    timeoutMs: config.timeoutMs,
    maxAttempts: config.maxAttempts,
    ...(deps.breakerFailures === undefined ? {} : { breakerFailures: deps.breakerFailures }),
    ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
  });
  const weather = new WeatherService(client, {
    cacheTtlSeconds: config.cacheTtlSeconds,
    cacheMaxEntries: config.cacheMaxEntries,
    ...(deps.now === undefined ? {} : { now: deps.now }),
  });
  const definition = {
    name: 'weather',
    version: WEATHER_SERVER_VERSION,
    instructions:
      'Weather for any place on Earth from Open-Meteo. get_weather gives the conditions now; get_forecast gives ' +
      'daily forecasts for up to 16 days. Name the place (with region or country when the name is common) or ' +
      'pass latitude and longitude; units are metric unless imperial is asked for.',
    tools: [getWeatherTool(weather), getForecastTool(weather)],
    checks: { 'open-meteo': (signal: AbortSignal) => weather.ping(signal) },
  };
  const server = deps.logger === undefined ? defineServer(definition) : defineServer(definition, deps.logger);
  return Object.assign(server, { weather });
}
