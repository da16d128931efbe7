/**
 * Tool-definition pinning's public surface. An admin console approves through the running
 * gateway — `gateway.pins?.approve(upstream, tool, by, { via: 'console' })` serves the new
 * definition at once, tells clients and audits the approval — and reads with `gateway.pins?.list()`
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
export { DEFAULT_PIN_POLL_MS, pinAuditEvent, ToolPinning, type ToolPinningOptions } from './pinning.ts';
export { type PendingChange, type PinEvent, type PinEventKind, type PinInfo, PinStore } from './store.ts';
