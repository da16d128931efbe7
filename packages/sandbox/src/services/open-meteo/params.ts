/**
 * Reads `/v1/forecast` query parameters the way Open-Meteo does: comma-separated (or repeated)
 * coordinate and variable lists, range checks on coordinates and day counts, unit names. A bad
 * value throws `BadRequest`, answered as HTTP 400 `{"error": true, "reason": "…"}`.
 */
import { autoTimezone, knownTimezone } from './places.ts';
import { DAILY_VARIABLES, DEFAULT_UNITS, HOURLY_VARIABLES, type Units } from './variables.ts';

export class BadRequest extends Error {}

export interface ForecastLocation {
  latitude: number;
  longitude: number;
  /** A resolved IANA zone (`auto` already replaced). */
  timezone: string;
}

export interface ForecastQuery {
  locations: ForecastLocation[];
  current: string[];
  hourly: string[];
  daily: string[];
  forecastDays: number;
  pastDays: number;
  units: Units;
  timeformat: 'iso8601' | 'unixtime';
}

type Query = Record<string, string[] | undefined>;

/** Every value of a parameter, repeated or comma-separated, blanks dropped. */
function list(query: Query, name: string): string[] {
  return (query[name] ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

function single(query: Query, name: string): string | undefined {
  const values = list(query, name);
  return values.length === 0 ? undefined : values.join(',');
}

function coordinates(query: Query, name: 'latitude' | 'longitude', limit: number): number[] {
  const label = name === 'latitude' ? 'Latitude' : 'Longitude';
  const values = list(query, name);
  if (values.length === 0) throw new BadRequest(`Parameter '${name}' is required.`);
  return values.map((raw) => {
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new BadRequest(`${label} must be a number. Given: ${raw}.`);
    if (Math.abs(value) > limit)
      throw new BadRequest(`${label} must be in range of -${limit} to ${limit}°. Given: ${raw}.`);
    return value;
  });
}

function dayCount(query: Query, name: string, fallback: number, max: number, label: string): number {
  const raw = single(query, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new BadRequest(`${label} is invalid. Allowed range 0 to ${max}. Given: ${raw}.`);
  }
  return value;
}

function oneOf<T extends string>(query: Query, name: string, allowed: readonly T[], fallback: T): T {
  const raw = single(query, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new BadRequest(`Invalid value for '${name}': ${raw}. Expected one of ${allowed.join(', ')}.`);
  }
  return raw as T;
}

function variables(query: Query, name: 'current' | 'hourly' | 'daily'): string[] {
  const known = name === 'daily' ? DAILY_VARIABLES : HOURLY_VARIABLES;
  const names = list(query, name);
  for (const variable of names) {
    if (!Object.hasOwn(known, variable)) {
      throw new BadRequest(`Unknown variable '${variable}' for parameter '${name}'.`);
    }
  }
  return [...new Set(names)];
}

function timezones(query: Query, locations: { latitude: number; longitude: number }[]): string[] {
  const given = list(query, 'timezone');
  if (given.length > 1 && given.length !== locations.length) {
    throw new BadRequest("Parameter 'timezone' must have one value or one per location.");
  }
  return locations.map(({ latitude, longitude }, i) => {
    const raw = given.length > 1 ? given[i] : given[0];
    if (raw === undefined) return 'GMT';
    if (raw.toLowerCase() === 'auto') return autoTimezone(latitude, longitude);
    const zone = knownTimezone(raw);
    if (zone === undefined) throw new BadRequest(`Invalid timezone: ${raw}.`);
    return zone;
  });
}

export function parseForecastQuery(query: Query): ForecastQuery {
  const latitudes = coordinates(query, 'latitude', 90);
  const longitudes = coordinates(query, 'longitude', 180);
  if (latitudes.length !== longitudes.length) {
    throw new BadRequest("Parameters 'latitude' and 'longitude' must have the same number of elements.");
  }
  const points = latitudes.map((latitude, i) => ({ latitude, longitude: longitudes[i] ?? 0 }));
  const zones = timezones(query, points);
  return {
    locations: points.map((p, i) => ({ ...p, timezone: zones[i] ?? 'GMT' })),
    current: variables(query, 'current'),
    hourly: variables(query, 'hourly'),
    daily: variables(query, 'daily'),
    forecastDays: dayCount(query, 'forecast_days', 7, 16, 'Forecast days'),
    pastDays: dayCount(query, 'past_days', 0, 92, 'Past days'),
    units: {
      temperature: oneOf(query, 'temperature_unit', ['celsius', 'fahrenheit'], DEFAULT_UNITS.temperature),
      windSpeed: oneOf(query, 'wind_speed_unit', ['kmh', 'ms', 'mph', 'kn'], DEFAULT_UNITS.windSpeed),
      precipitation: oneOf(query, 'precipitation_unit', ['mm', 'inch'], DEFAULT_UNITS.precipitation),
    },
    timeformat: oneOf(query, 'timeformat', ['iso8601', 'unixtime'], 'iso8601'),
  };
}
