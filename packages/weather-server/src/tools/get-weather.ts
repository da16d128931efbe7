/**
 * `get_weather`: the conditions right now at one place, shaped for a model — the place it
 * resolved to, local time, condition in words, temperature and feels-like, humidity,
 * precipitation, cloud cover and wind with a compass direction.
 */
import { defineTool, ToolError } from '@gatehouse/kit';
import * as z from 'zod';
import { compassPoint, conditionText } from '../weather-codes.ts';
import type { WeatherService } from '../weather-service.ts';
import {
  nullableNumber,
  numberIn,
  PlaceSchema,
  placeInput,
  placeOutput,
  READ_ONLY_EXTERNAL,
  UnitsSchema,
  unitsOutput,
} from './shared.ts';

const CURRENT_VARIABLES = [
  'temperature_2m',
  'apparent_temperature',
  'relative_humidity_2m',
  'precipitation',
  'weather_code',
  'cloud_cover',
  'is_day',
  'wind_speed_10m',
  'wind_direction_10m',
  'wind_gusts_10m',
] as const;

export const CurrentWeatherSchema = z.object({
  place: PlaceSchema,
  localTime: z.string().describe('Local time of these values at the place (ISO 8601, no offset)'),
  conditions: z.string().describe('The weather in words, from the WMO weather code'),
  weatherCode: nullableNumber.describe('WMO weather interpretation code'),
  isDay: z.boolean().nullable(),
  temperature: nullableNumber,
  feelsLike: nullableNumber.describe('Apparent temperature (wind and humidity included)'),
  humidity: nullableNumber.describe('Relative humidity, %'),
  precipitation: nullableNumber.describe('Precipitation in the current interval'),
  cloudCover: nullableNumber.describe('%'),
  wind: z.object({
    speed: nullableNumber,
    gusts: nullableNumber,
    direction: z.string().nullable().describe('Compass point the wind blows from'),
    degrees: nullableNumber,
  }),
  units: UnitsSchema,
});

export function getWeatherTool(service: WeatherService) {
  return defineTool({
    name: 'get_weather',
    title: 'Current weather',
    description:
      'Current weather at one place: conditions in words, temperature and feels-like, humidity, precipitation, ' +
      'cloud cover and wind, with the local time. Give a place name (add region or country when the name is ' +
      'common, e.g. "Portland, Maine") or latitude and longitude. For the days ahead use get_forecast.',
    input: z.object(placeInput),
    output: CurrentWeatherSchema,
    annotations: READ_ONLY_EXTERNAL,
    async handler(input, ctx) {
      const place = await service.resolvePlace(input, ctx.signal);
      const answer = await service.forecast(
        place,
        { current: CURRENT_VARIABLES, forecastDays: 1 },
        input.units,
        ctx.signal,
      );
      const current = answer.current;
      if (current === undefined || typeof current.time !== 'string') {
        throw new ToolError(
          'upstream_invalid',
          'The weather service answered without current conditions; try again shortly.',
        );
      }
      const code = numberIn(current, 'weather_code');
      const isDay = numberIn(current, 'is_day');
      const degrees = numberIn(current, 'wind_direction_10m');
      return {
        place: placeOutput(place, answer),
        localTime: current.time,
        conditions: conditionText(code),
        weatherCode: code,
        isDay: isDay === null ? null : isDay === 1,
        temperature: numberIn(current, 'temperature_2m'),
        feelsLike: numberIn(current, 'apparent_temperature'),
        humidity: numberIn(current, 'relative_humidity_2m'),
        precipitation: numberIn(current, 'precipitation'),
        cloudCover: numberIn(current, 'cloud_cover'),
        wind: {
          speed: numberIn(current, 'wind_speed_10m'),
          gusts: numberIn(current, 'wind_gusts_10m'),
          direction: compassPoint(degrees),
          degrees,
        },
        units: unitsOutput(input.units),
      };
    },
  });
}
