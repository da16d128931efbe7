/**
 * The Open-Meteo stand-in, mounted at `/open-meteo`. It answers two real APIs under one mount:
 *
 *   GET /v1/forecast   the forecast API (api.open-meteo.com): current / hourly / daily variables,
 *                      units, time zones incl. `auto`, past and forecast days, several locations
 *   GET /v1/search     the geocoding API (geocoding-api.open-meteo.com/v1/search) over a built-in
 *                      list of world cities
 *
 * Like the free API it needs no credentials; an `apikey` query parameter (what the commercial
 * API takes) is accepted and ignored. Values are deterministic in (seed, place, date) and
 * generated around the sandbox's "now"; bad parameters get the real HTTP 400
 * `{"error": true, "reason": "…"}`.
 */
import { Hono } from 'hono';
import type { ServiceFactory } from '../service.ts';
import { buildForecast } from './open-meteo/forecast.ts';
import { BadRequest, parseForecastQuery } from './open-meteo/params.ts';
import { searchCities } from './open-meteo/places.ts';

export const openMeteo: ServiceFactory = ({ seed, now }) => {
  const app = new Hono();

  app.get('/v1/forecast', (c) => {
    let query: ReturnType<typeof parseForecastQuery>;
    try {
      query = parseForecastQuery(c.req.queries());
    } catch (error) {
      if (error instanceof BadRequest) return c.json({ error: true, reason: error.message }, 400);
      throw error;
    }
    const answers = query.locations.map((location) => buildForecast(seed, now, query, location));
    return c.json(answers.length === 1 ? answers[0] : answers);
  });

  app.get('/v1/search', (c) => {
    const started = performance.now();
    const name = c.req.query('name');
    if (name === undefined || name.trim() === '') {
      return c.json({ error: true, reason: "Parameter 'name' is required." }, 400);
    }
    const rawCount = c.req.query('count') ?? '10';
    const count = Number(rawCount);
    if (!Number.isInteger(count) || count < 1 || count > 100) {
      return c.json(
        { error: true, reason: `Parameter 'count' must be between 1 and 100. Given: ${rawCount}.` },
        400,
      );
    }
    const format = c.req.query('format') ?? 'json';
    if (format !== 'json') {
      return c.json(
        { error: true, reason: `Format '${format}' is not served by the sandbox; use json.` },
        400,
      );
    }
    const results = searchCities(name, count);
    const generationtime_ms = Math.round((performance.now() - started) * 1000) / 1000;
    // Like the real service: no `results` key at all when nothing matched.
    return c.json(results.length === 0 ? { generationtime_ms } : { results, generationtime_ms });
  });

  return {
    name: 'open-meteo',
    title: 'Open-Meteo forecast API (api.open-meteo.com) and geocoding API (geocoding-api.open-meteo.com)',
    realBaseUrl: 'https://api.open-meteo.com',
    auth: 'none (free API); the commercial API takes an `apikey` query parameter',
    requiresAuth: false,
    app,
  };
};
