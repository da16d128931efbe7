/**
 * Errors on the REST API as RFC 9457 problem details (`application/problem+json`): the product's
 * own errors with their status, a body that is not JSON, an unknown route; anything unexpected is a
 * 500 whose detail names no internals (the log has the rest).
 */
import type { Context } from 'hono';
import { isProductError, PRODUCT_ERRORS, type ProductErrorKind } from '../domain/errors.ts';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
}

export function problem(status: number, title: string, detail: string, kind = 'about:blank'): Problem {
  return {
    type: kind === 'about:blank' ? kind : `https://lantern.example/problems/${kind}`,
    title,
    status,
    detail,
  };
}

export function problemResponse(p: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(p), {
    status: p.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
}

export function productProblem(kind: ProductErrorKind, detail: string): Problem {
  const entry = PRODUCT_ERRORS[kind];
  return problem(entry.status, entry.title, detail, kind);
}

/** Hono's onError: product errors keep their meaning, the rest is a bare 500. */
export function errorToProblem(error: unknown, c: Context, log: (error: unknown) => void): Response {
  if (isProductError(error)) {
    const headers: Record<string, string> =
      error.kind === 'unauthenticated'
        ? { 'www-authenticate': 'Bearer realm="lantern", error="invalid_token"' }
        : {};
    return problemResponse(productProblem(error.kind, error.message), headers);
  }
  if (error instanceof SyntaxError)
    return problemResponse(problem(400, 'Bad request', 'the body is not valid JSON'));
  log(error);
  void c;
  return problemResponse(
    problem(500, 'Internal error', 'Lantern could not finish this request; it is logged'),
  );
}
