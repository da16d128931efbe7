/**
 * One line for what went wrong with the model: a provider's error answer (HTTP status and the
 * provider's own message), an unreachable endpoint, or a malformed tool call. Never a key.
 */
import { APICallError, InvalidToolInputError, NoSuchToolError, RetryError } from 'ai';

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? '';
}

/** The provider's own message from an error body: OpenAI's and Anthropic's shapes both. */
function bodyMessage(body: string | undefined): string | undefined {
  if (body === undefined || body === '') return undefined;
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
    if (typeof parsed.error?.message === 'string') return parsed.error.message;
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // Not JSON: the body's first line says it best.
  }
  return firstLine(body).slice(0, 200);
}

export function describeProviderError(error: unknown, endpoint: string): string {
  const cause = RetryError.isInstance(error) ? error.lastError : error;
  const attempts = RetryError.isInstance(error) ? ` (after ${error.errors.length} attempts)` : '';
  if (APICallError.isInstance(cause)) {
    if (cause.statusCode === undefined) {
      return `the model provider at ${endpoint} is unreachable: ${firstLine(cause.message)}${attempts}`;
    }
    const said = bodyMessage(cause.responseBody) ?? firstLine(cause.message);
    return `the model provider answered HTTP ${cause.statusCode}${attempts}: ${said}`;
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return `the model provider failed${attempts}: ${firstLine(message)}`;
}

/** The error of a tool call the SDK could not run as asked, or undefined for any other error. */
export function describeMalformedToolCall(toolName: string, error: unknown): string | undefined {
  if (NoSuchToolError.isInstance(error)) return `the model called an unknown tool "${toolName}"`;
  if (InvalidToolInputError.isInstance(error)) {
    const cause = error.cause instanceof Error ? error.cause.message : String(error.cause ?? error.message);
    return `the model sent malformed arguments for "${toolName}": ${firstLine(cause)}`;
  }
  return undefined;
}
