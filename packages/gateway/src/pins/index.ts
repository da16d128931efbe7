/**
 * Tool-definition pinning's public surface. An admin console approves through the running
 * gateway — `gateway.pins?.approve(upstream, tool, by, { via: 'console' })` serves the new
 * definition at once, tells clients and audits the approval — and reads with `await gateway.pins?.list()`
 * and `definitionDiff()`.
 */
export { type Admission, admitTools, type DetectedChange, type NewPin, type PinnedTool } from './admit.ts';
export {
  changedFields,
  definitionHash,
  PINNED_FIELDS,
  type PinnedField,
  servePinned,
  type ToolDefinition,
  toolDefinition,
  toolHash,
} from './definition.ts';
export { definitionDiff, type FieldDiff, lineDiff, renderDiff } from './diff.ts';
export { openPinStore } from './open-store.ts';
export { type AuditSink, pinAuditEvent } from './pin-audit.ts';
export { DEFAULT_PIN_POLL_MS, ToolPinning, type ToolPinningOptions } from './pinning.ts';
export type { PendingChange, PinEvent, PinEventKind, PinInfo, PinSnapshot, PinStore } from './store.ts';
export { PgPinStore } from './store-pg.ts';
export { SqlitePinStore } from './store-sqlite.ts';
