/**
 * Opening what governed access needs at run time: the API-key store and the audit log in the
 * embedded database (or PostgreSQL for the audit), the OIDC verifier, and the rate-limit counters
 * (in memory, or Redis). Kept apart from the Gateway so the core stays synchronous to construct
 * and tests can pass their own parts.
 */
import type { ApprovalStore } from './approvals/approval-store.ts';
import { openApprovalStore } from './approvals/open-approval-store.ts';
import { AuditLog, type AuditLogOptions } from './audit/audit-log.ts';
import type { JournalReplay } from './audit/journal-replay.ts';
import { PgAuditStore } from './audit/pg-store.ts';
import { createRedactor, type Redactor } from './audit/redact.ts';
import { SqliteAuditStore } from './audit/sqlite-store.ts';
import type { AuditStore } from './audit/store.ts';
import type { ApiKeyStore } from './auth/api-keys.ts';
import { Authenticator } from './auth/authenticator.ts';
import { MAX_PENDING_SIGN_INS, OidcSignIn, type SignInPending } from './auth/oidc-sign-in.ts';
import { OidcVerifier, type OidcVerifierOptions } from './auth/oidc-verifier.ts';
import { openApiKeyStore } from './auth/open-api-keys.ts';
import type { GatewayModel } from './config/model.ts';
import type { OidcModel } from './config/model-access.ts';
import { RateLimits } from './limits/rate-limits.ts';
import type { Logger } from './observability/logger.ts';
import { expiringRecords } from './storage/expiring-records.ts';
import {
  openSharedPostgres,
  type SharedPostgres,
  sharedStateKey,
  untilReachable,
} from './storage/postgres.ts';

export interface Access {
  authenticator: Authenticator;
  /** The API keys (embedded database, or the shared PostgreSQL of storage.postgres). */
  keys: ApiKeyStore | null;
  audit: AuditLog | null;
  /** The approval queue (embedded database, or the shared PostgreSQL), shared with the CLI, the HTTP API and other replicas. */
  approvals: ApprovalStore;
  /** The configured redaction, for anything shown or written outside the audit log. */
  redact: Redactor;
  /** The console's sign-in through the OIDC issuer; null unless auth.oidc.console is configured. */
  oidcSignIn: OidcSignIn | null;
  /** Rate-limit counters (in memory, or Redis); null when no rate limit rules are configured. */
  limits: RateLimits | null;
  /** The shared PostgreSQL (storage.postgres) the stores keep replica state in; null: embedded. */
  shared: SharedPostgres | null;
  /** The key task ids and requestState are sealed with, shared by replicas; null: one per process. */
  stateKey: Uint8Array | null;
  close(): Promise<void>;
}

/** The audit table in the shared PostgreSQL of storage.postgres. */
const SHARED_AUDIT_TABLE = 'gatehouse_audit';

/**
 * Where the audit chain is kept: audit.postgres when set (its own database or table), else the
 * shared PostgreSQL of storage.postgres (one chain every replica continues), else the embedded file.
 */
export function auditStore(model: GatewayModel, shared: SharedPostgres | null = null): AuditStore {
  const pg = model.audit.postgres;
  if (pg !== null) return new PgAuditStore({ connectionString: pg.url, table: pg.table });
  if (shared !== null) return new PgAuditStore({ pool: shared.pool, table: SHARED_AUDIT_TABLE });
  const sharedUrl = model.storage.postgres?.url;
  if (sharedUrl !== undefined)
    return new PgAuditStore({ connectionString: sharedUrl, table: SHARED_AUDIT_TABLE });
  return new SqliteAuditStore({ path: model.storage.path });
}

/** Where the embedded store's audit journal lives: beside the database file. */
export function auditJournalPath(store: AuditStore): string | null {
  return store instanceof SqliteAuditStore && store.path !== ':memory:'
    ? `${store.path}.audit-journal`
    : null;
}

/** The gateway acknowledges audit events on a journal when its audit store is the embedded one. */
function journalOf(store: AuditStore, log: Logger): Pick<AuditLogOptions, 'journal'> {
  const path = auditJournalPath(store);
  if (path === null) return {};
  const onOpen = (replay: JournalReplay | null): void => {
    if (replay === null)
      log.warn(
        { journal: path },
        'audit journal held by another process: every audit batch is committed directly',
      );
    else if (replay.replayed > 0 || replay.dropped !== null)
      log.warn({ journal: path, ...replay }, 'audit journal: committed what the last run acknowledged');
  };
  return { journal: { path, onOpen } };
}

/** The verifier's settings from the model: the one claim mapping for access and ID tokens. */
function verifierOptionsOf(oidcModel: OidcModel, log: Logger): OidcVerifierOptions {
  return {
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
      log.warn({ ...context, err: error instanceof Error ? error.message : String(error) }, 'OIDC keys'),
  };
}

/**
 * The console's OIDC sign-in: ID tokens are verified like access tokens (same keys, claims and
 * role map) but for the console's client id and without the MCP endpoint's required scopes. The
 * client secret is read from its environment variable here, once; it is in no model or log.
 */
function oidcSignInOf(oidcModel: OidcModel, log: Logger, shared: SharedPostgres | null): OidcSignIn | null {
  const client = oidcModel.console;
  if (client === null) return null;
  const secret = client.clientSecretEnv === null ? undefined : process.env[client.clientSecretEnv];
  const missing = client.clientSecretEnv !== null && (secret === undefined || secret === '');
  if (missing) {
    log.warn(
      { env: client.clientSecretEnv },
      'auth.oidc.console.clientSecretEnv names an unset variable; the console cannot sign in through OIDC',
    );
  }
  return new OidcSignIn({
    issuer: oidcModel.issuer,
    clientId: client.clientId,
    ...(secret === undefined || secret === '' ? {} : { clientSecret: secret }),
    ...(missing
      ? {
          unavailable: `Signing in through ${oidcModel.issuer} is not set up: the environment variable ${client.clientSecretEnv} (the client secret) is not set.`,
        }
      : {}),
    redirectUri: client.redirectUri,
    // Shared, so the issuer's callback may reach another replica than the one that began it.
    pending: expiringRecords<SignInPending>(
      shared,
      'oidc-sign-in',
      'The sign-ins under way (shared PostgreSQL)',
      MAX_PENDING_SIGN_INS,
    ),
    scopes: client.scopes,
    ...(oidcModel.jwksUri === null ? {} : { jwksUri: oidcModel.jwksUri }),
    verifier: ({ audience, jwksUri }) =>
      new OidcVerifier({
        ...verifierOptionsOf(oidcModel, log),
        audience,
        requiredScopes: [],
        ...(jwksUri === undefined ? {} : { jwksUri }),
      }),
    onError: (error, stage) =>
      log.warn(
        { stage, issuer: oidcModel.issuer, err: error instanceof Error ? error.message : String(error) },
        'OIDC console sign-in',
      ),
  });
}

export async function openAccess(model: GatewayModel, log: Logger): Promise<Access> {
  const shared =
    model.storage.postgres === null
      ? null
      : openSharedPostgres(model.storage.postgres, (error) =>
          log.warn({ err: error.message }, 'shared PostgreSQL connection lost'),
        );
  if (shared !== null) {
    await untilReachable(shared, (error, attempt) =>
      log.error(
        { err: error, attempt },
        'storage.postgres cannot be reached; the gateway starts serving once it answers',
      ),
    );
  }
  const stateKey = shared === null ? null : await sharedStateKey(shared);
  const keys = model.auth.apiKeys ? openApiKeyStore(model.storage, shared) : null;
  const oidcModel = model.auth.oidc;
  const oidc = oidcModel === null ? null : new OidcVerifier(verifierOptionsOf(oidcModel, log));
  const redact = createRedactor(model.audit.redact);
  const store = model.audit.enabled ? auditStore(model, shared) : null;
  const audit = store
    ? await AuditLog.open({
        store,
        redactor: redact,
        ...journalOf(store, log),
        onError: (error, failure) =>
          log.error(
            { ...failure, err: error instanceof Error ? error.message : String(error) },
            'audit batch not committed',
          ),
      })
    : null;
  const limits = RateLimits.create(model.rateLimits, log);
  const approvals = openApprovalStore(model.storage, shared, { ttlSeconds: model.approvals.ttlSeconds });
  const access: Access = {
    authenticator: new Authenticator({
      model: model.auth,
      keys,
      oidc,
      onUnavailable: (error) =>
        log.warn({ err: error.message }, 'API key not checked: key store unreachable'),
    }),
    oidcSignIn: oidcModel === null ? null : oidcSignInOf(oidcModel, log, shared),
    keys,
    audit,
    approvals,
    redact,
    limits,
    shared,
    stateKey,
    async close() {
      // A reload may have replaced the limits since opening.
      await access.limits?.close();
      await audit?.close();
      await keys?.close();
      await approvals.close();
      await shared?.close();
    },
  };
  return access;
}
