/**
 * Typed client for the two public Open-Meteo APIs the weather server uses, speaking their real
 * request and response shapes so it works against api.open-meteo.com / geocoding-api.open-meteo.com
 * (or the commercial hosts with an API key) as well as against the Gatehouse sandbox:
 *
 *   GET {forecast}/v1/forecast   latitude, longitude, current / hourly / daily variable lists,
 *                                timezone, forecast_days, temperature/wind/precipitation units
 *   GET {geocoding}/v1/search    name, count, language, format=json
 *
 * Calls go through the kit's HttpClient (per-attempt timeout, retries on 429/5xx/network for
 * these GETs, a circuit breaker). Answers are checked with zod so a changed upstream shape is a
 * clear error instead of `undefined` deep inside a tool.
 */
import { HttpClient } from '@gatehouse/kit/infra';
import * as z from 'zod';

export interface OpenMeteoOptions {
  forecastBaseUrl: string;
  geocodingBaseUrl: string;
  /** The commercial API's key, sent as the `apikey` query parameter. */
  apiKey?: string;
  timeoutMs?: number;
  maxAttempts?: number;
  breakerFailures?: number;
  halfOpenAfterMs?: number;
  /** Injected for tests (counting or failing upstream requests); defaults to global fetch. */
  fetch?: typeof fetch;
}

export type TemperatureUnit = 'celsius' | 'fahrenheit';
export type WindSpeedUnit = 'kmh' | 'ms' | 'mph' | 'kn';
export type PrecipitationUnit = 'mm' | 'inch';

export interface ForecastRequest {
  latitude: number;
  longitude: number;
  current?: readonly string[];
  hourly?: readonly string[];
  daily?: readonly string[];
  /** An IANA zone, or `auto` for the location's own. Default GMT (the API's default). */
  timezone?: string;
  forecastDays?: number;
  temperatureUnit?: TemperatureUnit;
  windSpeedUnit?: WindSpeedUnit;
  precipitationUnit?: PrecipitationUnit;
}

const value = z.union([z.number(), z.string(), z.null()]);

export const ForecastResponseSchema = z.looseObject({
  latitude: z.number(),
  longitude: z.number(),
  utc_offset_seconds: z.number(),
  timezone: z.string(),
  timezone_abbreviation: z.string().optional(),
  elevation: z.number().optional(),
  current_units: z.record(z.string(), z.string()).optional(),
  current: z.record(z.string(), value).optional(),
  hourly_units: z.record(z.string(), z.string()).optional(),
  hourly: z.record(z.string(), z.array(value)).optional(),
  daily_units: z.record(z.string(), z.string()).optional(),
  daily: z.record(z.string(), z.array(value)).optional(),
});
export type ForecastResponse = z.infer<typeof ForecastResponseSchema>;

export const GeocodingResultSchema = z.looseObject({
  id: z.number(),
  name: z.string(),
  latitude: z.number(),
  longitude: z.number(),
  elevation: z.number().optional(),
  country_code: z.string().optional(),
  country: z.string().optional(),
  admin1: z.string().optional(),
  timezone: z.string().optional(),
  population: z.number().optional(),
});
export type GeocodingResult = z.infer<typeof GeocodingResultSchema>;

// The real service leaves `results` out entirely when nothing matched.
const GeocodingResponseSchema = z.looseObject({ results: z.array(GeocodingResultSchema).optional() });

/** The upstream answered 2xx with a body that is not the documented shape. */
export class UpstreamShapeError extends Error {
  constructor(api: string, error: z.ZodError) {
    const first = error.issues[0];
    super(
      `${api} answered an unexpected shape (${first ? `${first.path.join('.')}: ${first.message}` : 'invalid'})`,
    );
    this.name = 'UpstreamShapeError';
  }
}

export class OpenMeteoClient {
  private readonly forecastApi: HttpClient;
  private readonly geocodingApi: HttpClient;
  private readonly apiKey: string | undefined;

  constructor(options: OpenMeteoOptions) {
    const shared = {
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
      ...(options.breakerFailures === undefined ? {} : { breakerFailures: options.breakerFailures }),
      ...(options.halfOpenAfterMs === undefined ? {} : { halfOpenAfterMs: options.halfOpenAfterMs }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    };
    this.forecastApi = new HttpClient({
      ...shared,
      baseUrl: options.forecastBaseUrl,
      name: 'Open-Meteo forecast API',
    });
    this.geocodingApi = new HttpClient({
      ...shared,
      baseUrl: options.geocodingBaseUrl,
      name: 'Open-Meteo geocoding API',
    });
    this.apiKey = options.apiKey;
  }

  async forecast(request: ForecastRequest, signal?: AbortSignal): Promise<ForecastResponse> {
    const list = (names: readonly string[] | undefined) =>
      names === undefined || names.length === 0 ? undefined : names.join(',');
    const body = await this.forecastApi.get('/v1/forecast', {
      query: {
        latitude: request.latitude,
        longitude: request.longitude,
        current: list(request.current),
        hourly: list(request.hourly),
        daily: list(request.daily),
        timezone: request.timezone,
        forecast_days: request.forecastDays,
        temperature_unit: request.temperatureUnit,
        wind_speed_unit: request.windSpeedUnit,
        precipitation_unit: request.precipitationUnit,
        apikey: this.apiKey,
      },
      ...(signal === undefined ? {} : { signal }),
    });
    const parsed = ForecastResponseSchema.safeParse(body);
    if (!parsed.success) throw new UpstreamShapeError('Open-Meteo forecast API', parsed.error);
    return parsed.data;
  }

  /** Places whose name matches, biggest first; an empty list when none. */
  async searchPlaces(name: string, count = 10, signal?: AbortSignal): Promise<GeocodingResult[]> {
    const body = await this.geocodingApi.get('/v1/search', {
      query: { name, count, language: 'en', format: 'json', apikey: this.apiKey },
      ...(signal === undefined ? {} : { signal }),
    });
    const parsed = GeocodingResponseSchema.safeParse(body);
    if (!parsed.success) throw new UpstreamShapeError('Open-Meteo geocoding API', parsed.error);
    return parsed.data.results ?? [];
  }
}
