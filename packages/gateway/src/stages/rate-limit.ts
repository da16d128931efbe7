/**
 * rate-limit: takes one request from every bucket the configured rules give this call (see
 * limits/buckets.ts) and refuses it with RateLimited when any bucket is full. Only requests that
 * target one tool, prompt or resource are counted — tools/call, prompts/get, resources/read, as
 * each rule's `methods` says; lists and everything else pass. Every round of a multi-round-trip
 * call is a request of its own and counts.
 */
import type { ProtocolError } from '@modelcontextprotocol/server';
import { wireError } from '../errors/wire.ts';
import { bucketsFor } from '../limits/buckets.ts';
import type { RateLimits, Refusal } from '../limits/rate-limits.ts';
import type { Stage } from '../pipeline/compose.ts';
import type { AuthorizedRequest } from '../pipeline/context.ts';

export function rateLimited({ rule, retryAfterSeconds }: Refusal): ProtocolError {
  return wireError(
    'RateLimited',
    `Rate limit "${rule.name}" exceeded (${rule.limit} per ${rule.windowSec} s); retry after ${retryAfterSeconds} s`,
    { rule: rule.name, limit: rule.limit, windowSec: rule.windowSec, retryAfterSeconds },
  );
}

export function rateLimit(limits: RateLimits): Stage<AuthorizedRequest> {
  return async (req, next) => {
    if (req.target === undefined) return next(req);
    const buckets = bucketsFor(limits.rules, {
      method: req.method,
      principal: req.principal,
      target: req.target.name,
      upstream: req.target.upstream.name,
    });
    if (buckets.length > 0) {
      const refusal = await limits.consume(buckets);
      if (refusal !== null) throw rateLimited(refusal);
    }
    return next(req);
  };
}
