/**
 * Admission, written once for every HTTP driver (the call lane and the web-standard front): the
 * Host and Origin checks against DNS rebinding, the drain, and authentication — in that order,
 * so a request from a foreign origin costs no credential check, and a credential is verified
 * once per request, whichever driver serves it. A refusal is a complete HTTP answer, and it is
 * audited (audit/refusals.ts: coalesced per source, reason and presented key).
 */

import type { RefusalAudit } from '../audit/refusals.ts';
import { AdmittedCaller } from '../auth/admitted-caller.ts';
import { presentedKeyId } from '../auth/api-keys.ts';
import { bearerToken } from '../auth/resource-metadata.ts';
import type { ServerModel } from '../config/model.ts';
import type { HeaderReader } from '../observability/tracing.ts';
import type { HttpAuth } from './http-auth.ts';
import { checkHostAndOrigin } from './hygiene.ts';
import { jsonRpcError } from './responses.ts';

export type Admission = { ok: true; caller: AdmittedCaller } | { ok: false; response: Response };

export interface Admitter {
  /** `source`: the peer address, for the audit of a refusal ("unknown" when not known). */
  admit(headers: HeaderReader, source: string): Promise<Admission>;
}

/** The protocol era a request's headers name (for the audit of a refusal, before any body). */
export function eraOfHeaders(headers: HeaderReader): 'legacy' | 'modern' {
  return (headers.get('mcp-protocol-version') ?? '') >= '2026-07-28' ? 'modern' : 'legacy';
}

export function createAdmission(options: {
  server: ServerModel;
  auth: HttpAuth;
  /** True once the gateway stopped accepting MCP requests. */
  draining: () => boolean;
  /** Where refusals are recorded (null when the audit is off). */
  refusals: RefusalAudit | null;
}): Admitter {
  const { server, auth, draining, refusals } = options;
  const refuse = async (response: Response, headers: HeaderReader, source: string): Promise<Admission> => {
    const token = bearerToken(headers.get('authorization'));
    const keyId = token.ok ? presentedKeyId(token.token) : undefined;
    await refusals?.refused(response, { source, era: eraOfHeaders(headers), keyId });
    return { ok: false, response };
  };
  return {
    async admit(headers, source) {
      const refused = checkHostAndOrigin(headers, server);
      if (refused) return refuse(refused, headers, source);
      // Shutting down is the gateway's state, not the caller's doing: answered, not audited.
      if (draining())
        return {
          ok: false,
          response: jsonRpcError(503, 'InternalError', 'Service Unavailable: the gateway is shutting down'),
        };
      const identity = await auth.authenticate(headers.get('authorization'));
      if (!identity.ok) return refuse(identity.response, headers, source);
      return { ok: true, caller: new AdmittedCaller(identity.principal, source) };
    },
  };
}
