/** The audit log's public surface: events, redaction, the hash chain, stores, verification, export. */
export { type AuditBatchFailure, AuditLog, type AuditLogOptions, DEFAULT_MAX_BATCH } from './audit-log.ts';
export {
  AUDIT_EVENT_FIELDS,
  type ChainHead,
  canonicalJson,
  chainRecords,
  eventOf,
  GENESIS_HASH,
  hashEvent,
} from './chain.ts';
export type { AuditDecision, AuditEvent, AuditRecord, AuditStatus } from './event.ts';
export { type ExportOptions, type ExportResult, exportJsonl, pagesOf, parseJsonl } from './export.ts';
export { DEFAULT_PG_TABLE, PgAuditStore, type PgAuditStoreOptions } from './pg-store.ts';
export {
  createRedactor,
  isSecretKey,
  MAX_REDACTION_DEPTH,
  type RedactionPattern,
  type Redactor,
  type RedactorOptions,
} from './redact.ts';
export { SqliteAuditStore, type SqliteAuditStoreOptions } from './sqlite-store.ts';
export {
  type AuditQuery,
  type AuditStore,
  DEFAULT_QUERY_LIMIT,
  type HeadCheckpoint,
  MAX_QUERY_LIMIT,
} from './store.ts';
export {
  type ChainFailure,
  type ChainProblem,
  DEFAULT_VERIFY_PAGE_SIZE,
  type ExpectedHead,
  type VerifiableStore,
  type VerifyOptions,
  type VerifyResult,
  verifyChain,
} from './verify.ts';
