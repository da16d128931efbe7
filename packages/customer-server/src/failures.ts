/**
 * How a failing CRM, support or billing call is told to the model: a `ToolError` whose code says
 * what kind of failure it is and whose message names the system and what to do, and the one-line
 * reason a partial profile gives for a section it could not fill.
 */
import { ToolError } from '@gatehouse/kit';
import { HttpError, ServiceUnavailableError } from '@gatehouse/kit/infra';

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/** "ChargeOver is unavailable: …" for a section of a partial answer. */
export function unavailableReason(error: unknown): string {
  if (error instanceof ServiceUnavailableError) return error.message;
  if (error instanceof HttpError) {
    if (error.status === 401 || error.status === 403)
      return `${error.service} rejected the server's credentials (HTTP ${error.status})`;
    if (error.status === 429)
      return `${error.service} is rate-limiting requests (HTTP 429); try again shortly`;
    return `${error.service} is unavailable: it answered HTTP ${error.status}`;
  }
  if (error instanceof ToolError) return error.message;
  return `failed: ${error instanceof Error ? error.message : String(error)}`;
}

/** Turns a connector failure into a ToolError; a caller's abort and ToolErrors pass through. */
export function toToolError(error: unknown, notFound?: string): unknown {
  if (error instanceof ToolError || isAbort(error)) return error;
  if (error instanceof HttpError && error.status === 404 && notFound) {
    return new ToolError('not_found', notFound);
  }
  if (error instanceof HttpError && (error.status === 401 || error.status === 403)) {
    return new ToolError(
      'upstream_auth',
      `${unavailableReason(error)}; the server's configuration needs fixing`,
      {
        service: error.service,
      },
    );
  }
  if (error instanceof HttpError && error.status === 429) {
    return new ToolError('rate_limited', unavailableReason(error), { service: error.service });
  }
  if (error instanceof HttpError || error instanceof ServiceUnavailableError) {
    return new ToolError('unavailable', `${unavailableReason(error)}. Try again in a minute.`, {
      service: error.service,
    });
  }
  return error;
}
