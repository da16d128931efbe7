/**
 * The weather server's configuration, read from the environment and checked with zod so a bad
 * value stops the process at start with a message naming the variable (not at the first call).
 *
 *   OPEN_METEO_BASE_URL        forecast API base (default https://api.open-meteo.com)
 *   OPEN_METEO_GEOCODING_URL   geocoding API base (default https://geocoding-api.open-meteo.com)
 *   OPEN_METEO_API_KEY         optional; sent as the `apikey` query parameter (commercial API)
 *   OPEN_METEO_TIMEOUT_MS      per-attempt timeout (default 5000)
 *   OPEN_METEO_MAX_ATTEMPTS    attempts for a failing call, retries included (default 3)
 *   WEATHER_CACHE_TTL_SECONDS  how long answers are reused (default 600; 0 turns caching off)
 *   WEATHER_CACHE_MAX_ENTRIES  bound of the LRU cache (default 1000)
 */
import * as z from 'zod';

export interface WeatherConfig {
  forecastBaseUrl: string;
  geocodingBaseUrl: string;
  apiKey?: string;
  timeoutMs: number;
  maxAttempts: number;
  cacheTtlSeconds: number;
  cacheMaxEntries: number;
}

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const integer = (min: number, max: number, fallback: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` })
    .default(fallback);

const EnvSchema = z.object({
  OPEN_METEO_BASE_URL: httpUrl.default('https://api.open-meteo.com'),
  OPEN_METEO_GEOCODING_URL: httpUrl.default('https://geocoding-api.open-meteo.com'),
  OPEN_METEO_API_KEY: z.string().optional(),
  OPEN_METEO_TIMEOUT_MS: integer(50, 120_000, 5_000),
  OPEN_METEO_MAX_ATTEMPTS: integer(1, 10, 3),
  WEATHER_CACHE_TTL_SECONDS: integer(0, 7 * 86_400, 600),
  WEATHER_CACHE_MAX_ENTRIES: integer(1, 1_000_000, 1_000),
});

/** Reads the environment; empty variables count as unset. Throws one error listing every bad one. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): WeatherConfig {
  const present = Object.fromEntries(
    Object.keys(EnvSchema.shape)
      .map((key) => [key, env[key]?.trim()] as const)
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`weather-server: invalid environment\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    forecastBaseUrl: e.OPEN_METEO_BASE_URL,
    geocodingBaseUrl: e.OPEN_METEO_GEOCODING_URL,
    ...(e.OPEN_METEO_API_KEY ? { apiKey: e.OPEN_METEO_API_KEY } : {}),
    timeoutMs: e.OPEN_METEO_TIMEOUT_MS,
    maxAttempts: e.OPEN_METEO_MAX_ATTEMPTS,
    cacheTtlSeconds: e.WEATHER_CACHE_TTL_SECONDS,
    cacheMaxEntries: e.WEATHER_CACHE_MAX_ENTRIES,
  };
}
