/**
 * The HTTP side of authentication, as a thin adapter: the Authorization header goes to the
 * Authenticator; a refusal becomes the status and `WWW-Authenticate` challenge the MCP
 * authorization spec asks for; a principal becomes the SDK's `authInfo`, which carries it to the
 * pipeline (transport/admission.ts). Also serves the RFC 9728 protected-resource metadata when OIDC is configured.
 */
import type { Authenticator, AuthOutcome } from '../auth/authenticator.ts';
import type { Principal } from '../auth/principal.ts';
import {
  protectedResourceMetadata,
  resourceMetadataPaths,
  resourceMetadataUrl,
  wwwAuthenticate,
} from '../auth/resource-metadata.ts';
import type { ServerModel } from '../config/model.ts';
import type { AuthModel } from '../config/model-access.ts';
import { jsonRpcError, plainJson } from './responses.ts';

type Refusal = Extract<AuthOutcome, { ok: false }>;

function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&').replace(/[^\x20-\x7e]/g, '')}"`;
}

function challenge(refusal: Refusal, auth: AuthModel, server: ServerModel): string {
  if (auth.oidc !== null) {
    return wwwAuthenticate({
      resourceMetadataUrl: resourceMetadataUrl(server.resourceUrl),
      ...(refusal.error === undefined ? {} : { error: refusal.error, description: refusal.description }),
      ...(refusal.scope === undefined ? {} : { scope: refusal.scope }),
    });
  }
  const params = ['realm="gatehouse"'];
  if (refusal.error !== undefined) {
    params.push(`error=${quote(refusal.error)}`, `error_description=${quote(refusal.description)}`);
  }
  return `Bearer ${params.join(', ')}`;
}

/** Seconds a client is asked to wait when the key store is unreachable. */
const STORE_RETRY_AFTER_SECONDS = 5;

export function refusalResponse(refusal: Refusal, auth: AuthModel, server: ServerModel): Response {
  if (refusal.status === 503) {
    const response = jsonRpcError(503, 'StorageUnavailable', refusal.description);
    response.headers.set('retry-after', String(STORE_RETRY_AFTER_SECONDS));
    return response;
  }
  const name = refusal.status === 400 ? 'InvalidRequest' : 'Unauthenticated';
  const response = jsonRpcError(refusal.status, name, refusal.description);
  response.headers.set('www-authenticate', challenge(refusal, auth, server));
  return response;
}

export interface HttpAuth {
  /** The principal for a request's Authorization header, or the response refusing it. */
  authenticate(
    authorization: string | null,
  ): Promise<{ ok: true; principal: Principal } | { ok: false; response: Response }>;
  /** The protected-resource metadata document, when `pathname` is one of its URLs. */
  metadata(pathname: string): Response | undefined;
}

export function createHttpAuth(authenticator: Authenticator, auth: AuthModel, server: ServerModel): HttpAuth {
  const oidc = auth.oidc;
  const metadataPaths = oidc === null ? [] : resourceMetadataPaths(server.resourceUrl);
  return {
    async authenticate(authorization) {
      const outcome = await authenticator.authenticateHttp(authorization);
      if (outcome.ok) return outcome;
      return { ok: false, response: refusalResponse(outcome, auth, server) };
    },
    metadata(pathname) {
      if (oidc === null || !metadataPaths.includes(pathname)) return undefined;
      return plainJson(
        200,
        protectedResourceMetadata({
          resource: server.resourceUrl,
          authorizationServers: [oidc.issuer],
          scopesSupported: oidc.scopesSupported,
          resourceName: 'Gatehouse MCP gateway',
        }),
      );
    },
  };
}
