/**
 * The forecast variables the sandbox knows (the common subset of Open-Meteo's `hourly`,
 * `current` and `daily` variables), each with its unit kind, plus the unit labels and
 * conversions behind `temperature_unit`, `wind_speed_unit` and `precipitation_unit`, and the
 * rounding the real API applies to each kind.
 */
import type { DaySummary, HourSample } from './model.ts';

export interface Units {
  temperature: 'celsius' | 'fahrenheit';
  windSpeed: 'kmh' | 'ms' | 'mph' | 'kn';
  precipitation: 'mm' | 'inch';
}

export const DEFAULT_UNITS: Units = { temperature: 'celsius', windSpeed: 'kmh', precipitation: 'mm' };

export type UnitKind =
  | 'temperature'
  | 'percent'
  | 'precipitation'
  | 'snowfall'
  | 'wind'
  | 'degrees'
  | 'wmo'
  | 'pressure'
  | 'flag'
  | 'index'
  | 'time'
  | 'seconds'
  | 'hours';

interface Variable<T> {
  kind: UnitKind;
  pick(value: T): number;
}

/** Variables of `hourly=` and `current=`. */
export const HOURLY_VARIABLES: Record<string, Variable<HourSample>> = {
  temperature_2m: { kind: 'temperature', pick: (h) => h.temperature },
  relative_humidity_2m: { kind: 'percent', pick: (h) => h.humidity },
  dew_point_2m: { kind: 'temperature', pick: (h) => h.dewPoint },
  apparent_temperature: { kind: 'temperature', pick: (h) => h.apparentTemperature },
  precipitation_probability: { kind: 'percent', pick: (h) => h.precipitationProbability },
  precipitation: { kind: 'precipitation', pick: (h) => h.precipitation },
  rain: { kind: 'precipitation', pick: (h) => h.rain },
  showers: { kind: 'precipitation', pick: (h) => h.showers },
  snowfall: { kind: 'snowfall', pick: (h) => h.snowfall },
  weather_code: { kind: 'wmo', pick: (h) => h.weatherCode },
  cloud_cover: { kind: 'percent', pick: (h) => h.cloudCover },
  pressure_msl: { kind: 'pressure', pick: (h) => h.pressureMsl },
  wind_speed_10m: { kind: 'wind', pick: (h) => h.windSpeed },
  wind_direction_10m: { kind: 'degrees', pick: (h) => h.windDirection },
  wind_gusts_10m: { kind: 'wind', pick: (h) => h.windGusts },
  is_day: { kind: 'flag', pick: (h) => h.isDay },
  uv_index: { kind: 'index', pick: (h) => h.uvIndex },
};

/** Variables of `daily=`. */
export const DAILY_VARIABLES: Record<string, Variable<DaySummary>> = {
  weather_code: { kind: 'wmo', pick: (d) => d.weatherCode },
  temperature_2m_max: { kind: 'temperature', pick: (d) => d.temperatureMax },
  temperature_2m_min: { kind: 'temperature', pick: (d) => d.temperatureMin },
  temperature_2m_mean: { kind: 'temperature', pick: (d) => d.temperatureMean },
  apparent_temperature_max: { kind: 'temperature', pick: (d) => d.apparentMax },
  apparent_temperature_min: { kind: 'temperature', pick: (d) => d.apparentMin },
  sunrise: { kind: 'time', pick: (d) => d.sunrise },
  sunset: { kind: 'time', pick: (d) => d.sunset },
  daylight_duration: { kind: 'seconds', pick: (d) => d.daylightSeconds },
  sunshine_duration: { kind: 'seconds', pick: (d) => d.sunshineSeconds },
  uv_index_max: { kind: 'index', pick: (d) => d.uvIndexMax },
  precipitation_sum: { kind: 'precipitation', pick: (d) => d.precipitationSum },
  rain_sum: { kind: 'precipitation', pick: (d) => d.rainSum },
  showers_sum: { kind: 'precipitation', pick: (d) => d.showersSum },
  snowfall_sum: { kind: 'snowfall', pick: (d) => d.snowfallSum },
  precipitation_hours: { kind: 'hours', pick: (d) => d.precipitationHours },
  precipitation_probability_max: { kind: 'percent', pick: (d) => d.precipitationProbabilityMax },
  precipitation_probability_mean: { kind: 'percent', pick: (d) => d.precipitationProbabilityMean },
  wind_speed_10m_max: { kind: 'wind', pick: (d) => d.windSpeedMax },
  wind_gusts_10m_max: { kind: 'wind', pick: (d) => d.windGustsMax },
  wind_direction_10m_dominant: { kind: 'degrees', pick: (d) => d.windDirectionDominant },
};

const WIND_LABELS: Record<Units['windSpeed'], string> = { kmh: 'km/h', ms: 'm/s', mph: 'mp/h', kn: 'kn' };
const WIND_FACTORS: Record<Units['windSpeed'], number> = {
  kmh: 1,
  ms: 1 / 3.6,
  mph: 1 / 1.609344,
  kn: 1 / 1.852,
};

export function unitLabel(kind: UnitKind, units: Units, timeformat: 'iso8601' | 'unixtime'): string {
  switch (kind) {
    case 'temperature':
      return units.temperature === 'fahrenheit' ? '°F' : '°C';
    case 'percent':
      return '%';
    case 'precipitation':
      return units.precipitation === 'inch' ? 'inch' : 'mm';
    case 'snowfall':
      return units.precipitation === 'inch' ? 'inch' : 'cm';
    case 'wind':
      return WIND_LABELS[units.windSpeed];
    case 'degrees':
      return '°';
    case 'wmo':
      return 'wmo code';
    case 'pressure':
      return 'hPa';
    case 'time':
      return timeformat;
    case 'seconds':
      return 's';
    case 'hours':
      return 'h';
    default:
      return '';
  }
}

const roundTo = (value: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/** A metric model value in the requested units, rounded as the real API rounds that kind. */
export function convert(kind: UnitKind, value: number, units: Units): number {
  switch (kind) {
    case 'temperature':
      return roundTo(units.temperature === 'fahrenheit' ? (value * 9) / 5 + 32 : value, 1);
    case 'precipitation':
      return units.precipitation === 'inch' ? roundTo(value / 25.4, 3) : roundTo(value, 1);
    case 'snowfall':
      return units.precipitation === 'inch' ? roundTo(value / 2.54, 3) : roundTo(value, 2);
    case 'wind':
      return roundTo(value * WIND_FACTORS[units.windSpeed], 1);
    case 'pressure':
    case 'hours':
      return roundTo(value, 1);
    case 'index':
    case 'seconds':
      return roundTo(value, 2);
    default:
      return Math.round(value);
  }
}
