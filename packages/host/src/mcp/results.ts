/**
 * A tool result as the model reads it, and the gateway's "awaiting approval" answer recognized.
 */
import type { HostToolResult } from '../contract.ts';

type Json = Record<string, unknown>;

/** `_meta` key of the gateway's answer to a call that waits for a human approver. */
export const APPROVAL_META_KEY = 'dev.gatehouse/approval';

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function contentText(item: unknown): string {
  if (!isRecord(item)) return '';
  switch (item.type) {
    case 'text':
      return typeof item.text === 'string' ? item.text : '';
    case 'image':
    case 'audio':
      return `[${item.type}: ${String(item.mimeType ?? 'unknown type')}]`;
    case 'resource': {
      const resource = isRecord(item.resource) ? item.resource : {};
      return typeof resource.text === 'string' ? resource.text : `[resource: ${String(resource.uri ?? '')}]`;
    }
    case 'resource_link':
      return `[resource: ${String(item.uri ?? '')}${item.name ? ` (${String(item.name)})` : ''}]`;
    default:
      return '';
  }
}

/** The text the model sees: the content's text; the structured content as JSON when there is none. */
export function toHostResult(result: Json): HostToolResult {
  const content = Array.isArray(result.content) ? result.content : [];
  let text = content
    .map(contentText)
    .filter((t) => t !== '')
    .join('\n');
  if (text === '' && result.structuredContent !== undefined) text = JSON.stringify(result.structuredContent);
  return { text, isError: result.isError === true, raw: result };
}

/** A JSON-RPC error answer, as a result the model can read. */
export function errorResult(error: { code: number; message: string; data?: unknown }): HostToolResult {
  return {
    text: error.message,
    isError: true,
    raw: { isError: true, error: { code: error.code, message: error.message, data: error.data } },
  };
}

export interface PendingApproval {
  approvalId: string;
  expiresAt?: string;
  message: string;
}

/** The gateway's "this call waits for an approver" result (isError, `_meta["dev.gatehouse/approval"]`). */
export function pendingApproval(result: Json): PendingApproval | undefined {
  const meta = isRecord(result._meta) ? result._meta[APPROVAL_META_KEY] : undefined;
  if (!isRecord(meta) || meta.status !== 'pending' || typeof meta.approvalId !== 'string') return undefined;
  return {
    approvalId: meta.approvalId,
    ...(typeof meta.expiresAt === 'string' ? { expiresAt: meta.expiresAt } : {}),
    message: toHostResult(result).text,
  };
}
