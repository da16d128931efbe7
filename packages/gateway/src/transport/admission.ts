/**
 * Admission, written once for every HTTP driver (the call lane and the web-standard front): the
 * Host and Origin checks against DNS rebinding, the drain, and authentication — in that order,
 * so a request from a foreign origin costs no credential check, and a credential is verified
 * once per request, whichever driver serves it. A refusal is a complete HTTP answer.
 */
import { AdmittedCaller } from '../auth/admitted-caller.ts';
import type { ServerModel } from '../config/model.ts';
import type { HeaderReader } from '../observability/tracing.ts';
import type { HttpAuth } from './http-auth.ts';
import { checkHostAndOrigin } from './hygiene.ts';
import { jsonRpcError } from './responses.ts';

export type Admission = { ok: true; caller: AdmittedCaller } | { ok: false; response: Response };

export interface Admitter {
  admit(headers: HeaderReader): Promise<Admission>;
}

export function createAdmission(options: {
  server: ServerModel;
  auth: HttpAuth;
  /** True once the gateway stopped accepting MCP requests. */
  draining: () => boolean;
}): Admitter {
  const { server, auth, draining } = options;
  return {
    async admit(headers) {
      const refused = checkHostAndOrigin(headers, server);
      if (refused) return { ok: false, response: refused };
      if (draining())
        return {
          ok: false,
          response: jsonRpcError(503, 'InternalError', 'Service Unavailable: the gateway is shutting down'),
        };
      const identity = await auth.authenticate(headers.get('authorization'));
      if (!identity.ok) return identity;
      return { ok: true, caller: new AdmittedCaller(identity.principal) };
    },
  };
}
