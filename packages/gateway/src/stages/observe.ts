/**
 * observe: the outermost stage. It times every request and logs its outcome — including requests
 * that later stages deny or that fail — and turns unexpected exceptions into InternalError so a
 * bug in one request never reaches the transport as a crash.
 */
import { errorCode, wireError } from '../errors/wire.ts';
import type { Logger } from '../observability/logger.ts';
import type { Middleware } from '../pipeline/compose.ts';
import type { GatewayRequest } from '../pipeline/context.ts';

export function observe(log: Logger): Middleware<GatewayRequest> {
  return async (req, next) => {
    try {
      await next();
      req.outcome = req.inputRequired ? 'input_required' : 'ok';
    } catch (error) {
      req.outcome = 'error';
      req.error = error;
    }
    const fields = {
      rid: req.id,
      method: req.method,
      era: req.era,
      transport: req.transport,
      session: req.sessionId,
      upstream: req.target?.upstream.name,
      target: req.target?.original,
      outcome: req.outcome,
      ms: Math.round((performance.now() - req.startedAt) * 100) / 100,
    };
    if (req.outcome !== 'error') {
      log.debug(fields, 'request');
      return;
    }
    const code = errorCode(req.error);
    const message = req.error instanceof Error ? req.error.message : String(req.error);
    if (code === undefined) {
      log.error({ ...fields, err: req.error }, 'request failed unexpectedly');
      throw wireError('InternalError', `Internal error (request ${req.id})`);
    }
    log.info({ ...fields, code, err: message }, 'request failed');
    throw req.error;
  };
}
