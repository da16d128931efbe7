/**
 * `get_forecast`: a daily forecast for one place, 1–16 days from today (local dates), one
 * compact row per day — condition in words, min/max temperature, precipitation amount and
 * chance, strongest wind, UV index, sunrise and sunset.
 */
import { defineTool, ToolError } from '@gatehouse/kit';
import * as z from 'zod';
import { compassPoint, conditionText } from '../weather-codes.ts';
import type { WeatherService } from '../weather-service.ts';
import {
  clockAt,
  nullableNumber,
  numberAt,
  PlaceSchema,
  placeInput,
  placeOutput,
  READ_ONLY_EXTERNAL,
  UnitsSchema,
  unitsOutput,
} from './shared.ts';

const DAILY_VARIABLES = [
  'weather_code',
  'temperature_2m_max',
  'temperature_2m_min',
  'precipitation_sum',
  'precipitation_probability_max',
  'wind_speed_10m_max',
  'wind_direction_10m_dominant',
  'uv_index_max',
  'sunrise',
  'sunset',
] as const;

export const ForecastSchema = z.object({
  place: PlaceSchema,
  units: UnitsSchema,
  days: z.array(
    z.object({
      date: z.string().describe('Local date, YYYY-MM-DD'),
      conditions: z.string().describe("The day's most significant weather, in words"),
      weatherCode: nullableNumber,
      temperatureMin: nullableNumber,
      temperatureMax: nullableNumber,
      precipitationSum: nullableNumber,
      precipitationProbability: nullableNumber.describe('Highest chance of precipitation that day, %'),
      windSpeedMax: nullableNumber,
      windDirection: z.string().nullable().describe('Dominant compass direction the wind blows from'),
      uvIndexMax: nullableNumber,
      sunrise: z.string().nullable().describe('Local time HH:MM'),
      sunset: z.string().nullable().describe('Local time HH:MM'),
    }),
  ),
});

export function getForecastTool(service: WeatherService) {
  return defineTool({
    name: 'get_forecast',
    title: 'Daily forecast',
    description:
      'Daily weather forecast for one place for the next 1–16 days (default 7), starting today in local time: ' +
      'per day the conditions in words, min/max temperature, precipitation amount and chance, strongest wind, ' +
      'UV index, sunrise and sunset. Give a place name (add region or country when the name is common) or ' +
      'latitude and longitude. For conditions right now use get_weather.',
    input: z.object({
      ...placeInput,
      days: z.number().int().min(1).max(16).default(7).describe('How many days, 1–16, today included.'),
    }),
    output: ForecastSchema,
    annotations: READ_ONLY_EXTERNAL,
    async handler(input, ctx) {
      const place = await service.resolvePlace(input, ctx.signal);
      const answer = await service.forecast(
        place,
        { daily: DAILY_VARIABLES, forecastDays: input.days },
        input.units,
        ctx.signal,
      );
      const daily = answer.daily;
      const dates = daily?.time;
      if (daily === undefined || dates === undefined) {
        throw new ToolError(
          'upstream_invalid',
          'The weather service answered without a daily forecast; try again shortly.',
        );
      }
      return {
        place: placeOutput(place, answer),
        units: unitsOutput(input.units),
        days: dates.map((date, i) => {
          const code = numberAt(daily, 'weather_code', i);
          return {
            date: String(date),
            conditions: conditionText(code),
            weatherCode: code,
            temperatureMin: numberAt(daily, 'temperature_2m_min', i),
            temperatureMax: numberAt(daily, 'temperature_2m_max', i),
            precipitationSum: numberAt(daily, 'precipitation_sum', i),
            precipitationProbability: numberAt(daily, 'precipitation_probability_max', i),
            windSpeedMax: numberAt(daily, 'wind_speed_10m_max', i),
            windDirection: compassPoint(numberAt(daily, 'wind_direction_10m_dominant', i)),
            uvIndexMax: numberAt(daily, 'uv_index_max', i),
            sunrise: clockAt(daily, 'sunrise', i),
            sunset: clockAt(daily, 'sunset', i),
          };
        }),
      };
    },
  });
}
