/**
 * Builds one location's `/v1/forecast` answer in the real response shape: snapped coordinates,
 * elevation, the time zone's offset and abbreviation, then `current`, `hourly` and `daily` blocks
 * (each with its `*_units`) holding exactly the requested variables in the requested units.
 * Hours run from local midnight `past_days` ago for `past_days + forecast_days` days; `current`
 * is the sandbox's "now" rounded down to 15 minutes.
 */
import { derive } from '../../random.ts';
import { type Cell, type HourSample, PlaceWeather, summarizeDay } from './model.ts';
import type { ForecastLocation, ForecastQuery } from './params.ts';
import { nearestCity, zoneAt } from './places.ts';
import { convert, DAILY_VARIABLES, HOURLY_VARIABLES, unitLabel } from './variables.ts';

const DAY_SECONDS = 86_400;
const CURRENT_INTERVAL_SECONDS = 900;

/** The model grid: 0.01° cells; elevation from a known city within 15 km, else seeded terrain. */
function cellFor(seed: number, latitude: number, longitude: number): Cell {
  const lat = Math.round(latitude * 100) / 100;
  const lon = Math.round(longitude * 100) / 100;
  const near = nearestCity(lat, lon);
  const elevation =
    near !== undefined && near.km <= 15
      ? near.city.elevation
      : derive(seed, `open-meteo:elevation:${lat}:${lon}`).int(0, 600);
  return { latitude: lat, longitude: lon, elevation };
}

function timeText(
  unixSeconds: number,
  offsetSeconds: number,
  format: ForecastQuery['timeformat'],
  dateOnly: boolean,
): string | number {
  if (format === 'unixtime') return unixSeconds;
  const iso = new Date((unixSeconds + offsetSeconds) * 1000).toISOString();
  return dateOnly ? iso.slice(0, 10) : iso.slice(0, 16);
}

/** The current hour's sample, with temperature-like values interpolated to the 15-minute instant. */
function currentSample(weather: PlaceWeather, instant: number): HourSample {
  const hourStart = Math.floor(instant / 3600) * 3600;
  const hour = weather.sample(hourStart);
  const now = weather.sample(hourStart, instant);
  return {
    ...now,
    rain: hour.rain,
    showers: hour.showers,
    snowfall: hour.snowfall,
    weatherCode: hour.weatherCode,
  };
}

export function buildForecast(
  seed: number,
  now: Date,
  query: ForecastQuery,
  location: ForecastLocation,
): Record<string, unknown> {
  const started = performance.now();
  const cell = cellFor(seed, location.latitude, location.longitude);
  const weather = new PlaceWeather(seed, cell);
  const { offsetSeconds, abbreviation } = zoneAt(location.timezone, now);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const localMidnight = Math.floor((nowSeconds + offsetSeconds) / DAY_SECONDS) * DAY_SECONDS;
  const firstHour = localMidnight - query.pastDays * DAY_SECONDS - offsetSeconds;
  const dayCount = query.pastDays + query.forecastDays;
  const format = query.timeformat;
  const label = (kind: Parameters<typeof unitLabel>[0]): string => unitLabel(kind, query.units, format);

  const answer: Record<string, unknown> = {
    latitude: cell.latitude,
    longitude: cell.longitude,
    generationtime_ms: 0,
    utc_offset_seconds: offsetSeconds,
    timezone: location.timezone,
    timezone_abbreviation: abbreviation,
    elevation: cell.elevation,
  };

  if (query.current.length > 0) {
    const instant = Math.floor(nowSeconds / CURRENT_INTERVAL_SECONDS) * CURRENT_INTERVAL_SECONDS;
    const sample = currentSample(weather, instant);
    const units: Record<string, string> = { time: format, interval: 'seconds' };
    const values: Record<string, unknown> = {
      time: timeText(instant, offsetSeconds, format, false),
      interval: CURRENT_INTERVAL_SECONDS,
    };
    for (const name of query.current) {
      const variable = HOURLY_VARIABLES[name];
      if (variable === undefined) continue;
      units[name] = label(variable.kind);
      values[name] = convert(variable.kind, variable.pick(sample), query.units);
    }
    answer.current_units = units;
    answer.current = values;
  }

  const needHours = query.hourly.length > 0 || query.daily.length > 0;
  const hours = needHours
    ? Array.from({ length: dayCount * 24 }, (_, i) => weather.sample(firstHour + i * 3600))
    : [];

  if (query.hourly.length > 0) {
    const units: Record<string, string> = { time: format };
    const series: Record<string, unknown[]> = {
      time: hours.map((h) => timeText(h.time, offsetSeconds, format, false)),
    };
    for (const name of query.hourly) {
      const variable = HOURLY_VARIABLES[name];
      if (variable === undefined) continue;
      units[name] = label(variable.kind);
      series[name] = hours.map((h) => convert(variable.kind, variable.pick(h), query.units));
    }
    answer.hourly_units = units;
    answer.hourly = series;
  }

  if (query.daily.length > 0) {
    const days = Array.from({ length: dayCount }, (_, d) =>
      summarizeDay(cell, hours.slice(d * 24, d * 24 + 24), offsetSeconds),
    );
    const units: Record<string, string> = { time: format };
    const series: Record<string, unknown[]> = {
      time: days.map((d) => timeText(d.start, offsetSeconds, format, true)),
    };
    for (const name of query.daily) {
      const variable = DAILY_VARIABLES[name];
      if (variable === undefined) continue;
      units[name] = label(variable.kind);
      series[name] = days.map((d) =>
        variable.kind === 'time'
          ? timeText(Math.round(variable.pick(d)), offsetSeconds, format, false)
          : convert(variable.kind, variable.pick(d), query.units),
      );
    }
    answer.daily_units = units;
    answer.daily = series;
  }

  answer.generationtime_ms = Math.round((performance.now() - started) * 1000) / 1000;
  return answer;
}
