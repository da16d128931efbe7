/**
 * What the platform-ops tools share: the catalog directory (service names cached for a few
 * minutes, for suggestions and completion), the translation of platform API failures into tool
 * errors a model can act on, and the guard that a side-effecting action has a caller to
 * attribute it to.
 */
import { type Caller, type HandlerContext, ToolError } from '@gatehouse/kit';
import { HttpError, ServiceUnavailableError } from '@gatehouse/kit/infra';
import type { CatalogEntry, PlatformApi } from '../connectors/platform-api.ts';

/** Service names are lower-case words joined by hyphens; anything else is not in the catalog. */
export const SERVICE_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const DEPLOY_ID = /^[A-Za-z0-9_-]{1,64}$/;

const CATALOG_TTL_MS = 5 * 60_000;

/** The catalog, cached briefly: it changes rarely and completion asks for it on every keystroke. */
export class ServiceDirectory {
  private cached: { at: number; entries: CatalogEntry[] } | undefined;
  private readonly api: PlatformApi;

  constructor(api: PlatformApi) {
    this.api = api;
  }

  async entries(signal?: AbortSignal): Promise<CatalogEntry[]> {
    if (this.cached !== undefined && Date.now() - this.cached.at < CATALOG_TTL_MS) return this.cached.entries;
    const entries = await this.api.listServices(signal);
    this.cached = { at: Date.now(), entries };
    return entries;
  }

  async names(signal?: AbortSignal): Promise<string[]> {
    return (await this.entries(signal)).map((e) => e.name);
  }

  /** Names close to `wanted` (same words, a typo away), best first. */
  async suggest(wanted: string, signal?: AbortSignal): Promise<string[]> {
    const names = await this.names(signal).catch(() => []);
    const lower = wanted.toLowerCase().trim();
    return names
      .map((name) => ({ name, distance: distance(lower, name) }))
      .filter(
        ({ name, distance: d }) =>
          d <= 3 || name.includes(lower) || lower.includes(name.split('-')[0] ?? name),
      )
      .sort((a, b) => a.distance - b.distance)
      .map(({ name }) => name)
      .slice(0, 3);
  }
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(
        Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

export async function unknownService(
  directory: ServiceDirectory,
  name: string,
  signal?: AbortSignal,
): Promise<ToolError> {
  const close = await directory.suggest(name, signal);
  const all = await directory.names(signal).catch(() => []);
  const hint =
    close.length > 0
      ? ` Did you mean ${close.map((n) => `"${n}"`).join(' or ')}?`
      : all.length > 0
        ? ` Known services: ${all.join(', ')}.`
        : '';
  return new ToolError('unknown_service', `There is no service named "${name}" in the catalog.${hint}`, {
    service: name,
    suggestions: close,
  });
}

/** True for an HTTP answer with this status from the platform API. */
export function isStatus(error: unknown, status: number): boolean {
  return error instanceof HttpError && error.status === status;
}

/** Turns a platform API failure into a ToolError (ToolErrors and cancellations pass through). */
export function platformFailure(error: unknown): Error {
  if (error instanceof ToolError) return error;
  if (error instanceof Error && error.name === 'AbortError') return error;
  if (error instanceof ServiceUnavailableError) {
    return new ToolError(
      'platform_unavailable',
      `${error.message}. Nothing was changed. Try again in a minute; until then check the service dashboards directly.`,
    );
  }
  if (error instanceof HttpError) {
    if (error.status === 401 || error.status === 403) {
      return new ToolError(
        'platform_auth',
        `The platform API refused this server's credentials (HTTP ${error.status}). PLATFORM_TOKEN is missing, wrong or expired; an operator has to fix it — retrying will not help.`,
      );
    }
    if (error.status >= 500 || error.status === 429) {
      return new ToolError(
        'platform_unavailable',
        `The platform API is failing (HTTP ${error.status}, still after retries). Try again in a minute; until then check the service dashboards directly.`,
        { status: error.status },
      );
    }
    return new ToolError(
      'platform_rejected',
      `The platform API rejected the request (HTTP ${error.status}).`,
      {
        status: error.status,
      },
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** The caller an action is attributed to; refuses when there is none. */
export function requireCaller(ctx: HandlerContext, action: string): Caller {
  if (ctx.caller === null) {
    throw new ToolError(
      'caller_required',
      `${action} changes production and must be attributable to a person, but this request carries no caller identity. Call it through Gatehouse (the upstream needs forwardIdentity: { meta: true }) or, for local use, set GATEHOUSE_CALLER.`,
    );
  }
  return ctx.caller;
}

/** Milliseconds as whole minutes ago, never negative. */
export function minutesBetween(earlier: string, now: number): number {
  return Math.max(0, Math.round((now - Date.parse(earlier)) / 60_000));
}
