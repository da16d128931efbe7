/**
 * Pieces both weather tools share: the "where" input (a place name or coordinates) and unit
 * choice, the place and units blocks of their outputs, and readers that pull one value out of an
 * Open-Meteo answer as a number or null (the API answers null where a model has no value).
 */
import * as z from 'zod';
import type { ForecastResponse } from '../connectors/open-meteo.ts';
import type { Place } from '../places.ts';
import { UNIT_LABELS, type UnitSystem } from '../weather-service.ts';

export const placeInput = {
  location: z
    .string()
    .max(200)
    .optional()
    .describe(
      'Place name, optionally with region or country to disambiguate: "Chamonix", "Portland, Maine", "Paris, FR". "lat, lon" also works.',
    ),
  latitude: z
    .number()
    .min(-90)
    .max(90)
    .optional()
    .describe('Decimal latitude; give with longitude instead of a location.'),
  longitude: z.number().min(-180).max(180).optional().describe('Decimal longitude; give with latitude.'),
  units: z
    .enum(['metric', 'imperial'])
    .default('metric')
    .describe('metric: °C, km/h, mm (default); imperial: °F, mph, inches.'),
};

export const PlaceSchema = z.object({
  name: z.string(),
  region: z.string().optional(),
  country: z.string().optional(),
  latitude: z.number(),
  longitude: z.number(),
  timezone: z.string().describe('IANA time zone the local times are in'),
  elevation: z.number().optional().describe('metres'),
});

export const UnitsSchema = z.object({ temperature: z.string(), wind: z.string(), precipitation: z.string() });

export const nullableNumber = z.number().nullable();

export function placeOutput(place: Place, answer: ForecastResponse): z.input<typeof PlaceSchema> {
  return {
    ...place,
    timezone: answer.timezone,
    ...(answer.elevation === undefined ? {} : { elevation: answer.elevation }),
  };
}

export function unitsOutput(units: UnitSystem): z.input<typeof UnitsSchema> {
  return UNIT_LABELS[units];
}

/** A numeric field of a record (`current`), or null when absent or not a number. */
export function numberIn(record: Record<string, unknown> | undefined, key: string): number | null {
  const value = record?.[key];
  return typeof value === 'number' ? value : null;
}

/** The i-th value of a series (`daily[key][i]`) as a number or null. */
export function numberAt(
  series: Record<string, unknown[]> | undefined,
  key: string,
  index: number,
): number | null {
  const value = series?.[key]?.[index];
  return typeof value === 'number' ? value : null;
}

/** "2026-11-21T07:42" → "07:42"; null when absent. */
export function clockAt(
  series: Record<string, unknown[]> | undefined,
  key: string,
  index: number,
): string | null {
  const value = series?.[key]?.[index];
  return typeof value === 'string' && value.length >= 16 ? value.slice(11, 16) : null;
}

export const READ_ONLY_EXTERNAL = { readOnlyHint: true, openWorldHint: true } as const;
