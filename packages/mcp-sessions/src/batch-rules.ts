/**
 * JSON-RPC batches (a JSON array of messages in one POST) on 2025-era sessions. Only protocol
 * version 2025-03-26 has them: 2025-06-18 removed batching, and 2026-07-28 has none (the SDK's
 * classifier refuses arrays that carry its envelope). An initialize request is never part of a
 * batch, in any version. Pure checks; each returns the sentence of an Invalid Request error.
 */
import { isInitializeRequest } from '@modelcontextprotocol/server';

/** The last protocol version with JSON-RPC batching; also what a session without a version is. */
export const LAST_BATCHING_VERSION = '2025-03-26';

/** A batch that holds an initialize request (invalid in every version); undefined otherwise. */
export function initializeInBatch(body: unknown): string | undefined {
  if (!Array.isArray(body) || !body.some((message) => isInitializeRequest(message))) return undefined;
  return 'Invalid Request: initialize must be sent alone, not in a JSON-RPC batch';
}

/** A batch on a session whose protocol `version` has no batching; undefined otherwise. */
export function batchOnVersionWithout(body: unknown, version: string): string | undefined {
  if (!Array.isArray(body) || version <= LAST_BATCHING_VERSION) return undefined;
  return `Invalid Request: JSON-RPC batches are not supported in protocol version ${version} (only in ${LAST_BATCHING_VERSION}); send one message per POST`;
}
