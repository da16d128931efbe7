/** The weather domain server's public surface: build it from config, or reuse its connector. */
export { TtlCache } from './cache.ts';
export { configFromEnv, type WeatherConfig } from './config.ts';
export {
  type ForecastRequest,
  type ForecastResponse,
  type GeocodingResult,
  OpenMeteoClient,
  type OpenMeteoOptions,
} from './connectors/open-meteo.ts';
export {
  createWeatherServer,
  WEATHER_SERVER_VERSION,
  type WeatherServer,
  type WeatherServerDeps,
} from './server.ts';
export { type UnitSystem, WeatherService } from './weather-service.ts';
