/**
 * The one HTTP client domain servers use to reach the systems behind them (CRM, support desk,
 * billing, weather, platform API). Per client: a base URL, auth headers (a bearer token or any
 * header the service wants), and resilience composed from cockatiel policies, outermost first:
 *
 *   retry (GET/HEAD, or any request marked idempotent; 429/502/503/504 and network errors only,
 *          exponential backoff from 100 ms to 2 s, or longer when the answer's `Retry-After`
 *          asks for it — up to `maxRetryAfterMs`; a service asking for more is not retried)
 *   → circuit breaker (consecutive failures; while open, calls fail fast with `CircuitOpenError`)
 *   → per-attempt timeout (an AbortSignal, combined with the caller's)
 *
 * A non-2xx answer that is not retried becomes an `HttpError` carrying the status and a short,
 * body-free message (a service's error page never reaches the model verbatim). When the answer is
 * an RFC 9457 problem (`application/problem+json`), its `title` and `detail` (bounded) ride along
 * in `HttpError.problem` for the server to show when it trusts the service's wording.
 */
import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  type IBackoffFactory,
  type IRetryBackoffContext,
  retry,
  wrap,
} from 'cockatiel';
import { retryAfterMs } from './retry-after.ts';

export interface HttpClientOptions {
  /** The service's base URL, e.g. `https://api.hubapi.com` or a sandbox `http://127.0.0.1:7300/crm`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Extra headers on every request (e.g. an API key header). */
  headers?: Record<string, string>;
  /** Per-attempt timeout; default 5000 ms. */
  timeoutMs?: number;
  /** Total attempts for retryable requests; default 3 (1 = no retries). */
  maxAttempts?: number;
  /**
   * The longest `Retry-After` (on a retryable status) the client waits before its next attempt;
   * default 5000 ms. A service asking for longer gets no retry: its `HttpError` carries the wait.
   */
  maxRetryAfterMs?: number;
  /** Consecutive failures that open the breaker; default 5. */
  breakerFailures?: number;
  /** How long the breaker stays open before a trial call; default 10 s. */
  halfOpenAfterMs?: number;
  /** Shown in errors ("CRM answered HTTP 503"). */
  name?: string;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/** The readable part of an RFC 9457 problem answer. */
export interface HttpProblem {
  title?: string;
  detail?: string;
}

export class HttpError extends Error {
  readonly status: number;
  readonly service: string;
  /** The service's `Retry-After`, in ms, when it sent one. */
  readonly retryAfterMs: number | undefined;
  /** The answer's problem details, when it was `application/problem+json`. */
  readonly problem: HttpProblem | undefined;
  constructor(service: string, status: number, path: string, retryAfterMs?: number, problem?: HttpProblem) {
    super(`${service} answered HTTP ${status} for ${path}`);
    this.name = 'HttpError';
    this.status = status;
    this.service = service;
    this.retryAfterMs = retryAfterMs;
    this.problem = problem;
  }
}

const PROBLEM_BODY_MAX_CHARS = 16 * 1024;
const PROBLEM_FIELD_MAX_CHARS = 500;

/** `title` and `detail` of a problem+json answer (strings only, bounded); undefined for any other body. */
async function problemOf(response: Response): Promise<HttpProblem | undefined> {
  const type = response.headers.get('content-type') ?? '';
  if (!/^application\/problem\+json\b/i.test(type)) return undefined;
  try {
    const text = (await response.text()).slice(0, PROBLEM_BODY_MAX_CHARS);
    const body = JSON.parse(text) as Record<string, unknown>;
    const field = (value: unknown) =>
      typeof value === 'string' && value !== '' ? value.slice(0, PROBLEM_FIELD_MAX_CHARS) : undefined;
    const title = field(body.title);
    const detail = field(body.detail);
    return { ...(title === undefined ? {} : { title }), ...(detail === undefined ? {} : { detail }) };
  } catch {
    return undefined;
  }
}

export class ServiceUnavailableError extends Error {
  readonly service: string;
  constructor(service: string, reason: string) {
    super(`${service} is unavailable: ${reason}`);
    this.name = 'ServiceUnavailableError';
    this.service = service;
  }
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined | (string | number)[]>;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Lets a non-GET request be retried (the service deduplicates it, e.g. by idempotency key). */
  idempotent?: boolean;
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

class RetryableStatus extends Error {
  readonly status: number;
  readonly retryAfterMs: number | undefined;
  constructor(status: number, retryAfterMs: number | undefined) {
    super(`HTTP ${status}`);
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

type RetryContext = IRetryBackoffContext<unknown>;

/** `inner`'s delays, lengthened to the `Retry-After` of the answer being retried when it asks for more. */
function honouringRetryAfter(inner: IBackoffFactory<RetryContext>): IBackoffFactory<RetryContext> {
  return {
    next(context) {
      const step = inner.next(context);
      const failure = 'error' in context.result ? context.result.error : undefined;
      const asked = failure instanceof RetryableStatus ? (failure.retryAfterMs ?? 0) : 0;
      return {
        duration: Math.max(step.duration, asked),
        next: (later) => honouringRetryAfter(step).next(later),
      };
    },
  };
}

function isTransient(error: unknown): boolean {
  if (error instanceof RetryableStatus) return true;
  if (error instanceof HttpError) return false;
  // Timeouts of one attempt and network failures; a caller's own abort is not retried.
  return (error instanceof Error && error.name === 'TimeoutError') || error instanceof TypeError;
}

export class HttpClient {
  readonly name: string;
  private readonly options: HttpClientOptions;
  private readonly base: URL;
  private readonly retrying;
  private readonly once;
  private readonly doFetch: typeof fetch;

  constructor(options: HttpClientOptions) {
    this.options = options;
    this.name = options.name ?? new URL(options.baseUrl).host;
    this.base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    this.doFetch = options.fetch ?? fetch;
    const breaker = circuitBreaker(handleWhen(isTransient), {
      halfOpenAfter: options.halfOpenAfterMs ?? 10_000,
      breaker: new ConsecutiveBreaker(options.breakerFailures ?? 5),
    });
    const retryPolicy = retry(handleWhen(isTransient), {
      maxAttempts: Math.max(0, (options.maxAttempts ?? 3) - 1),
      backoff: honouringRetryAfter(new ExponentialBackoff({ initialDelay: 100, maxDelay: 2_000 })),
    });
    this.retrying = wrap(retryPolicy, breaker);
    this.once = breaker;
  }

  get<T = unknown>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('GET', path, options);
  }

  post<T = unknown>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, options);
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const policy = method === 'GET' || method === 'HEAD' || options.idempotent ? this.retrying : this.once;
    try {
      return await policy.execute(
        ({ signal }) => this.attempt<T>(method, path, options, signal),
        options.signal,
      );
    } catch (error) {
      throw this.explain(error, path);
    }
  }

  private explain(error: unknown, path: string): Error {
    if (error instanceof BrokenCircuitError) {
      return new ServiceUnavailableError(this.name, 'too many recent failures; try again shortly');
    }
    if (error instanceof RetryableStatus)
      return new HttpError(this.name, error.status, path, error.retryAfterMs);
    if (error instanceof Error && error.name === 'TimeoutError') {
      return new ServiceUnavailableError(this.name, `no answer within ${this.options.timeoutMs ?? 5000} ms`);
    }
    if (error instanceof TypeError) return new ServiceUnavailableError(this.name, 'connection failed');
    return error instanceof Error ? error : new Error(String(error));
  }

  private url(path: string, query: RequestOptions['query']): URL {
    const url = new URL(path.replace(/^\//, ''), this.base);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) url.searchParams.append(key, String(v));
      else url.searchParams.set(key, String(value));
    }
    return url;
  }

  private async attempt<T>(
    method: string,
    path: string,
    options: RequestOptions,
    outer: AbortSignal,
  ): Promise<T> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 5_000);
    const signal = AbortSignal.any([outer, timeout]);
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...this.options.headers,
      ...options.headers,
      ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    };
    let response: Response;
    try {
      response = await this.doFetch(this.url(path, options.query), {
        method,
        headers,
        signal,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
    } catch (error) {
      if (timeout.aborted && !outer.aborted) throw new DOMException('attempt timed out', 'TimeoutError');
      throw error;
    }
    if (response.ok) return (response.status === 204 ? undefined : await response.json()) as T;
    const wait = retryAfterMs(response.headers.get('retry-after'));
    if (RETRYABLE_STATUS.has(response.status) && (wait ?? 0) <= (this.options.maxRetryAfterMs ?? 5_000)) {
      await response.body?.cancel();
      throw new RetryableStatus(response.status, wait);
    }
    const problem = await problemOf(response);
    if (problem === undefined) await response.body?.cancel().catch(() => undefined);
    throw new HttpError(this.name, response.status, path, wait, problem);
  }
}
