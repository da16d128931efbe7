/**
 * Opening what governed access needs at run time: the API-key store and the audit log in the
 * embedded database (or PostgreSQL for the audit), and the OIDC verifier. Kept apart from the
 * Gateway so the core stays synchronous to construct and tests can pass their own parts.
 */
import { AuditLog } from './audit/audit-log.ts';
import { PgAuditStore } from './audit/pg-store.ts';
import { createRedactor } from './audit/redact.ts';
import { SqliteAuditStore } from './audit/sqlite-store.ts';
import type { AuditStore } from './audit/store.ts';
import { ApiKeyStore } from './auth/api-keys.ts';
import { Authenticator } from './auth/authenticator.ts';
import { OidcVerifier } from './auth/oidc-verifier.ts';
import type { GatewayModel } from './config/model.ts';
import type { Logger } from './observability/logger.ts';

export interface Access {
  authenticator: Authenticator;
  keys: ApiKeyStore | null;
  audit: AuditLog | null;
  close(): Promise<void>;
}

export function auditStore(model: GatewayModel): AuditStore {
  const pg = model.audit.postgres;
  if (pg !== null) return new PgAuditStore({ connectionString: pg.url, table: pg.table });
  return new SqliteAuditStore({ path: model.storage.path });
}

export async function openAccess(model: GatewayModel, log: Logger): Promise<Access> {
  const keys = model.auth.apiKeys ? new ApiKeyStore(model.storage.path) : null;
  const oidcModel = model.auth.oidc;
  const oidc =
    oidcModel === null
      ? null
      : new OidcVerifier({
          issuer: oidcModel.issuer,
          audience: oidcModel.audience,
          ...(oidcModel.jwksUri === null ? {} : { jwksUri: oidcModel.jwksUri }),
          requiredScopes: oidcModel.requiredScopes,
          clockToleranceSec: oidcModel.clockToleranceSec,
          claims: {
            user: oidcModel.claims.user,
            ...(oidcModel.claims.org === null ? {} : { org: oidcModel.claims.org }),
            ...(oidcModel.claims.roles === null ? {} : { roles: oidcModel.claims.roles }),
          },
          ...(oidcModel.roleMap === null ? {} : { roleMap: oidcModel.roleMap }),
          onError: (error, context) =>
            log.warn(
              { ...context, err: error instanceof Error ? error.message : String(error) },
              'OIDC keys',
            ),
        });
  const audit = model.audit.enabled
    ? await AuditLog.open({
        store: auditStore(model),
        redactor: createRedactor(model.audit.redact),
        onError: (error, failure) =>
          log.error(
            { ...failure, err: error instanceof Error ? error.message : String(error) },
            'audit batch not committed',
          ),
      })
    : null;
  return {
    authenticator: new Authenticator({ model: model.auth, keys, oidc }),
    keys,
    audit,
    async close() {
      await audit?.close();
      keys?.close();
    },
  };
}
