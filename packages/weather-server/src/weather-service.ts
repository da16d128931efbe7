/**
 * What the tools stand on: place resolution and forecasts through the Open-Meteo client, each
 * behind its own TTL cache keyed by the normalized request (coordinates rounded to 0.01°, about a
 * kilometre), so repeated and concurrent identical questions cost one upstream call. Upstream
 * failures become ToolErrors a model can act on.
 */
import { ToolError } from '@gatehouse/kit';
import { HttpError, ServiceUnavailableError } from '@gatehouse/kit/infra';
import { type CacheStats, TtlCache } from './cache.ts';
import {
  type ForecastRequest,
  type ForecastResponse,
  type GeocodingResult,
  type OpenMeteoClient,
  UpstreamShapeError,
} from './connectors/open-meteo.ts';
import {
  choosePlace,
  fold,
  type Place,
  parseCoordinates,
  placeOf,
  splitLocation,
  unknownPlace,
} from './places.ts';

export type UnitSystem = 'metric' | 'imperial';

export const UNIT_LABELS: Record<UnitSystem, { temperature: string; wind: string; precipitation: string }> = {
  metric: { temperature: '°C', wind: 'km/h', precipitation: 'mm' },
  imperial: { temperature: '°F', wind: 'mph', precipitation: 'in' },
};

const UPSTREAM_UNITS: Record<
  UnitSystem,
  Pick<ForecastRequest, 'temperatureUnit' | 'windSpeedUnit' | 'precipitationUnit'>
> = {
  metric: { temperatureUnit: 'celsius', windSpeedUnit: 'kmh', precipitationUnit: 'mm' },
  imperial: { temperatureUnit: 'fahrenheit', windSpeedUnit: 'mph', precipitationUnit: 'inch' },
};

export interface PlaceQuery {
  location?: string | undefined;
  latitude?: number | undefined;
  longitude?: number | undefined;
}

export interface WeatherServiceOptions {
  cacheTtlSeconds: number;
  cacheMaxEntries: number;
  /** Cache clock (ms); tests move it instead of waiting. */
  now?: () => number;
}

/** Maps what the HTTP client throws to an error the model can act on; passes aborts through. */
export function toToolError(error: unknown): unknown {
  if (error instanceof ToolError) return error;
  if (error instanceof Error && error.name === 'AbortError') return error;
  if (error instanceof ServiceUnavailableError) {
    return new ToolError(
      'upstream_unavailable',
      `${error.message}. The weather service is not answering; try again in a minute.`,
    );
  }
  if (error instanceof HttpError) {
    if (error.status === 429) {
      return new ToolError(
        'rate_limited',
        `${error.service} is rate limiting this server (HTTP 429); try again later.`,
      );
    }
    if (error.status >= 500) {
      return new ToolError(
        'upstream_unavailable',
        `${error.message}. The weather service failed; try again in a minute.`,
      );
    }
    return new ToolError('upstream_rejected', `${error.message}: the weather service refused the request.`, {
      status: error.status,
    });
  }
  if (error instanceof UpstreamShapeError) return new ToolError('upstream_invalid', error.message);
  return error;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

export class WeatherService {
  private readonly client: OpenMeteoClient;
  private readonly forecasts: TtlCache<ForecastResponse>;
  private readonly searches: TtlCache<GeocodingResult[]>;

  constructor(client: OpenMeteoClient, options: WeatherServiceOptions) {
    this.client = client;
    const cacheOptions = {
      ttlMs: options.cacheTtlSeconds * 1000,
      maxEntries: options.cacheMaxEntries,
      ...(options.now === undefined ? {} : { now: options.now }),
    };
    this.forecasts = new TtlCache(cacheOptions);
    this.searches = new TtlCache(cacheOptions);
  }

  /** Hits, misses and coalesced waits of both caches. */
  cacheStats(): { forecasts: CacheStats; searches: CacheStats } {
    return { forecasts: this.forecasts.stats(), searches: this.searches.stats() };
  }

  /** Coordinates as given, or the one place a name stands for (ToolError when unknown or ambiguous). */
  async resolvePlace(query: PlaceQuery, signal?: AbortSignal): Promise<Place> {
    const { location, latitude, longitude } = query;
    if (latitude !== undefined || longitude !== undefined) {
      if (latitude === undefined || longitude === undefined) {
        throw new ToolError('invalid_input', 'Give both latitude and longitude, or a location name instead.');
      }
      return { name: location ?? `${latitude}, ${longitude}`, latitude, longitude };
    }
    if (location === undefined || location.trim() === '') {
      throw new ToolError(
        'invalid_input',
        'Say where: give a location (e.g. "Chamonix" or "Portland, Maine") or latitude and longitude.',
      );
    }
    const coordinates = parseCoordinates(location);
    if (coordinates !== undefined) return { name: location.trim(), ...coordinates };
    const { name } = splitLocation(location);
    if (fold(name).length < 2) {
      throw new ToolError(
        'invalid_input',
        `"${location}" is too short to look up; give a place name of at least two letters.`,
      );
    }
    const results = await this.search(name, signal);
    if (results.length === 0) {
      const suggestions = fold(name).length > 4 ? await this.search(fold(name).slice(0, 4), signal) : [];
      throw unknownPlace(location, suggestions);
    }
    return placeOf(choosePlace(location, results));
  }

  private search(name: string, signal: AbortSignal | undefined): Promise<GeocodingResult[]> {
    const key = fold(name);
    return this.searches
      .getOrLoad(key, () => this.client.searchPlaces(name, 10), signal)
      .catch((error: unknown) => Promise.reject(toToolError(error)));
  }

  /** A forecast for the place in local time (`timezone=auto`), cached per normalized request. */
  forecast(
    place: Pick<Place, 'latitude' | 'longitude'>,
    request: { current?: readonly string[]; daily?: readonly string[]; forecastDays: number },
    units: UnitSystem,
    signal?: AbortSignal,
  ): Promise<ForecastResponse> {
    const full: ForecastRequest = {
      latitude: round2(place.latitude),
      longitude: round2(place.longitude),
      ...(request.current ? { current: request.current } : {}),
      ...(request.daily ? { daily: request.daily } : {}),
      timezone: 'auto',
      forecastDays: request.forecastDays,
      ...UPSTREAM_UNITS[units],
    };
    const key = JSON.stringify([
      full.latitude,
      full.longitude,
      [...(full.current ?? [])].sort(),
      [...(full.daily ?? [])].sort(),
      full.forecastDays,
      units,
    ]);
    return this.forecasts
      .getOrLoad(key, () => this.client.forecast(full), signal)
      .catch((error: unknown) => Promise.reject(toToolError(error)));
  }

  /** Health: one small uncached forecast call. */
  async ping(signal: AbortSignal): Promise<string> {
    const answer = await this.client.forecast(
      { latitude: 0, longitude: 0, current: ['temperature_2m'], forecastDays: 1 },
      signal,
    );
    return `forecast API answered (${answer.timezone})`;
  }
}
